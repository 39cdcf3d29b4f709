/**
 * Metrics of a run: one record per interval (system-wide), running totals per participant, rejections by
 * reason, and the per-bus and per-branch extremes the report draws. Energy in Wh and money in micro-units, as
 * everywhere; ratios are fractions (0..1). `summarize` rounds every float to a fixed number of decimals so that
 * the summary is byte-identical across runs of the same code, scenario and seed.
 */
import type { Agent, World } from "./world.js";

export interface IntervalRecord {
  step: number;
  timeMs: number;
  /** Uniform price in the island of the upstream grid, micros/kWh (null: nothing traded). */
  price: number | null;
  /** Uniform price in an island cut off from the upstream grid, if one traded. */
  islandPrice: number | null;
  volumeWh: number;
  /** Energy sold by participants (not the upstream grid). */
  localVolumeWh: number;
  upstreamSoldWh: number;
  upstreamBoughtWh: number;
  welfareMicros: number;
  loadWh: number;
  loadServedWh: number;
  criticalWh: number;
  criticalServedWh: number;
  unservedWh: number;
  pvWh: number;
  curtailedWh: number;
  /** Part of the curtailment by the inverters' IEEE 1547 volt-watt response, Wh. */
  voltWattWh: number;
  /** Part of the curtailment by inverters that tripped on voltage (IEEE 1547 OV1/UV1), Wh. */
  tripWh: number;
  inverterTrips: number;
  /** Net reactive energy of the PV inverters (their IEEE 1547 reactive mode; + = injected), varh. */
  reactiveVarh: number;
  /** Σ battery discharge − charge (grid-forming batteries included), Wh. */
  batteryNetWh: number;
  /** Energy from the upstream grid (negative: export to it), Wh, from the power flow's slack. */
  upstreamWh: number;
  lossesWh: number;
  vmMinPu: number;
  vmMaxPu: number;
  voltageViolations: number;
  /** Highest branch loading, fraction of the rating. */
  maxLoading: number;
  /** Σ |delivered − committed| over participants, Wh. */
  imbalanceWh: number;
  /** Σ (reported − delivered) over meters, Wh (positive: meters claim more export / less import). */
  theftWh: number;
  islands: number;
  islandedBuses: number;
  pfConverged: boolean;
}

export interface ParticipantTotals {
  id: string;
  bus: number;
  household: boolean;
  strategy: string;
  hasPv: boolean;
  hasBattery: boolean;
  boughtWh: number;
  soldWh: number;
  loadWh: number;
  servedWh: number;
  /** Market payments and receipts (net), micros: netMicros − imbalanceMicros. */
  energyMicros: number;
  /** Imbalance charges (−) and credits (+) at settlement, from the protocol's settlement records. */
  imbalanceMicros: number;
  /** Change of the participant's balance on the ledger over the run: positive = earned. */
  netMicros: number;
  /** Σ price × own consumption (what the load alone would have cost), micros. */
  loadValueMicros: number;
  /** Σ price × metered net export (the physical flows valued at the cleared prices), micros. */
  deliveredValueMicros: number;
}

export interface BusGrid {
  vmPu: Float64Array;
  loading: Float64Array;
  energized: Uint8Array;
}

export interface RunMetrics {
  step: number;
  intervals: IntervalRecord[];
  participants: ParticipantTotals[];
  upstreamTotals: { netMicros: number; soldWh: number; boughtWh: number; imbalanceMicros: number };
  /** Settlement charges and credits that could not be paid. */
  unpaidMicros: number;
  rejections: Map<string, number>;
  rejectionsBy: Map<string, number>;
  events: { step: number; kind: string; what: string }[];
  /** Per bus: lowest and highest voltage seen while energized; per branch: highest loading. */
  busVmMin: Float64Array;
  busVmMax: Float64Array;
  branchLoadingMax: Float64Array;
  /** Voltage per bus at every step (row-major step × bus), for the report's feeder view. */
  vmSeries: Float32Array;
  reject(code: string, who: string): void;
  record(rec: IntervalRecord, grid: BusGrid): void;
  participant(
    a: Agent,
    x: {
      boughtWh: number;
      soldWh: number;
      loadWh: number;
      servedWh: number;
      deliveredWh: number;
      price: number | null;
    },
  ): void;
  upstream(soldWh: number, boughtWh: number): void;
}

