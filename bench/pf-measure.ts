/**
 * AC (Newton–Raphson) and DC power flow times against MATPOWER's (ref/timings.json), parse excluded.
 * Median of 5 runs after one warm-up run, as MATPOWER's figures were taken.
 *
 *   npx tsx bench/pf-measure.ts [case ...]      (default: the large cases)
 */
import { readFileSync } from "node:fs";
import { dataPath } from "../src/core/data.js";
import { readCase } from "../src/grid/matpower/index.js";
import { runPf } from "../src/grid/pf/index.js";
import type { PfProfile, PfResult } from "../src/grid/pf/types.js";

const RUNS = 5;
const DEFAULT_CASES = [
  "case2383wp",
  "case3120sp",
  "case6468rte",
  "case9241pegase",
  "case_ACTIVSg10k",
  "case13659pegase",
  "pglib_opf_case10000_goc",
];

interface Timing {
  acpfSeconds: number;
  dcpfSeconds: number;
  acpfIterations: number;
}
const timings = (
  JSON.parse(readFileSync(dataPath("grid", "ref", "timings.json"), "utf8")) as {
    cases: Record<string, Timing>;
  }
).cases;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const cases = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_CASES;
const phases: (keyof PfProfile)[] = [
  "setupMs",
  "ybusMs",
  "mismatchMs",
  "jacobianMs",
  "orderingMs",
  "factorMs",
  "refactorMs",
  "solveMs",
  "updateMs",
  "resultsMs",
  "refactorFallbacks",
];
console.log(
  [
    "case".padEnd(24),
    "buses",
    "it",
    "AC ms",
    "MATPOWER",
    "ratio",
    "DC ms",
    "MATPOWER",
    "ratio",
    `| AC phases (median ms): ${phases.map((p) => p.replace("Ms", "")).join(" ")}`,
  ].join("\t"),
);
for (const name of cases) {
  const net = readCase(dataPath("grid", `${name}.m`));
  const t = timings[name];
  const ac: PfResult[] = [];
  const dc: PfResult[] = [];
  runPf(net);
  runPf(net, { dc: true });
  for (let i = 0; i < RUNS; i++) ac.push(runPf(net));
  for (let i = 0; i < RUNS; i++) dc.push(runPf(net, { dc: true }));
  const acMs = median(ac.map((r) => r.timeMs));
  const dcMs = median(dc.map((r) => r.timeMs));
  const breakdown = phases.map((p) => median(ac.map((r) => r.profile[p])).toFixed(1));
  console.log(
    [
      name.padEnd(24),
      net.bus.count,
      ac[0].iterations,
      acMs.toFixed(1),
      t ? (t.acpfSeconds * 1000).toFixed(0) : "-",
      t ? (acMs / (t.acpfSeconds * 1000)).toFixed(3) : "-",
      dcMs.toFixed(1),
      t ? (t.dcpfSeconds * 1000).toFixed(0) : "-",
      t ? (dcMs / (t.dcpfSeconds * 1000)).toFixed(3) : "-",
      `| ${breakdown.join(" ")}`,
    ].join("\t"),
  );
}
