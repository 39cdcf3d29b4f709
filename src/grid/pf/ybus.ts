/**
 * Bus admittance matrix after MATPOWER's makeYbus (Zimmerman et al., MATPOWER User's Manual §3.2):
 * each in-service branch is a pi model with series admittance ys = 1/(r + jx), total charging b split in
 * half at both ends, and an ideal transformer of complex ratio t = tap·e^{j·shift} at the *from* end, so
 *
 *   [If]   [ (ys + jb/2)/|t|²   -ys/conj(t) ] [Vf]
 *   [It] = [ -ys/t               ys + jb/2  ] [Vt]
 *
 * Bus shunts Gs + jBs, given in MW/MVAr at 1 p.u., enter the diagonal as (Gs + jBs)/baseMVA.
 */
import { PlurigridError } from "../../core/errors.js";
import type { Network } from "../model.js";
import { patternFromTriplets } from "../sparse/csc.js";
import type { ComplexCsc } from "./complex-csc.js";
import { identityNodeMap, type NodeMap } from "./nodes.js";

/** Two-port admittances of every branch, p.u.; zero for branches that are out of service. */
export interface BranchAdmittances {
  yffRe: Float64Array;
  yffIm: Float64Array;
  yftRe: Float64Array;
  yftIm: Float64Array;
  ytfRe: Float64Array;
  ytfIm: Float64Array;
  yttRe: Float64Array;
  yttIm: Float64Array;
}

export interface YbusResult {
  /** n×n, n = nodes of the map (buses, by default). */
  ybus: ComplexCsc;
  /** nl×n: row k gives the current into branch k at its from end, If = Yf V. */
  yf: ComplexCsc;
  /** nl×n: current into branch k at its to end, It = Yt V. */
  yt: ComplexCsc;
  branch: BranchAdmittances;
}

export function branchAdmittances(net: Network, branchOn: Uint8Array): BranchAdmittances {
  const br = net.branch;
  const nl = br.count;
  const a: BranchAdmittances = {
    yffRe: new Float64Array(nl),
    yffIm: new Float64Array(nl),
    yftRe: new Float64Array(nl),
    yftIm: new Float64Array(nl),
    ytfRe: new Float64Array(nl),
    ytfIm: new Float64Array(nl),
    yttRe: new Float64Array(nl),
    yttIm: new Float64Array(nl),
  };
  for (let k = 0; k < nl; k++) {
    if (!branchOn[k]) continue;
    const r = br.rPu[k];
    const x = br.xPu[k];
    const z2 = r * r + x * x;
    if (!(z2 > 0)) {
      throw new PlurigridError(
        "PF_ZERO_IMPEDANCE",
        `branch ${k} (bus ${net.bus.id[br.from[k]]} to ${net.bus.id[br.to[k]]}) has zero impedance; model it as a closed switch`,
        { branch: k, rPu: r, xPu: x },
      );
    }
    const ysRe = r / z2;
    const ysIm = -x / z2;
    const tap = br.tap[k] === 0 ? 1 : br.tap[k];
    const shift = (br.shiftDeg[k] * Math.PI) / 180;
    const tRe = tap * Math.cos(shift);
    const tIm = tap * Math.sin(shift);
    const t2 = tap * tap;
    const halfB = br.bPu[k] / 2;
    a.yttRe[k] = ysRe;
    a.yttIm[k] = ysIm + halfB;
    a.yffRe[k] = ysRe / t2;
    a.yffIm[k] = (ysIm + halfB) / t2;
    // -ys / conj(t) = -ys·t/|t|², and -ys / t = -ys·conj(t)/|t|².
    a.yftRe[k] = -(ysRe * tRe - ysIm * tIm) / t2;
    a.yftIm[k] = -(ysRe * tIm + ysIm * tRe) / t2;
    a.ytfRe[k] = -(ysRe * tRe + ysIm * tIm) / t2;
    a.ytfIm[k] = -(ysIm * tRe - ysRe * tIm) / t2;
  }
  return a;
}

/**
 * Ybus, Yf and Yt over the nodes of `map` (by default one node per bus and every branch with status 1,
 * which is MATPOWER's makeYbus on the case tables).
 */
