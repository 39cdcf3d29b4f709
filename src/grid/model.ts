/**
 * The network as plain tables with named columns, after MATPOWER's bus/gen/branch matrices.
 *
 * Tables hold the case's own engineering units, exactly as a MATPOWER case file does (MW, MVAr, degrees,
 * kV, p.u. impedances on the system base). Every solver converts to per-unit on entry (`baseMva`) and
 * back on exit, so there is one place where units change. Elements refer to buses by *index* (0-based
 * row in `bus`), never by the external bus number; `bus.id` keeps the number from the file.
 */

export const BusType = { PQ: 1, PV: 2, REF: 3, NONE: 4 } as const;
export type BusTypeCode = (typeof BusType)[keyof typeof BusType];

export interface BusTable {
  count: number;
  /** External bus number (MATPOWER BUS_I). */
  id: Int32Array;
  /** 1 PQ, 2 PV, 3 reference, 4 isolated. */
  type: Int8Array;
  pdMw: Float64Array;
  qdMvar: Float64Array;
  /** Shunt conductance, MW demanded at V = 1 p.u. */
  gsMw: Float64Array;
  /** Shunt susceptance, MVAr injected at V = 1 p.u. */
  bsMvar: Float64Array;
  area: Int32Array;
  vmPu: Float64Array;
  vaDeg: Float64Array;
  baseKv: Float64Array;
  zone: Int32Array;
  vmMaxPu: Float64Array;
  vmMinPu: Float64Array;
}

export interface GenTable {
  count: number;
  /** Bus index (row in the bus table). */
  bus: Int32Array;
  pgMw: Float64Array;
  qgMvar: Float64Array;
  qgMaxMvar: Float64Array;
  qgMinMvar: Float64Array;
  /** Voltage set point, p.u. */
  vgPu: Float64Array;
  mBaseMva: Float64Array;
  /** 1 in service, 0 out of service. */
  status: Uint8Array;
  pgMaxMw: Float64Array;
  pgMinMw: Float64Array;
}

export interface BranchTable {
  count: number;
  /** Bus indices of the from and to ends. */
  from: Int32Array;
  to: Int32Array;
  rPu: Float64Array;
  xPu: Float64Array;
  /** Total line charging susceptance, p.u. */
  bPu: Float64Array;
  /** Long-term, short-term and emergency ratings, MVA; 0 means unlimited (MATPOWER's convention). */
  rateAMva: Float64Array;
  rateBMva: Float64Array;
  rateCMva: Float64Array;
  /** Off-nominal turns ratio at the from end; 0 in the file means a line (ratio 1). */
  tap: Float64Array;
  /** Phase shift angle, degrees. */
  shiftDeg: Float64Array;
  status: Uint8Array;
  angMinDeg: Float64Array;
  angMaxDeg: Float64Array;
}

/** Generator cost functions (MATPOWER gencost): model 1 piecewise linear, 2 polynomial. */
export interface GenCost {
  model: 1 | 2;
  startupCost: number;
  shutdownCost: number;
  /**
   * Model 2: polynomial coefficients, highest order first ($/h as a function of MW).
   * Model 1: breakpoints flattened [p0, f0, p1, f1, ...] (MW, $/h).
   */
  coeffs: number[];
}

/** A switch between two buses (closed switches join the buses; open ones separate them). */
export interface SwitchTable {
  count: number;
  from: Int32Array;
  to: Int32Array;
  closed: Uint8Array;
}

/**
 * Columns a file carried beyond the ones modelled above (MATPOWER allows result and user columns);
 * kept per row so that export writes back what import read.
 */
export interface ExtraColumns {
  bus: number[][];
  gen: number[][];
  branch: number[][];
}

export interface Network {
  name: string;
  baseMva: number;
  bus: BusTable;
  gen: GenTable;
  branch: BranchTable;
  /** One entry per generator (active power costs), or empty when the case has no gencost. */
  genCost: GenCost[];
  /** Reactive power costs, present when gencost has 2 × ngen rows. */
  genCostQ: GenCost[];
  switches: SwitchTable;
  /** bus_name cell array, one per bus, or empty. */
  busNames: string[];
  extra: ExtraColumns;
}

/** Index of the bus with external number `id`, or -1. */
export function busIndexById(net: Network): Map<number, number> {
  const map = new Map<number, number>();
  for (let i = 0; i < net.bus.count; i++) map.set(net.bus.id[i], i);
  return map;
}

export function emptySwitches(): SwitchTable {
  return { count: 0, from: new Int32Array(0), to: new Int32Array(0), closed: new Uint8Array(0) };
}

/** Effective tap ratio (MATPOWER: a zero tap means a line, ratio 1). */
export function tapRatio(net: Network, k: number): number {
  const t = net.branch.tap[k];
  return t === 0 ? 1 : t;
}
