/**
 * Plurigrid for library users. Each part is also importable on its own: `plurigrid/core`, `plurigrid/grid`.
 */
export * as core from "./core/index.js";
export * as grid from "./grid/index.js";
