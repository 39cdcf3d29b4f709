/**
 * Grid physics for library users: the network model, MATPOWER cases, power flow, islands, sensitivities,
 * DC optimal power flow and the LP adapter. The sparse linear algebra is exported as a namespace.
 */
export * from "./lp/index.js";
export * from "./matpower/index.js";
export * from "./model.js";
export * from "./opf/index.js";
export * from "./pf/index.js";
export * from "./sensitivity/index.js";
export * as sparse from "./sparse/index.js";
export * from "./topology/index.js";
