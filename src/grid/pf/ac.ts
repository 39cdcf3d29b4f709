/**
 * AC power flow as MATPOWER's runpf drives it: initial voltages, Newton–Raphson (or the radial sweep),
 * pfsoln, and the optional loop that enforces generator reactive limits.
 */
import { BusType, type Network } from "../model.js";
import { type NewtonProfile, newtonPf } from "./newton.js";
import { classifyNodes, type NodeTypes, type PfNodes } from "./nodes.js";
import { generatorOutputs } from "./pfsoln.js";
import { feederTree, radialPf } from "./radial.js";
import { injectionsOf, makeSbus } from "./sbus.js";
import type { PfProfile } from "./types.js";
import type { YbusResult } from "./ybus.js";

/** MATPOWER opf.violation: a generator is beyond a Q limit only by more than this, MVAr. */
const Q_VIOLATION_MVAR = 5e-6;

export interface AcSolution {
  converged: boolean;
  stop: string;
  iterations: number;
  mismatch: number;
  vRe: Float64Array;
  vIm: Float64Array;
  pgMw: Float64Array;
  qgMvar: Float64Array;
  types: NodeTypes;
  qLimitedGens: number[];
}

/**
 * MATPOWER's initial voltage: magnitude and angle from the bus table, except that voltage-controlled nodes
 * take the set point Vg of their in-service generators (the last one listed wins, as in runpf).
 */
export function initialVoltage(
  net: Network,
  nodes: PfNodes,
  types: NodeTypes,
): { re: Float64Array; im: Float64Array } {
  const n = nodes.count;
  const vm = new Float64Array(n);
  const va = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const i = nodes.busOfNode[j];
    vm[j] = net.bus.vmPu[i];
    va[j] = (net.bus.vaDeg[i] * Math.PI) / 180;
  }
  for (let g = 0; g < net.gen.count; g++) {
    const j = nodes.nodeOfGen[g];
    if (nodes.genOn[g] && types.type[j] !== BusType.PQ) vm[j] = net.gen.vgPu[g];
  }
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    re[j] = vm[j] * Math.cos(va[j]);
    im[j] = vm[j] * Math.sin(va[j]);
  }
  return { re, im };
}

export function solveAc(
  net: Network,
  nodes: PfNodes,
  y: YbusResult,
  options: { method: "newton" | "radial"; tolerance: number; maxIterations: number; enforceQLims: boolean },
  profile: PfProfile,
): AcSolution {
  const inj = injectionsOf(net, nodes);
  const busType = net.bus.type.slice();
  let types = classifyNodes(net, nodes, busType, inj.genOn);
  // runpf computes V0 once: every re-run of the limit loop starts from it.
  const v0 = initialVoltage(net, nodes, types);
  const ref0 = types.ref;
  const limited: number[] = [];
  const fixedQg = new Float64Array(net.gen.count);
  let iterations = 0;
  let stop = "converged";
  let converged = false;
  let mismatch = 0;
  let vRe: Float64Array = v0.re;
  let vIm: Float64Array = v0.im;
  let pgMw: Float64Array = new Float64Array(net.gen.count);
  let qgMvar: Float64Array = new Float64Array(net.gen.count);

  for (;;) {
    const s = makeSbus(net, nodes, inj);
    if (options.method === "radial") {
      const tree = feederTree(net, nodes, types);
      const r = radialPf(net, nodes, types, tree, y, s.sRe, s.sIm, v0.re, v0.im, options);
      ({ converged, mismatch, vRe, vIm } = r);
      stop = r.converged ? "converged" : Number.isFinite(r.mismatch) ? "max-iterations" : "non-finite";
      iterations += r.iterations;
    } else {
      const r = newtonPf(y.ybus, s.sRe, s.sIm, v0.re, v0.im, types.pv, types.pq, options);
      ({ converged, mismatch, vRe, vIm, stop } = r);
      iterations += r.iterations;
      for (const key of Object.keys(r.profile) as (keyof NewtonProfile)[]) profile[key] += r.profile[key];
    }
    ({ pgMw, qgMvar } = generatorOutputs(net, nodes, types, inj, y, vRe, vIm));
    if (!converged || !options.enforceQLims) break;

    const violating = qLimitViolations(net, nodes, types, inj.genOn, qgMvar);
    if (violating.above.length === 0 && violating.below.length === 0) break;
    if (leavesAnIslandUncontrolled(net, nodes, types, inj.genOn, violating)) {
      converged = false;
      stop = "q-limits-infeasible";
      break;
    }
    for (const g of violating.above) fixedQg[g] = net.gen.qgMaxMvar[g];
    for (const g of violating.below) fixedQg[g] = net.gen.qgMinMvar[g];
    // A limited generator becomes a negative load at its bus, and its node stops holding voltage.
    for (const g of [...violating.above, ...violating.below]) {
      // Pg as last solved (a reference generator keeps the slack it took up), Qg at its limit.
      inj.pgMw[g] = pgMw[g];
      inj.qgMvar[g] = fixedQg[g];
      inj.genOn[g] = 0;
      const i = net.gen.bus[g];
      inj.pdMw[i] -= inj.pgMw[g];
      inj.qdMvar[i] -= fixedQg[g];
      const j = nodes.nodeOfGen[g];
      for (let b = 0; b < net.bus.count; b++) if (nodes.nodeOfBus[b] === j) busType[b] = BusType.PQ;
      limited.push(g);
    }
    types = classifyNodes(net, nodes, busType, inj.genOn);
  }

  if (limited.length > 0) {
    for (const g of limited) {
      pgMw[g] = inj.pgMw[g];
      qgMvar[g] = fixedQg[g];
    }
    restoreReferenceAngles(net, nodes, ref0, types, vRe, vIm);
  }
  return { converged, stop, iterations, mismatch, vRe, vIm, pgMw, qgMvar, types, qLimitedGens: limited };
}

