import { suite as clusterSuite } from "./cluster.bench.js";
import { coreSuite } from "./core.bench.js";
import { derSuite } from "./der.bench.js";
import { gridSuite } from "./grid.bench.js";
import type { Suite } from "./harness.js";
import { suite as ieee1547Suite } from "./ieee1547.bench.js";
import { marketSuite } from "./market.bench.js";
import { suite as marketProtocolSuite } from "./market-protocol.bench.js";
import { suite as nodeSuite } from "./node.bench.js";
import { suite as oracleSuite } from "./oracle.bench.js";
import { suite as protocolSuite } from "./protocol.bench.js";
import { suite as simSuite, yearSuite as simYearSuite } from "./sim.bench.js";

/** Every benchmark suite, in the order they run. */
export const suites: Suite[] = [
  coreSuite,
  gridSuite,
  protocolSuite,
  nodeSuite,
  marketSuite,
  marketProtocolSuite,
  oracleSuite,
  derSuite,
  ieee1547Suite,
  clusterSuite,
  simSuite,
  simYearSuite,
];
