/**
 * The power-flow Jacobian in polar form (MATPOWER newtonpf with dSbus_dV):
 *
 *   J = [ Re dS/dVa(pvpq, pvpq)   Re dS/dVm(pvpq, pq) ]
 *       [ Im dS/dVa(pq,   pvpq)   Im dS/dVm(pq,   pq) ]
 *
 *   dS/dVa = j·diag(V)·conj(diag(I) − Ybus·diag(V)),   dS/dVm = diag(V)·conj(Ybus·diag(V/|V|)) + conj(diag(I))·diag(V/|V|)
 *
 * (the blocks interleaved node by node, see `unknownIndex`). Every Ybus entry (i, k) feeds at most four
 * Jacobian entries, so the pattern is built once and each iteration only rewrites values through four slot
 * maps (no search, no allocation).
 */
import type { CscMatrix } from "../sparse/csc.js";
import { amdOrder } from "../sparse/ordering.js";
import type { ComplexCsc } from "./complex-csc.js";

export interface Jacobian {
  matrix: CscMatrix;
  /** For Ybus entry p: slot of its Re dS/dVa, Re dS/dVm, Im dS/dVa, Im dS/dVm term in `matrix.values`, or -1. */
  s11: Int32Array;
  s12: Int32Array;
  s21: Int32Array;
  s22: Int32Array;
}

/**
 * Numbering of the unknowns (and of the equations, which pair with them): node by node, the node's angle
 * (if it is PV or PQ) then its magnitude (if PQ). MATPOWER stacks [Va(pv); Va(pq); Vm(pq)] instead; the
 * system is the same up to a permutation, and this one keeps each column's rows sorted as Ybus's are, so
 * the Jacobian's pattern comes straight from Ybus's without a sort. `angleIdx[node]` is the position of the
 * node's angle and P equation, `magIdx[node]` that of its magnitude and Q equation, or -1.
 */
export interface UnknownIndex {
  size: number;
  angleIdx: Int32Array;
  magIdx: Int32Array;
}

export function unknownIndex(nodeCount: number, pv: Int32Array, pq: Int32Array): UnknownIndex {
  const angleIdx = new Int32Array(nodeCount).fill(-1);
  const magIdx = new Int32Array(nodeCount).fill(-1);
  const kind = new Uint8Array(nodeCount);
  for (const j of pv) kind[j] = 1;
  for (const j of pq) kind[j] = 2;
  let c = 0;
  for (let j = 0; j < nodeCount; j++) {
    if (kind[j] >= 1) angleIdx[j] = c++;
    if (kind[j] === 2) magIdx[j] = c++;
  }
  return { size: c, angleIdx, magIdx };
}

export function jacobianPattern(ybus: ComplexCsc, idx: UnknownIndex): Jacobian {
  const { colPtr: yp, rowIdx: yi } = ybus;
  const nnzY = yi.length;
  const n = idx.size;
  const { angleIdx: a, magIdx: m } = idx;
  // Ybus column k gives Jacobian columns a[k] and m[k], each with rows a[i], m[i] for the rows i of column
  // k; with node-by-node numbering those rows come out ascending.
  const colPtr = new Int32Array(n + 1);
  for (let k = 0; k < ybus.cols; k++) {
    let count = 0;
    for (let p = yp[k]; p < yp[k + 1]; p++) count += (a[yi[p]] >= 0 ? 1 : 0) + (m[yi[p]] >= 0 ? 1 : 0);
    if (a[k] >= 0) colPtr[a[k] + 1] = count;
    if (m[k] >= 0) colPtr[m[k] + 1] = count;
  }
  for (let c = 0; c < n; c++) colPtr[c + 1] += colPtr[c];
  const rowIdx = new Int32Array(colPtr[n]);
  const s11 = new Int32Array(nnzY).fill(-1);
  const s12 = new Int32Array(nnzY).fill(-1);
  const s21 = new Int32Array(nnzY).fill(-1);
  const s22 = new Int32Array(nnzY).fill(-1);
  for (let k = 0; k < ybus.cols; k++) {
    for (const [col, slotP, slotQ] of [
      [a[k], s11, s21],
      [m[k], s12, s22],
    ] as const) {
      if (col < 0) continue;
      let q = colPtr[col];
      for (let p = yp[k]; p < yp[k + 1]; p++) {
        const i = yi[p];
        if (a[i] >= 0) {
          rowIdx[q] = a[i];
          slotP[p] = q++;
        }
        if (m[i] >= 0) {
          rowIdx[q] = m[i];
          slotQ[p] = q++;
        }
      }
    }
  }
  return {
    matrix: { nRows: n, nCols: n, colPtr, rowIdx, values: new Float64Array(rowIdx.length) },
    s11,
    s12,
    s21,
    s22,
  };
}

