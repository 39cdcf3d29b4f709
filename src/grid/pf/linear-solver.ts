/**
 * The one place the power flow meets the sparse LU of `grid/sparse`: order and factor a matrix, refactor
 * a matrix of the same pattern with the same pivot sequence (falling back to a fresh factorization when a
 * pivot has become too small, as KLU's users do), solve.
 */
import type { CscMatrix } from "../sparse/csc.js";
import { analyze, factor, type LuNumeric, type LuOptions, type LuSymbolic, refactor } from "../sparse/lu.js";
import { solve } from "../sparse/lu-solve.js";

export interface LinearSolver {
  /** Numeric factorization of a matrix with the pattern of the first one, reusing its ordering. */
  refactor(a: CscMatrix): void;
  /** Overwrite b with the solution x of A·x = b. */
  solveInPlace(b: Float64Array): void;
  /** Refactorizations that had to fall back to a full factorization. */
  readonly fallbacks: number;
}

/**
 * Analyze and factor `a` (`ordering`: a column permutation, or the LU's own AMD on A + Aᵀ by default).
 * Throws PlurigridError LU_SINGULAR when it is singular.
 */
export function newLinearSolver(a: CscMatrix, ordering?: Int32Array): LinearSolver {
  const options: LuOptions = ordering === undefined ? {} : { ordering };
  const symbolic: LuSymbolic = analyze(a, options);
  let numeric: LuNumeric = factor(a, symbolic);
  let fallbacks = 0;
  return {
    refactor(m: CscMatrix): void {
      if (!refactor(m, numeric).ok) {
        fallbacks++;
        numeric = factor(m, symbolic);
      }
    },
    solveInPlace(b: Float64Array): void {
      solve(numeric, b);
    },
    get fallbacks() {
      return fallbacks;
    },
  };
}
