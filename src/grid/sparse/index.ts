/** Sparse linear algebra for the grid: CSC matrices, fill-reducing orderings, KLU-style sparse LU. */
export {
  assertCanonical,
  type CscMatrix,
  fromTriplets,
  multiply,
  multiplyTranspose,
  nnz,
  patternFromTriplets,
  refillFromTriplets,
  type TripletAssembly,
  transpose,
} from "./csc.js";
export {
  analyze,
  factor,
  type LuNumeric,
  type LuOptions,
  type LuSymbolic,
  luNnz,
  pivotRcond,
  type RefactorResult,
  refactor,
} from "./lu.js";
export { luSolve, solve, solveTranspose } from "./lu-solve.js";
export {
  type Adjacency,
  type AmdOrdering,
  amdOrder,
  choleskyNnz,
  invertPermutation,
  isPermutation,
  naturalOrder,
  rcmOrder,
  symmetricPattern,
} from "./ordering.js";
