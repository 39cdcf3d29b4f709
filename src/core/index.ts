// The public API of core: the primitives every other part of Plurigrid stands on.
export * from "./canonical.js";
export * from "./data.js";
export * from "./errors.js";
export * from "./hash.js";
export * from "./keys.js";
export * from "./merkle.js";
export * from "./prng.js";
export * from "./time.js";
export * from "./units.js";
