/** DC sensitivities: PTDF and LODF, by row or column from one sparse factorization, dense for small cases. */
export { bridges } from "./bridges.js";
export {
  type DcSensitivity,
  type DcSensitivityOptions,
  dcSensitivity,
  type LodfColumn,
} from "./dc-sensitivity.js";
export {
  DENSE_ENTRIES_MAX,
  type DenseMatrix,
  type DenseOptions,
  lodfColumn,
  lodfMatrix,
  ptdfMatrix,
  ptdfRow,
} from "./dense.js";
