#!/usr/bin/env node
// The installed command runs the compiled CLI in dist/ (built by `npm run build`, and by `npm ci` through `prepare`).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    "plurigrid: the compiled CLI is missing (dist/). Run `npm run build` in the project first.\n",
  );
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
