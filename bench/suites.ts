import { coreSuite } from "./core.bench.js";
import type { Suite } from "./harness.js";

/** Every benchmark suite, in the order they run. */
export const suites: Suite[] = [coreSuite];
