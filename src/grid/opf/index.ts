/** DC optimal power flow (MATPOWER's rundcopf) with LMPs, and its optimality certificate. */
export { withImpliedAngleBounds } from "./angle-bounds.js";
export { type DcOpfResiduals, dcOpfResiduals } from "./certificate.js";
export { costAt, type DcCost, dcCost } from "./costs.js";
export { type DcOpfOptions, type DcOpfResult, dcOpfWith, solveDcOpf } from "./dcopf.js";
export { buildDcOpf, type DcOpfModel, type DcOpfModelOptions } from "./dcopf-model.js";
