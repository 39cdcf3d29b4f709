/**
 * Sparse LU in the manner of KLU (T. A. Davis, E. Palamadai Natarajan, "Algorithm 907: KLU, a direct
 * sparse solver for circuit simulation problems", ACM TOMS 37(3), 2010), without its block triangular
 * form (power-flow Jacobians are irreducible):
 *
 * - `analyze`: a fill-reducing column order Q (AMD on A + A^T by default), also used as the initial row
 *   order so the diagonal stays the preferred pivot.
 * - `factor`: left-looking Gilbert–Peierls (J. R. Gilbert, T. Peierls, "Sparse partial pivoting in time
 *   proportional to arithmetic operations", SIAM J. Sci. Stat. Comput. 9(5), 1988): for each column a
 *   depth-first search over the graph of L finds the nonzero pattern of the column in topological
 *   order, then a sparse triangular solve computes it. Partial pivoting with a threshold that prefers
 *   the diagonal (KLU's tol = 0.001), rows scaled by their largest entry first (KLU's scale = 2), and
 *   symmetric pruning of the DFS graph (Eisenstat & Liu 1993), as KLU does.
 * - `refactor`: same pivot order and the same patterns of L and U, numbers only (klu_refactor). It
 *   reports a pivot that became tiny so the caller can run `factor` again.
 *
 * Result: (R A)(P, Q) = L U with R the row scaling, L unit lower triangular and U upper triangular, both
 * stored by columns with row indices in pivot order. `solve` and `solveTranspose` live in lu-solve.ts.
 *
 * Singular matrices: `factor` throws PlurigridError "LU_SINGULAR" with details { column, step } (the
 * original column index, and the elimination step); `refactor` returns { ok: false, ... } instead, since a
 * failed refactor is an expected event in a Newton loop and the answer is to call `factor`.
 */
import { PlurigridError } from "../../core/errors.js";
import { assertCanonical, type CscMatrix } from "./csc.js";
import {
  checkSameShape,
  computeRowScale,
  type LuNumeric,
  type LuOptions,
  type LuSymbolic,
  type RefactorResult,
  resolveOptions,
} from "./lu-common.js";
import { amdOrder, isPermutation, naturalOrder, rcmOrder } from "./ordering.js";

export type { LuNumeric, LuOptions, LuSymbolic, RefactorResult } from "./lu-common.js";
export { factor } from "./lu-factor.js";

/** Check A and choose the column order. */
export function analyze(a: CscMatrix, options: LuOptions = {}): LuSymbolic {
  assertCanonical(a);
  if (a.nRows !== a.nCols) {
    throw new PlurigridError("SPARSE_NOT_SQUARE", `LU needs a square matrix, got ${a.nRows}x${a.nCols}`, {
      nRows: a.nRows,
      nCols: a.nCols,
    });
  }
  const resolved = resolveOptions(options);
  const n = a.nCols;
  const nnzA = a.colPtr[n];
  const ordering = options.ordering ?? "amd";
  if (ordering === "amd") {
    const amd = amdOrder(a);
    return { n, nnzA, colPerm: amd.perm, lnzEstimate: amd.lnzEstimate, ordering, options: resolved };
  }
  if (typeof ordering !== "string" && !isPermutation(ordering, n)) {
    throw new PlurigridError("LU_OPTION", "the given ordering is not a permutation of 0..n-1", { n });
  }
  const colPerm =
    ordering === "rcm" ? rcmOrder(a) : ordering === "natural" ? naturalOrder(n) : Int32Array.from(ordering);
  const name = typeof ordering === "string" ? ordering : "given";
  return { n, nnzA, colPerm, lnzEstimate: nnzA, ordering: name, options: resolved };
}

function samePattern(a: CscMatrix, numeric: LuNumeric): boolean {
  if (a.colPtr === numeric.aColPtr && a.rowIdx === numeric.aRowIdx) return true;
  const n = numeric.n;
  const p0 = numeric.aColPtr;
  const i0 = numeric.aRowIdx;
  for (let j = 0; j <= n; j++) if (a.colPtr[j] !== p0[j]) return false;
  const total = p0[n];
  for (let p = 0; p < total; p++) if (a.rowIdx[p] !== i0[p]) return false;
  return true;
}

