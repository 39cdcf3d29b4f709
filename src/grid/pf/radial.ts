/**
 * Backward/forward sweep for radial feeders (Shirmohammadi et al., "A compensation-based power flow method
 * for weakly meshed distribution and transmission networks", IEEE Trans. Power Syst. 3(2), 1988, radial
 * case). Backward: from the leaves up, each node's demand current (its loads conj(S/V), its shunt, and the
 * currents its child branches draw) becomes the current its parent branch must deliver. Forward: from the
 * root down, each child voltage follows exactly from its parent's voltage through the branch's pi model
 * and transformer. Its fixed point solves the same equations as Newton–Raphson, and it stops on the same
 * test (‖F‖∞ < tol on the power mismatch), so both give one answer.
 */
import { PlurigridError } from "../../core/errors.js";
import type { Network } from "../model.js";
import { complexMulVec } from "./complex-csc.js";
import type { NodeTypes, PfNodes } from "./nodes.js";
import type { YbusResult } from "./ybus.js";

export interface RadialOptions {
  tolerance: number;
  maxIterations: number;
}

export interface RadialResult {
  converged: boolean;
  /** Number of sweeps (one backward and one forward pass each). */
  iterations: number;
  mismatch: number;
  vRe: Float64Array;
  vIm: Float64Array;
}

/** The feeder as a rooted tree: nodes in breadth-first order, each with the branch to its parent. */
export interface FeederTree {
  order: Int32Array;
  parent: Int32Array;
  parentBranch: Int32Array;
  /** 1 when the child is the branch's from end (transformer on the child's side). */
  childIsFrom: Uint8Array;
}

/**
 * Throws PF_NOT_RADIAL unless the energized network is a forest with one reference node per tree, and
 * PF_RADIAL_UNSUPPORTED when it has PV nodes (a sweep cannot hold a voltage magnitude; use Newton).
 */
export function feederTree(net: Network, nodes: PfNodes, types: NodeTypes): FeederTree {
  const n = nodes.count;
  const br = net.branch;
  const deg = new Int32Array(n + 1);
  let edges = 0;
  for (let k = 0; k < br.count; k++) {
    if (!nodes.branchOn[k]) continue;
    const f = nodes.nodeOfBus[br.from[k]];
    const t = nodes.nodeOfBus[br.to[k]];
    if (f === t) throw notRadial(net, k, "joins two buses already joined by a closed switch");
    deg[f + 1]++;
    deg[t + 1]++;
    edges++;
  }
  const trees = types.ref.length;
  const islandRefs = new Int32Array(nodes.islands.count);
  for (const r of types.ref) islandRefs[nodes.islandOfNode[r]]++;
  for (let k = 0; k < islandRefs.length; k++) {
    if (islandRefs[k] > 1) {
      throw new PlurigridError(
        "PF_RADIAL_UNSUPPORTED",
        `island ${k} has ${islandRefs[k]} reference buses; a sweep needs one`,
        {
          island: k,
        },
      );
    }
  }
  if (edges !== n - trees) {
    throw new PlurigridError(
      "PF_NOT_RADIAL",
      `the network is meshed: ${edges} branches in service join ${n} buses in ${trees} island(s), a radial network has ${n - trees}`,
      { branches: edges, nodes: n, islands: trees },
    );
  }
  if (types.pv.length > 0) {
    throw new PlurigridError(
      "PF_RADIAL_UNSUPPORTED",
      `the backward/forward sweep handles PQ buses only; ${types.pv.length} PV bus(es) hold voltage (use Newton–Raphson)`,
      { pvBuses: Array.from(types.pv, (j) => net.bus.id[nodes.busOfNode[j]]) },
    );
  }
  for (let j = 0; j < n; j++) deg[j + 1] += deg[j];
  const adjNode = new Int32Array(2 * edges);
  const adjBranch = new Int32Array(2 * edges);
  const fill = deg.slice(0, n);
  for (let k = 0; k < br.count; k++) {
    if (!nodes.branchOn[k]) continue;
    const f = nodes.nodeOfBus[br.from[k]];
    const t = nodes.nodeOfBus[br.to[k]];
    adjNode[fill[f]] = t;
    adjBranch[fill[f]++] = k;
    adjNode[fill[t]] = f;
    adjBranch[fill[t]++] = k;
  }
  const order = new Int32Array(n);
  const parent = new Int32Array(n).fill(-1);
  const parentBranch = new Int32Array(n).fill(-1);
  const childIsFrom = new Uint8Array(n);
  const seen = new Uint8Array(n);
  let head = 0;
  let tail = 0;
  for (const r of types.ref) {
    order[tail++] = r;
    seen[r] = 1;
    while (head < tail) {
      const p = order[head++];
      for (let q = deg[p]; q < deg[p + 1]; q++) {
        const c = adjNode[q];
        if (seen[c]) {
          if (adjBranch[q] !== parentBranch[p]) throw notRadial(net, adjBranch[q], "closes a loop");
          continue;
        }
        seen[c] = 1;
        parent[c] = p;
        parentBranch[c] = adjBranch[q];
        childIsFrom[c] = nodes.nodeOfBus[br.from[adjBranch[q]]] === c ? 1 : 0;
        order[tail++] = c;
      }
    }
  }
  if (tail !== n)
    throw new PlurigridError("PF_NOT_RADIAL", "part of the network is not reached from a reference bus", {});
  return { order, parent, parentBranch, childIsFrom };
}

function notRadial(net: Network, k: number, why: string): PlurigridError {
  const br = net.branch;
  return new PlurigridError(
    "PF_NOT_RADIAL",
    `branch ${k} (bus ${net.bus.id[br.from[k]]} to ${net.bus.id[br.to[k]]}) ${why}: the network is not radial`,
    { branch: k },
  );
}