/**
 * Injecting generators at voltage-controlled nodes whose Qg is beyond a limit (only those: a generator at
 * a PQ bus keeps its scheduled Qg, which the flow does not change).
 */
function qLimitViolations(
  net: Network,
  nodes: PfNodes,
  types: NodeTypes,
  genOn: Uint8Array,
  qgMvar: Float64Array,
): { above: number[]; below: number[] } {
  const above: number[] = [];
  const below: number[] = [];
  for (let g = 0; g < net.gen.count; g++) {
    if (!genOn[g] || types.type[nodes.nodeOfGen[g]] === BusType.PQ) continue;
    if (qgMvar[g] > net.gen.qgMaxMvar[g] + Q_VIOLATION_MVAR) above.push(g);
    else if (qgMvar[g] < net.gen.qgMinMvar[g] - Q_VIOLATION_MVAR) below.push(g);
  }
  return { above, below };
}

/**
 * runpf declares the problem infeasible when every remaining voltage-controlling generator violates the
 * same limit; per island here, and also when converting them all would leave an island without any.
 */
function leavesAnIslandUncontrolled(
  net: Network,
  nodes: PfNodes,
  types: NodeTypes,
  genOn: Uint8Array,
  v: { above: number[]; below: number[] },
): boolean {
  const nIsl = nodes.islands.count;
  const remaining = new Int32Array(nIsl);
  const violating = new Int32Array(nIsl);
  for (let g = 0; g < net.gen.count; g++) {
    if (genOn[g] && types.type[nodes.nodeOfGen[g]] !== BusType.PQ)
      remaining[nodes.islandOfNode[nodes.nodeOfGen[g]]]++;
  }
  for (const g of [...v.above, ...v.below]) violating[nodes.islandOfNode[nodes.nodeOfGen[g]]]++;
  for (let k = 0; k < nIsl; k++) if (remaining[k] > 0 && violating[k] === remaining[k]) return true;
  return false;
}

/**
 * When limit enforcement moved an island's reference, runpf shifts the angles back so the original
 * reference keeps its angle from the bus table.
 */
function restoreReferenceAngles(
  net: Network,
  nodes: PfNodes,
  ref0: Int32Array,
  types: NodeTypes,
  vRe: Float64Array,
  vIm: Float64Array,
): void {
  const isRefNow = new Uint8Array(nodes.count);
  for (const r of types.ref) isRefNow[r] = 1;
  for (const r of ref0) {
    if (isRefNow[r]) continue;
    const island = nodes.islandOfNode[r];
    const wanted = (net.bus.vaDeg[nodes.busOfNode[r]] * Math.PI) / 180;
    const shift = wanted - Math.atan2(vIm[r], vRe[r]);
    const c = Math.cos(shift);
    const s = Math.sin(shift);
    for (let j = 0; j < nodes.count; j++) {
      if (nodes.islandOfNode[j] !== island) continue;
      const re = vRe[j] * c - vIm[j] * s;
      vIm[j] = vRe[j] * s + vIm[j] * c;
      vRe[j] = re;
    }
  }
}
