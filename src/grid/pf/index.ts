/** Power flow: Ybus, DC (makeBdc) and AC (Newton–Raphson, radial sweep) power flow, after MATPOWER. */
export { initialVoltage } from "./ac.js";
export { type ComplexCsc, complexEntry, complexMulVec } from "./complex-csc.js";
export { type Bdc, type DcSolution, makeBdc, solveDc } from "./dc.js";
export { fillJacobian, type Jacobian, jacobianPattern, type UnknownIndex, unknownIndex } from "./jacobian.js";
export { type LinearSolver, newLinearSolver } from "./linear-solver.js";
export { type NewtonOptions, type NewtonResult, newtonPf } from "./newton.js";
export {
  classifyNodes,
  identityNodeMap,
  type NodeMap,
  type NodeTypes,
  type PfNodes,
  pfNodes,
} from "./nodes.js";
export { type BranchFlows, branchFlows, generatorOutputs } from "./pfsoln.js";
export { type FeederTree, feederTree, radialPf } from "./radial.js";
export { runPf } from "./run.js";
export { type Injections, injectionsOf, makeSbus } from "./sbus.js";
export type { PfMethod, PfOptions, PfProfile, PfResult } from "./types.js";
export { type BranchAdmittances, branchAdmittances, makeYbus, type YbusResult } from "./ybus.js";