export function radialPf(
  net: Network,
  nodes: PfNodes,
  types: NodeTypes,
  tree: FeederTree,
  y: YbusResult,
  sbusRe: Float64Array,
  sbusIm: Float64Array,
  v0Re: Float64Array,
  v0Im: Float64Array,
  options: RadialOptions,
): RadialResult {
  const n = nodes.count;
  const br = net.branch;
  const base = net.baseMva;
  const vRe = v0Re.slice();
  const vIm = v0Im.slice();
  // Bus shunts per node, p.u.
  const shRe = new Float64Array(n);
  const shIm = new Float64Array(n);
  for (let i = 0; i < net.bus.count; i++) {
    const j = nodes.nodeOfBus[i];
    if (j < 0) continue;
    shRe[j] += net.bus.gsMw[i] / base;
    shIm[j] += net.bus.bsMvar[i] / base;
  }
  const dRe = new Float64Array(n);
  const dIm = new Float64Array(n);
  const isRe = new Float64Array(n);
  const isIm = new Float64Array(n);
  const iRe = new Float64Array(n);
  const iIm = new Float64Array(n);
  const isPq = new Uint8Array(n);
  for (const j of types.pq) isPq[j] = 1;

  const mismatch = (): number => {
    complexMulVec(y.ybus, vRe, vIm, iRe, iIm);
    let norm = 0;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      if (!isPq[j]) continue;
      const p = Math.abs(vRe[j] * iRe[j] + vIm[j] * iIm[j] - sbusRe[j]);
      const q = Math.abs(vIm[j] * iRe[j] - vRe[j] * iIm[j] - sbusIm[j]);
      sum += p + q;
      if (p > norm) norm = p;
      if (q > norm) norm = q;
    }
    return Number.isFinite(sum) ? norm : Number.NaN;
  };

  let normF = mismatch();
  let iterations = 0;
  while (normF >= options.tolerance && iterations < options.maxIterations && Number.isFinite(normF)) {
    iterations++;
    // Backward: demand current of each node = conj(−Sbus/V) + Ysh·V + what its child branches draw.
    for (let j = 0; j < n; j++) {
      const vr = vRe[j];
      const vi = vIm[j];
      const v2 = vr * vr + vi * vi;
      // conj(S_load / V) with S_load = −Sbus: (−Sbus)* · V / |V|².
      const lr = -sbusRe[j];
      const li = sbusIm[j];
      dRe[j] = (lr * vr - li * vi) / v2 + shRe[j] * vr - shIm[j] * vi;
      dIm[j] = (lr * vi + li * vr) / v2 + shRe[j] * vi + shIm[j] * vr;
    }
    for (let q = n - 1; q > 0; q--) {
      const c = tree.order[q];
      const p = tree.parent[c];
      if (p < 0) continue;
      const k = tree.parentBranch[c];
      const t = tapOf(net, k);
      const hb = br.bPu[k] / 2;
      let sr: number;
      let si: number;
      let ipr: number;
      let ipi: number;
      if (!tree.childIsFrom[c]) {
        // Series current towards the child: I_s = D_c + j·b/2·V_c; parent draws (I_s + j·b/2·V_p/t)/conj(t).
        sr = dRe[c] - hb * vIm[c];
        si = dIm[c] + hb * vRe[c];
        const [vpr, vpi] = div(vRe[p], vIm[p], t.re, t.im);
        const ar = sr - hb * vpi;
        const ai = si + hb * vpr;
        [ipr, ipi] = div(ar, ai, t.re, -t.im);
      } else {
        // Transformer on the child side: I_s = D_c·conj(t) + j·b/2·V_c/t; parent draws I_s + j·b/2·V_p.
        const [vcr, vci] = div(vRe[c], vIm[c], t.re, t.im);
        sr = dRe[c] * t.re + dIm[c] * t.im - hb * vci;
        si = dIm[c] * t.re - dRe[c] * t.im + hb * vcr;
        ipr = sr - hb * vIm[p];
        ipi = si + hb * vRe[p];
      }
      isRe[c] = sr;
      isIm[c] = si;
      dRe[p] += ipr;
      dIm[p] += ipi;
    }
    // Forward: V_c from V_p through the series impedance z = r + jx (and the transformer).
    for (let q = 0; q < n; q++) {
      const c = tree.order[q];
      const p = tree.parent[c];
      if (p < 0) continue;
      const k = tree.parentBranch[c];
      const t = tapOf(net, k);
      const zr = br.rPu[k];
      const zx = br.xPu[k];
      const dropRe = isRe[c] * zr - isIm[c] * zx;
      const dropIm = isRe[c] * zx + isIm[c] * zr;
      if (!tree.childIsFrom[c]) {
        const [vpr, vpi] = div(vRe[p], vIm[p], t.re, t.im);
        vRe[c] = vpr - dropRe;
        vIm[c] = vpi - dropIm;
      } else {
        const wr = vRe[p] - dropRe;
        const wi = vIm[p] - dropIm;
        vRe[c] = wr * t.re - wi * t.im;
        vIm[c] = wr * t.im + wi * t.re;
      }
    }
    normF = mismatch();
  }
  return { converged: normF < options.tolerance, iterations, mismatch: normF, vRe, vIm };
}

function tapOf(net: Network, k: number): { re: number; im: number } {
  const tap = net.branch.tap[k] === 0 ? 1 : net.branch.tap[k];
  const s = (net.branch.shiftDeg[k] * Math.PI) / 180;
  return { re: tap * Math.cos(s), im: tap * Math.sin(s) };
}

function div(ar: number, ai: number, br: number, bi: number): [number, number] {
  const d = br * br + bi * bi;
  return [(ar * br + ai * bi) / d, (ai * br - ar * bi) / d];
}