/**
 * Refill the Jacobian values at voltage V. `sRe, sIm` must hold the injections V·conj(Ybus·V) at the same V
 * (the mismatch evaluation computes them), which the diagonal terms need.
 */
export function fillJacobian(
  jac: Jacobian,
  ybus: ComplexCsc,
  vRe: Float64Array,
  vIm: Float64Array,
  vm: Float64Array,
  sRe: Float64Array,
  sIm: Float64Array,
): void {
  const { colPtr, rowIdx, re, im } = ybus;
  const val = jac.matrix.values;
  const { s11, s12, s21, s22 } = jac;
  for (let k = 0; k < ybus.cols; k++) {
    const vrk = vRe[k];
    const vik = vIm[k];
    const invVmk = 1 / vm[k];
    for (let p = colPtr[k]; p < colPtr[k + 1]; p++) {
      const i = rowIdx[p];
      const g = re[p];
      const b = im[p];
      // W = V_i · conj(Y_ik · V_k): dS_i/dVa_k = −jW and dS_i/dVm_k = W/|V_k| (plus diagonal terms).
      const yvRe = g * vrk - b * vik;
      const yvIm = g * vik + b * vrk;
      const vri = vRe[i];
      const vii = vIm[i];
      let wRe = vri * yvRe + vii * yvIm;
      let wIm = vii * yvRe - vri * yvIm;
      let d11 = wIm;
      let d21 = -wRe;
      if (i === k) {
        // + j·V_i·conj(I_i) = j·S_i for the angle, + S_i/|V_i| for the magnitude.
        d11 -= sIm[i];
        d21 += sRe[i];
        wRe += sRe[i];
        wIm += sIm[i];
      }
      let q = s11[p];
      if (q >= 0) val[q] = d11;
      q = s21[p];
      if (q >= 0) val[q] = d21;
      q = s12[p];
      if (q >= 0) val[q] = wRe * invVmk;
      q = s22[p];
      if (q >= 0) val[q] = wIm * invVmk;
    }
  }
}

/**
 * A fill-reducing order for the Jacobian from AMD on the (4× smaller) Ybus graph: each node's unknowns
 * (its angle, then its magnitude) stay together in the node's place. The Jacobian's pattern is that of
 * Ybus with every node split into its one or two unknowns, so the node order carries over, at a fraction of
 * the cost of ordering the Jacobian itself.
 */
export function jacobianOrdering(ybus: ComplexCsc, idx: UnknownIndex): Int32Array {
  const pattern: CscMatrix = {
    nRows: ybus.rows,
    nCols: ybus.cols,
    colPtr: ybus.colPtr,
    rowIdx: ybus.rowIdx,
    values: ybus.re,
  };
  const nodeOrder = amdOrder(pattern).perm;
  const perm = new Int32Array(idx.size);
  let c = 0;
  for (const j of nodeOrder) {
    if (idx.angleIdx[j] >= 0) perm[c++] = idx.angleIdx[j];
    if (idx.magIdx[j] >= 0) perm[c++] = idx.magIdx[j];
  }
  return perm;
}
