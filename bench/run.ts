/**
 * `npm run bench`: runs every suite and prints a table of medians; writes out/bench/results.json.
 * `npm run bench -- grid` runs the suites whose name contains "grid"; `--quick` does one run each
 * (a smoke check that the benchmarks still work, not a measurement).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { BenchContext, type Row, type Suite } from "./harness.js";
import { suites } from "./suites.js";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const filters = args.filter((a) => !a.startsWith("--"));
  const chosen: Suite[] = suites.filter(
    (s) => filters.length === 0 || filters.some((f) => s.name.includes(f)),
  );
  process.stdout.write(
    `plurigrid bench: node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"})${quick ? ", quick" : ""}\n`,
  );
  process.stdout.write(`${"suite".padEnd(10)} ${"measurement".padEnd(52)} ${"median".padStart(10)}\n`);
  const rows: Row[] = [];
  for (const suite of chosen) {
    const ctx = new BenchContext(suite.name, quick);
    await suite.run(ctx);
    rows.push(...ctx.rows);
  }
  mkdirSync("out/bench", { recursive: true });
  writeFileSync(
    "out/bench/results.json",
    `${JSON.stringify({ node: process.version, quick, rows }, null, 2)}\n`,
  );
  process.stdout.write("wrote out/bench/results.json\n");
}

await main();
