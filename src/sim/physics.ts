/**
 * The physics of one interval: islands of the current topology, and the AC power flow (grid/pf, Newton–
 * Raphson) of the dispatched state. The case's own loads and generators are replaced by what the simulated
 * devices do: every bus carries the net load of the participants connected there, the upstream grid is the
 * slack at its bus, and in an island cut off from it a grid-forming battery holds voltage and takes the
 * island's imbalance and losses (its generator is that island's slack).
 */

import { BusType, type Network } from "../grid/model.js";
import { runPf } from "../grid/pf/index.js";
import { UnionFind } from "../grid/topology/index.js";

/** Island of every bus under the given branch status (in-service branches join their ends). */
export function islandsOf(net: Network, inService: Uint8Array): Int32Array {
  const uf = new UnionFind(net.bus.count);
  for (let k = 0; k < net.branch.count; k++) if (inService[k]) uf.union(net.branch.from[k], net.branch.to[k]);
  const label = new Map<number, number>();
  const out = new Int32Array(net.bus.count);
  for (let i = 0; i < net.bus.count; i++) {
    const r = uf.find(i);
    if (!label.has(r)) label.set(r, label.size);
    out[i] = label.get(r)!;
  }
  return out;
}

export interface Dispatch {
  /** Net load per bus, MW (load − generation of the devices there, not counting slack units). */
  pdMw: Float64Array;
  qdMvar: Float64Array;
  inService: Uint8Array;
  /** Slack units: the upstream bus, and the grid-forming battery's bus in each island cut off from it. */
  slackBuses: number[];
}

export interface PhysicsResult {
  converged: boolean;
  iterations: number;
  /** Per slack unit (same order as slackBuses), MW injected. */
  slackMw: number[];
  lossesMw: number;
  vmPu: Float64Array;
  energized: Uint8Array;
  /** |S| at the more loaded end over the rating, per branch (0 when out of service). */
  loading: Float64Array;
}

export function powerFlow(net: Network, d: Dispatch, defaultRatingMva: number): PhysicsResult {
  const nb = net.bus.count;
  const type = new Int8Array(nb).fill(BusType.PQ);
  const ng = d.slackBuses.length;
  d.slackBuses.forEach((b, g) => {
    type[b] = g === 0 ? BusType.REF : BusType.PV;
  });
  const big = new Float64Array(ng).fill(1e4);
  const pf = runPf(
    {
      ...net,
      bus: {
        ...net.bus,
        type,
        pdMw: d.pdMw,
        qdMvar: d.qdMvar,
        vmPu: new Float64Array(nb).fill(1),
        vaDeg: new Float64Array(nb),
      },
      branch: { ...net.branch, status: d.inService },
      gen: {
        count: ng,
        bus: Int32Array.from(d.slackBuses),
        pgMw: new Float64Array(ng),
        qgMvar: new Float64Array(ng),
        qgMaxMvar: big,
        qgMinMvar: big.map((x) => -x),
        vgPu: new Float64Array(ng).fill(1),
        mBaseMva: new Float64Array(ng).fill(net.baseMva),
        status: new Uint8Array(ng).fill(1),
        pgMaxMw: big,
        pgMinMw: big.map((x) => -x),
      },
      genCost: [],
      genCostQ: [],
    },
    { method: "newton" },
  );
  const loading = new Float64Array(net.branch.count);
  for (let k = 0; k < net.branch.count; k++) {
    if (!d.inService[k]) continue;
    const rating = net.branch.rateAMva[k] > 0 ? net.branch.rateAMva[k] : defaultRatingMva;
    const s = Math.max(Math.hypot(pf.pfMw[k], pf.qfMvar[k]), Math.hypot(pf.ptMw[k], pf.qtMvar[k]));
    loading[k] = s / rating;
  }
  return {
    converged: pf.converged,
    iterations: pf.iterations,
    slackMw: Array.from(pf.pgMw),
    lossesMw: pf.lossesMw,
    vmPu: pf.vmPu,
    energized: pf.energized,
    loading,
  };
}