export function makeYbus(net: Network, map: NodeMap = identityNodeMap(net)): YbusResult {
  const { bus, branch } = net;
  const n = map.count;
  const node = map.nodeOfBus;
  const adm = branchAdmittances(net, map.branchOn);

  // Triplets: every node's diagonal, then (f,f), (t,t), (f,t), (t,f) of each active branch; the pattern is
  // built by one counting sort and each triplet's slot tells where its value goes.
  const rows = new Int32Array(n + 4 * branch.count);
  const cols = new Int32Array(n + 4 * branch.count);
  let count = 0;
  for (let j = 0; j < n; j++) {
    rows[count] = j;
    cols[count++] = j;
  }
  for (let k = 0; k < branch.count; k++) {
    if (!map.branchOn[k]) continue;
    const f = node[branch.from[k]];
    const t = node[branch.to[k]];
    rows[count] = f;
    cols[count++] = f;
    rows[count] = t;
    cols[count++] = t;
    rows[count] = f;
    cols[count++] = t;
    rows[count] = t;
    cols[count++] = f;
  }
  const { matrix, slotOfTriplet: slot } = patternFromTriplets(n, n, rows, cols, count);
  const re = new Float64Array(matrix.rowIdx.length);
  const im = new Float64Array(matrix.rowIdx.length);
  let q = n;
  for (let k = 0; k < branch.count; k++) {
    if (!map.branchOn[k]) continue;
    re[slot[q]] += adm.yffRe[k];
    im[slot[q++]] += adm.yffIm[k];
    re[slot[q]] += adm.yttRe[k];
    im[slot[q++]] += adm.yttIm[k];
    re[slot[q]] += adm.yftRe[k];
    im[slot[q++]] += adm.yftIm[k];
    re[slot[q]] += adm.ytfRe[k];
    im[slot[q++]] += adm.ytfIm[k];
  }
  for (let i = 0; i < bus.count; i++) {
    const j = node[i];
    if (j < 0) continue;
    re[slot[j]] += bus.gsMw[i] / net.baseMva;
    im[slot[j]] += bus.bsMvar[i] / net.baseMva;
  }
  const ybus: ComplexCsc = { rows: n, cols: n, colPtr: matrix.colPtr, rowIdx: matrix.rowIdx, re, im };
  return {
    ybus,
    yf: branchMatrix(net, map, adm.yffRe, adm.yffIm, adm.yftRe, adm.yftIm),
    yt: branchMatrix(net, map, adm.ytfRe, adm.ytfIm, adm.yttRe, adm.yttIm),
    branch: adm,
  };
}

/** nl×n matrix with a[k, from(k)] = (fRe, fIm)[k] and a[k, to(k)] = (tRe, tIm)[k] for active branches. */
function branchMatrix(
  net: Network,
  map: NodeMap,
  fRe: Float64Array,
  fIm: Float64Array,
  tRe: Float64Array,
  tIm: Float64Array,
): ComplexCsc {
  const { branch } = net;
  const n = map.count;
  const node = map.nodeOfBus;
  const colPtr = new Int32Array(n + 1);
  for (let k = 0; k < branch.count; k++) {
    if (!map.branchOn[k]) continue;
    const f = node[branch.from[k]];
    const t = node[branch.to[k]];
    colPtr[f + 1]++;
    if (t !== f) colPtr[t + 1]++;
  }
  for (let j = 0; j < n; j++) colPtr[j + 1] += colPtr[j];
  const nnz = colPtr[n];
  const rowIdx = new Int32Array(nnz);
  const re = new Float64Array(nnz);
  const im = new Float64Array(nnz);
  const next = colPtr.slice(0, n);
  // Branches are visited in ascending order, so rows come out sorted within each column.
  for (let k = 0; k < branch.count; k++) {
    if (!map.branchOn[k]) continue;
    const f = node[branch.from[k]];
    const t = node[branch.to[k]];
    let p = next[f]++;
    rowIdx[p] = k;
    re[p] = fRe[k];
    im[p] = fIm[k];
    if (t === f) {
      re[p] += tRe[k];
      im[p] += tIm[k];
      continue;
    }
    p = next[t]++;
    rowIdx[p] = k;
    re[p] = tRe[k];
    im[p] = tIm[k];
  }
  return { rows: branch.count, cols: n, colPtr, rowIdx, re, im };
}
