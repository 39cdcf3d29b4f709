/**
 * Triangular solves with the factors of lu.ts, where (R A)(P, Q) = L U:
 *   A x = b    <=>  L U w = (R b)(P),           x(Q) = w
 *   A^T x = b  <=>  U^T L^T v = b(Q),           x(P) = R v   (rows of A^T, e.g. PTDF rows)
 * Both overwrite b with x and use the factorization's work vector (one solve at a time per factor).
 */
import { PlurigridError } from "../../core/errors.js";
import type { CscMatrix } from "./csc.js";
import { analyze, factor, type LuNumeric, type LuOptions } from "./lu.js";

function checkUsable(numeric: LuNumeric, b: Float64Array): void {
  if (!numeric.valid) {
    throw new PlurigridError(
      "LU_INVALID",
      "the factorization failed to refactor; call factor before solving",
      {
        n: numeric.n,
      },
    );
  }
  if (b.length !== numeric.n) {
    throw new PlurigridError(
      "SPARSE_INVALID",
      `right-hand side has length ${b.length}, expected ${numeric.n}`,
      {
        n: numeric.n,
        length: b.length,
      },
    );
  }
}

/** Solve A x = b in place (b becomes x). Returns b. */
export function solve(numeric: LuNumeric, b: Float64Array): Float64Array {
  checkUsable(numeric, b);
  const n = numeric.n;
  const P = numeric.rowPerm;
  const Q = numeric.colPerm;
  const rs = numeric.rowScale;
  const Lp = numeric.lColPtr;
  const Li = numeric.lRowIdx;
  const Lx = numeric.lValues;
  const Up = numeric.uColPtr;
  const Ui = numeric.uRowIdx;
  const Ux = numeric.uValues;
  const Udiag = numeric.uDiag;
  const w = numeric.work;
  for (let k = 0; k < n; k++) {
    const i = P[k];
    w[k] = b[i] * rs[i];
  }
  for (let k = 0; k < n; k++) {
    const xk = w[k];
    if (xk === 0) continue;
    const p1 = Lp[k + 1];
    for (let p = Lp[k]; p < p1; p++) w[Li[p]] -= Lx[p] * xk;
  }
  for (let k = n - 1; k >= 0; k--) {
    const xk = w[k] / Udiag[k];
    w[k] = xk;
    if (xk === 0) continue;
    const p1 = Up[k + 1];
    for (let p = Up[k]; p < p1; p++) w[Ui[p]] -= Ux[p] * xk;
  }
  for (let k = 0; k < n; k++) b[Q[k]] = w[k];
  return b;
}

/** Solve A^T x = b in place (b becomes x). Returns b. */
export function solveTranspose(numeric: LuNumeric, b: Float64Array): Float64Array {
  checkUsable(numeric, b);
  const n = numeric.n;
  const P = numeric.rowPerm;
  const Q = numeric.colPerm;
  const rs = numeric.rowScale;
  const Lp = numeric.lColPtr;
  const Li = numeric.lRowIdx;
  const Lx = numeric.lValues;
  const Up = numeric.uColPtr;
  const Ui = numeric.uRowIdx;
  const Ux = numeric.uValues;
  const Udiag = numeric.uDiag;
  const w = numeric.work;
  for (let k = 0; k < n; k++) w[k] = b[Q[k]];
  // U^T is lower triangular: row k of U^T is column k of U.
  for (let k = 0; k < n; k++) {
    let s = w[k];
    const p1 = Up[k + 1];
    for (let p = Up[k]; p < p1; p++) s -= Ux[p] * w[Ui[p]];
    w[k] = s / Udiag[k];
  }
  // L^T is unit upper triangular: row k of L^T is column k of L.
  for (let k = n - 1; k >= 0; k--) {
    let s = w[k];
    const p1 = Lp[k + 1];
    for (let p = Lp[k]; p < p1; p++) s -= Lx[p] * w[Li[p]];
    w[k] = s;
  }
  for (let k = 0; k < n; k++) {
    const i = P[k];
    b[i] = w[k] * rs[i];
  }
  return b;
}

/** One-shot x = A \ b (analyze, factor, solve); b is left unchanged. */
export function luSolve(a: CscMatrix, b: ArrayLike<number>, options: LuOptions = {}): Float64Array {
  const numeric = factor(a, analyze(a, options));
  return solve(numeric, Float64Array.from(b));
}