/**
 * New numbers, same pattern as the matrix given to `factor`: recompute L and U in the pivot order found
 * then (KLU's klu_refactor), with the row scaling recomputed from the new values as KLU does. Returns
 * { ok: false } when a pivot is zero, not finite, or smaller than refactorPivotTol times the largest
 * entry of its L column; then call `factor` for a fresh pivot order.
 */
export function refactor(a: CscMatrix, numeric: LuNumeric): RefactorResult {
  checkSameShape(a, numeric.symbolic);
  if (!samePattern(a, numeric)) {
    throw new PlurigridError(
      "LU_PATTERN_MISMATCH",
      "refactor needs the same nonzero pattern as the factored matrix; call factor (or analyze) again",
      { n: numeric.n },
    );
  }
  const n = numeric.n;
  const tol = numeric.symbolic.options.refactorPivotTol;
  const Q = numeric.colPerm;
  computeRowScale(a, numeric.symbolic.options.scale, numeric.rowScale);
  numeric.work.fill(0);
  numeric.valid = false;
  for (let k = 0; k < n; k++) {
    if (!refactorColumn(numeric, a.colPtr, a.rowIdx, a.values, Q[k], k, tol)) {
      numeric.work.fill(0);
      return { ok: false, code: "LU_TINY_PIVOT", column: Q[k], step: k, pivot: numeric.uDiag[k] };
    }
  }
  numeric.valid = true;
  return { ok: true };
}

/** Column k of L and U by the left-looking update in the stored order; false if its pivot fails. */
function refactorColumn(
  numeric: LuNumeric,
  Ap: Int32Array,
  Ai: Int32Array,
  Ax: Float64Array,
  col: number,
  k: number,
  tol: number,
): boolean {
  const { aRowPivot, rowScale: rs, lColPtr: Lp, lRowIdx: Li, lValues: Lx, uColPtr: Up } = numeric;
  const { uRowIdx: Ui, uValues: Ux, work: X } = numeric;
  const pa1 = Ap[col + 1];
  for (let p = Ap[col]; p < pa1; p++) X[aRowPivot[p]] = Ax[p] * rs[Ai[p]];
  const pu1 = Up[k + 1];
  for (let pu = Up[k]; pu < pu1; pu++) {
    const j = Ui[pu];
    const ujk = X[j];
    X[j] = 0;
    Ux[pu] = ujk;
    if (ujk === 0) continue;
    const pl1 = Lp[j + 1];
    for (let pl = Lp[j]; pl < pl1; pl++) X[Li[pl]] -= Lx[pl] * ujk;
  }
  const pivot = X[k];
  X[k] = 0;
  numeric.uDiag[k] = pivot;
  let maxL = 0;
  const pl1 = Lp[k + 1];
  for (let pl = Lp[k]; pl < pl1; pl++) {
    const i = Li[pl];
    const x = X[i];
    X[i] = 0;
    const ax = x < 0 ? -x : x;
    if (ax > maxL) maxL = ax;
    Lx[pl] = x / pivot;
  }
  const absPivot = pivot < 0 ? -pivot : pivot;
  return absPivot > tol * maxL && absPivot > 0 && absPivot < Number.POSITIVE_INFINITY;
}

/**
 * min |U(k,k)| / max |U(k,k)| of the row-scaled factors: KLU's cheap reciprocal condition estimate
 * (klu_rcond). Near rounding level (say below 1e-12) the solution deserves no trust, even when no pivot
 * was small enough to be called singular (threshold pivoting lets entries grow by up to 1/pivotTol).
 */
export function pivotRcond(numeric: LuNumeric): number {
  const d = numeric.uDiag;
  if (d.length === 0) return 1;
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (let k = 0; k < d.length; k++) {
    const v = Math.abs(d[k]);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi > 0 && !Number.isNaN(lo) ? lo / hi : 0;
}

/** nnz of strict L, strict U, and of L + U with the diagonal (the usual "fill" figure). */
export function luNnz(numeric: LuNumeric): { nnzL: number; nnzU: number; nnzLU: number } {
  const nnzL = numeric.lColPtr[numeric.n];
  const nnzU = numeric.uColPtr[numeric.n];
  return { nnzL, nnzU, nnzLU: nnzL + nnzU + numeric.n };
}