export function newRunMetrics(world: World): RunMetrics {
  const nb = world.net.bus.count;
  const participants: ParticipantTotals[] = world.agents.map((a) => ({
    id: a.id,
    bus: a.busId,
    household: a.household,
    strategy: a.strategy.kind,
    hasPv: a.pvWh !== null,
    hasBattery: a.battery !== null,
    boughtWh: 0,
    soldWh: 0,
    loadWh: 0,
    servedWh: 0,
    energyMicros: 0,
    imbalanceMicros: 0,
    netMicros: 0,
    loadValueMicros: 0,
    deliveredValueMicros: 0,
  }));
  const m: RunMetrics = {
    step: 0,
    intervals: [],
    participants,
    upstreamTotals: { netMicros: 0, soldWh: 0, boughtWh: 0, imbalanceMicros: 0 },
    unpaidMicros: 0,
    rejections: new Map(),
    rejectionsBy: new Map(),
    events: [],
    busVmMin: new Float64Array(nb).fill(Number.POSITIVE_INFINITY),
    busVmMax: new Float64Array(nb),
    branchLoadingMax: new Float64Array(world.net.branch.count),
    vmSeries: new Float32Array(world.steps * nb),
    reject(code, who) {
      m.rejections.set(code, (m.rejections.get(code) ?? 0) + 1);
      m.rejectionsBy.set(`${code} ${who}`, (m.rejectionsBy.get(`${code} ${who}`) ?? 0) + 1);
    },
    record(rec, grid) {
      m.intervals.push(rec);
      for (let b = 0; b < nb; b++) {
        m.vmSeries[rec.step * nb + b] = grid.vmPu[b];
        if (!grid.energized[b]) continue;
        m.busVmMin[b] = Math.min(m.busVmMin[b], grid.vmPu[b]);
        m.busVmMax[b] = Math.max(m.busVmMax[b], grid.vmPu[b]);
      }
      for (let l = 0; l < grid.loading.length; l++) {
        m.branchLoadingMax[l] = Math.max(m.branchLoadingMax[l], grid.loading[l]);
      }
    },
    participant(a, x) {
      const p = participants[a.index];
      p.boughtWh += x.boughtWh;
      p.soldWh += x.soldWh;
      p.loadWh += x.loadWh;
      p.servedWh += x.servedWh;
      if (x.price !== null) {
        p.loadValueMicros += (x.loadWh * x.price) / 1000;
        p.deliveredValueMicros += (x.deliveredWh * x.price) / 1000;
      }
    },
    upstream(soldWh, boughtWh) {
      m.upstreamTotals.soldWh += soldWh;
      m.upstreamTotals.boughtWh += boughtWh;
    },
  };
  return m;
}

/** Gini coefficient of non-negative values (0: all equal, → 1: one has everything); 0 for an empty list. */
/**
 * The least and the greatest of a list, by a loop: `Math.min(...xs)` passes every element as an argument and
 * overflows the call stack on a year's intervals. `empty` when the list is.
 */
export function minOf(xs: Iterable<number>, empty = Number.POSITIVE_INFINITY): number {
  let m = empty;
  for (const x of xs) if (x < m) m = x;
  return m;
}

export function maxOf(xs: Iterable<number>, empty = Number.NEGATIVE_INFINITY): number {
  let m = empty;
  for (const x of xs) if (x > m) m = x;
  return m;
}

export function gini(values: readonly number[]): number {
  const xs = values.map((v) => Math.max(0, v)).sort((a, b) => a - b);
  const n = xs.length;
  let total = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    total += xs[i];
    weighted += (i + 1) * xs[i];
  }
  if (n === 0 || total === 0) return 0;
  return (2 * weighted) / (n * total) - (n + 1) / n;
}

/** Rounds for output: `digits` decimals, and −0 becomes 0. */
export function round(x: number, digits = 6): number {
  if (!Number.isFinite(x)) return 0;
  const f = 10 ** digits;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r;
}
