/** Network topology: islands (connected components) with their reference buses, switch groups. */
export { branchesInService, gensInService, type Islands, islands, type RefRule } from "./islands.js";
export { type SwitchGroups, switchGroups } from "./switch-groups.js";
export { UnionFind } from "./union-find.js";
