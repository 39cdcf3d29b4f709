/**
 * A solver-independent description of a linear, convex quadratic or mixed-integer program, and of its
 * result. Everything in `grid/` that optimises builds an `LpProblem` and hands it to an `LpSolver`; only
 * `highs.ts` knows which solver is behind it.
 *
 *   minimise (or maximise)   offset + colCost·x + Σ quadratic terms
 *   subject to               rowLower ≤ A x ≤ rowUpper
 *                            colLower ≤   x ≤ colUpper,   x[j] integer where integer[j] = 1
 *
 * Infinite bounds are written as ±Infinity. A is stored by rows (CSR): row i holds the entries
 * rowStart[i] .. rowStart[i+1]-1 of rowIndex (column numbers) and rowValue.
 */

export type ObjectiveSense = "min" | "max";

/** Quadratic objective terms: the objective gains value[k] · x[i[k]] · x[j[k]] for every k. */
export interface QuadraticTerms {
  i: Int32Array;
  j: Int32Array;
  value: Float64Array;
}

export interface LpProblem {
  sense: ObjectiveSense;
  numCols: number;
  numRows: number;
  /** Constant added to the objective. */
  offset: number;
  colCost: Float64Array;
  colLower: Float64Array;
  colUpper: Float64Array;
  rowLower: Float64Array;
  rowUpper: Float64Array;
  /** CSR matrix, rowStart.length = numRows + 1; a column appears at most once per row. */
  rowStart: Int32Array;
  rowIndex: Int32Array;
  rowValue: Float64Array;
  /**
   * Quadratic objective terms (convex for "min", concave for "max"). A problem with quadratic terms and
   * integer columns (MIQP) is not supported.
   */
  quadratic?: QuadraticTerms;
  /** 1 where the column must take an integer value. */
  integer?: Uint8Array;
  /** Optional names (for LP-format export and messages); indices are the identity otherwise. */
  colNames?: string[];
  rowNames?: string[];
}

export type LpStatus = "optimal" | "infeasible" | "unbounded" | "error";

/**
 * Result of one solve.
 *
 * Sign convention of the duals (the same for "min" and "max"): each dual is the derivative of the optimal
 * objective with respect to the bound that is active, i.e. rowDual[i] = ∂z/∂(active bound of row i)
 * and colDual[j] = ∂z/∂(active bound of column j) (the reduced cost). So, when minimising, a row
 * held at its lower bound has rowDual ≥ 0, a row held at its upper bound has rowDual ≤ 0, an inactive row has
 * rowDual = 0, and an equality row may have either sign. When maximising the signs are reversed. For linear
 * problems colDual = colCost − Aᵀ rowDual; for quadratic ones colDual = colCost + Q x − Aᵀ rowDual, where Q
 * is the Hessian of the quadratic terms.
 *
 * Duals of a mixed-integer problem are not defined: rowDual and colDual are then filled with NaN.
 * When status is not "optimal", objective is NaN and the arrays hold whatever the solver left (often zeros).
 */
export interface LpResult {
  status: LpStatus;
  objective: number;
  x: Float64Array;
  /** Row activities A x. */
  rowActivity: Float64Array;
  rowDual: Float64Array;
  colDual: Float64Array;
  /** The solver's own words for how it ended (status text, warnings). */
  message: string;
  /** Time spent handing the problem to the solver, solving, and reading the solution back. */
  timing: { loadMs: number; solveMs: number; extractMs: number };
}

export interface SolveOptions {
  /** Wall-clock limit; reaching it gives status "error" with the solver's message. */
  timeLimitS?: number;
  /** Relative MIP gap at which a mixed-integer solve may stop (solver default otherwise). */
  mipRelGap?: number;
  /**
   * Algorithm for continuous problems: "auto" lets the solver choose; "simplex" or "ipm" (interior point
   * with crossover) force one. Quadratic problems use the solver's QP method whatever is asked.
   */
  algorithm?: "auto" | "simplex" | "ipm";
}

/** The one seam between the project and an LP/QP/MIP solver. Solving is synchronous once loaded. */
export interface LpSolver {
  readonly name: string;
  solve(problem: LpProblem, options?: SolveOptions): LpResult;
}
