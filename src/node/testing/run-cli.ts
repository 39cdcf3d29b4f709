/**
 * Runs the CLI from TypeScript source in a child process (`node --import tsx src/node/testing/run-cli.ts ...`):
 * what the node's process-level tests start, so they need no build of dist/.
 */
import { main } from "../../cli/main.js";

process.exitCode = await main(process.argv.slice(2));
