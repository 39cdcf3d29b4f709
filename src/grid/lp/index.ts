/** The LP/QP/MIP seam: a solver-independent problem and result, HiGHS behind it, and an interior-point QP solver. */
export { type BuilderCapacity, LpBuilder } from "./builder.js";
export { type HighsTransport, highsSolver } from "./highs.js";
export { type IpmOptions, interiorPointSolver } from "./ipm.js";
export { type LpText, toLpText } from "./lp-format.js";
export type {
  LpProblem,
  LpResult,
  LpSolver,
  LpStatus,
  ObjectiveSense,
  QuadraticTerms,
  SolveOptions,
} from "./types.js";
