/**
 * Types and small shared pieces of the sparse LU (lu.ts, lu-factor.ts, lu-solve.ts): options, the
 * symbolic and numeric factorization records, row scaling.
 */
import { PlurigridError } from "../../core/errors.js";
import type { CscMatrix } from "./csc.js";

export interface LuOptions {
  /** Column (and initial row) order: "amd" (default), "rcm", "natural", or a permutation. */
  ordering?: "amd" | "rcm" | "natural" | Int32Array;
  /** Accept the diagonal when |diagonal| >= pivotTol * max |candidate| (KLU's tol). Default 0.001. */
  pivotTol?: number;
  /** "max": scale each row by a power of two so its largest |entry| lies in [0.5, 1) (default); "none". */
  scale?: "max" | "none";
  /**
   * Singular when every pivot candidate of a column is at most singularTol times the largest magnitude
   * met in computing that column (its scaled entries of A and the updates |U(j,k)| max|L(:,j)|): the
   * candidates are then rounding noise. Default 1e-13; 0 gives KLU's test (exact zero only).
   */
  singularTol?: number;
  /** refactor fails when |pivot| < refactorPivotTol * max |entry of its L column before division|. */
  refactorPivotTol?: number;
}

export interface ResolvedOptions {
  pivotTol: number;
  scale: "max" | "none";
  singularTol: number;
  refactorPivotTol: number;
}

export interface LuSymbolic {
  readonly n: number;
  readonly nnzA: number;
  /** Column order: colPerm[k] is the original column eliminated at step k. */
  readonly colPerm: Int32Array;
  /** Estimate of nnz of strict L, used to size storage (AMD's estimate, or nnz(A) otherwise). */
  readonly lnzEstimate: number;
  readonly ordering: "amd" | "rcm" | "natural" | "given";
  readonly options: Readonly<ResolvedOptions>;
}

export interface LuNumeric {
  readonly n: number;
  readonly symbolic: LuSymbolic;
  /** rowPerm[k]: original row of pivot k. */
  readonly rowPerm: Int32Array;
  /** rowPermInv[i]: step at which row i is pivotal. */
  readonly rowPermInv: Int32Array;
  readonly colPerm: Int32Array;
  /** Multiplier of each original row (a power of two near 1 / its largest |entry|), or all ones. */
  readonly rowScale: Float64Array;
  /** Strict L by columns, row indices in pivot order (unit diagonal not stored). */
  readonly lColPtr: Int32Array;
  readonly lRowIdx: Int32Array;
  readonly lValues: Float64Array;
  /** Strict U by columns, row indices in pivot order (topological order within a column). */
  readonly uColPtr: Int32Array;
  readonly uRowIdx: Int32Array;
  readonly uValues: Float64Array;
  readonly uDiag: Float64Array;
  /** Pivots taken off the preferred diagonal. */
  readonly offDiagonalPivots: number;
  /** For refactor: pivot-order row of each entry of A. */
  readonly aRowPivot: Int32Array;
  readonly aColPtr: Int32Array;
  readonly aRowIdx: Int32Array;
  /** Dense work vector of length n (solves and refactor reuse it; not re-entrant). */
  readonly work: Float64Array;
  /** False after a failed refactor: the numbers are unusable until the next factor/refactor succeeds. */
  valid: boolean;
}

export type RefactorResult =
  | { ok: true }
  | { ok: false; code: "LU_TINY_PIVOT"; column: number; step: number; pivot: number };

export function resolveOptions(options: LuOptions): ResolvedOptions {
  const o: ResolvedOptions = {
    pivotTol: options.pivotTol ?? 0.001,
    scale: options.scale ?? "max",
    singularTol: options.singularTol ?? 1e-13,
    refactorPivotTol: options.refactorPivotTol ?? 1e-10,
  };
  for (const key of ["pivotTol", "singularTol", "refactorPivotTol"] as const) {
    const v = o[key];
    if (!(v >= 0 && v <= 1)) {
      throw new PlurigridError("LU_OPTION", `${key} must lie in [0, 1], got ${v}`, { [key]: v });
    }
  }
  return o;
}

/**
 * Row multipliers: for "max", the power of two 2^-e with 2^(e-1) <= max_j |a_ij| < 2^e, so every scaled
 * row has its largest entry in [0.5, 1) (KLU's scale = 2, rounded to a power of two so that scaling is
 * exact in floating point and changes no digit of the factors). A zero or non-finite row keeps 1.
 */
export function computeRowScale(a: CscMatrix, scale: "max" | "none", out: Float64Array): void {
  const n = a.nRows;
  if (scale === "none") {
    out.fill(1);
    return;
  }
  const { rowIdx, values } = a;
  const total = a.colPtr[a.nCols];
  out.fill(0);
  for (let p = 0; p < total; p++) {
    const v = values[p];
    const av = v < 0 ? -v : v;
    const i = rowIdx[p];
    if (av > out[i]) out[i] = av;
  }
  for (let i = 0; i < n; i++) out[i] = inversePowerOfTwo(out[i]);
}

const bits = new DataView(new ArrayBuffer(8));

/** 2^-e with 2^(e-1) <= m < 2^e, read from the exponent bits (no log/pow); 1 when m is 0 or not finite. */
function inversePowerOfTwo(m: number): number {
  if (!(m > 0 && m < Number.POSITIVE_INFINITY)) return 1;
  bits.setFloat64(0, m);
  const biased = (bits.getUint32(0) >>> 20) & 0x7ff;
  // m = 1.f x 2^(biased - 1023), so e = biased - 1022 and 2^-e has biased exponent 2045 - biased.
  const target = 2045 - biased;
  if (biased === 0 || target <= 0 || target >= 0x7ff) return 1 / m;
  bits.setUint32(0, target << 20);
  bits.setUint32(4, 0);
  return bits.getFloat64(0);
}

export function checkSameShape(a: CscMatrix, symbolic: LuSymbolic): void {
  if (a.nRows !== symbolic.n || a.nCols !== symbolic.n || a.colPtr[a.nCols] !== symbolic.nnzA) {
    throw new PlurigridError(
      "LU_PATTERN_MISMATCH",
      "the matrix does not have the size and entry count analyzed; call analyze again",
      { n: symbolic.n, nnzA: symbolic.nnzA, nRows: a.nRows, nCols: a.nCols, nnz: a.colPtr[a.nCols] },
    );
  }
}
