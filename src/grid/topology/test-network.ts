/**
 * Small networks written as rows, for tests of topology and power flow (not a case format: real cases come
 * from `grid/matpower`). Omitted columns take MATPOWER's usual defaults.
 */
import { type BusTypeCode, emptySwitches, type Network } from "../model.js";

export interface BusRow {
  type: BusTypeCode;
  pdMw?: number;
  qdMvar?: number;
  gsMw?: number;
  bsMvar?: number;
  vmPu?: number;
  vaDeg?: number;
}
export interface BranchRow {
  from: number;
  to: number;
  rPu?: number;
  xPu?: number;
  bPu?: number;
  tap?: number;
  shiftDeg?: number;
  status?: number;
}
export interface GenRow {
  bus: number;
  pgMw?: number;
  qgMvar?: number;
  qgMaxMvar?: number;
  qgMinMvar?: number;
  vgPu?: number;
  status?: number;
  pgMaxMw?: number;
}
export interface SwitchRow {
  from: number;
  to: number;
  closed?: boolean;
}

export function testNetwork(rows: {
  buses: BusRow[];
  branches: BranchRow[];
  gens?: GenRow[];
  switches?: SwitchRow[];
  baseMva?: number;
}): Network {
  const b = rows.buses;
  const br = rows.branches;
  const g = rows.gens ?? [];
  const nb = b.length;
  const nl = br.length;
  const ng = g.length;
  const col = <T>(
    n: number,
    f: (i: number) => number,
    Kind: new (n: number) => T & { [i: number]: number },
  ) => {
    const a = new Kind(n);
    for (let i = 0; i < n; i++) a[i] = f(i);
    return a;
  };
  const F = Float64Array;
  const sw = rows.switches ?? [];
  return {
    name: "test",
    baseMva: rows.baseMva ?? 100,
    bus: {
      count: nb,
      id: col(nb, (i) => i + 1, Int32Array),
      type: col(nb, (i) => b[i].type, Int8Array),
      pdMw: col(nb, (i) => b[i].pdMw ?? 0, F),
      qdMvar: col(nb, (i) => b[i].qdMvar ?? 0, F),
      gsMw: col(nb, (i) => b[i].gsMw ?? 0, F),
      bsMvar: col(nb, (i) => b[i].bsMvar ?? 0, F),
      area: col(nb, () => 1, Int32Array),
      vmPu: col(nb, (i) => b[i].vmPu ?? 1, F),
      vaDeg: col(nb, (i) => b[i].vaDeg ?? 0, F),
      baseKv: col(nb, () => 100, F),
      zone: col(nb, () => 1, Int32Array),
      vmMaxPu: col(nb, () => 1.1, F),
      vmMinPu: col(nb, () => 0.9, F),
    },
    gen: {
      count: ng,
      bus: col(ng, (k) => g[k].bus, Int32Array),
      pgMw: col(ng, (k) => g[k].pgMw ?? 0, F),
      qgMvar: col(ng, (k) => g[k].qgMvar ?? 0, F),
      qgMaxMvar: col(ng, (k) => g[k].qgMaxMvar ?? 300, F),
      qgMinMvar: col(ng, (k) => g[k].qgMinMvar ?? -300, F),
      vgPu: col(ng, (k) => g[k].vgPu ?? 1, F),
      mBaseMva: col(ng, () => 100, F),
      status: col(ng, (k) => g[k].status ?? 1, Uint8Array),
      pgMaxMw: col(ng, (k) => g[k].pgMaxMw ?? 250, F),
      pgMinMw: col(ng, () => 0, F),
    },
    branch: {
      count: nl,
      from: col(nl, (k) => br[k].from, Int32Array),
      to: col(nl, (k) => br[k].to, Int32Array),
      rPu: col(nl, (k) => br[k].rPu ?? 0.01, F),
      xPu: col(nl, (k) => br[k].xPu ?? 0.1, F),
      bPu: col(nl, (k) => br[k].bPu ?? 0, F),
      rateAMva: col(nl, () => 0, F),
      rateBMva: col(nl, () => 0, F),
      rateCMva: col(nl, () => 0, F),
      tap: col(nl, (k) => br[k].tap ?? 0, F),
      shiftDeg: col(nl, (k) => br[k].shiftDeg ?? 0, F),
      status: col(nl, (k) => br[k].status ?? 1, Uint8Array),
      angMinDeg: col(nl, () => -360, F),
      angMaxDeg: col(nl, () => 360, F),
    },
    genCost: [],
    genCostQ: [],
    switches:
      sw.length === 0
        ? emptySwitches()
        : {
            count: sw.length,
            from: col(sw.length, (s) => sw[s].from, Int32Array),
            to: col(sw.length, (s) => sw[s].to, Int32Array),
            closed: col(sw.length, (s) => (sw[s].closed === false ? 0 : 1), Uint8Array),
          },
    busNames: [],
    extra: { bus: [], gen: [], branch: [] },
  };
}
