/**
 * DC-OPF times against MATPOWER's rundcopf (ref/timings.json), parse excluded, split into building the
 * problem, handing it to the solver, solving, and reading the results back. Median of 5 runs after one
 * warm-up run, as MATPOWER's figures were taken. Variants, to justify the choices of opf/README.md:
 *
 *   default     the DC-OPF as shipped (quadratic costs: interior point; linear: HiGHS simplex)
 *   highs-qp    the same QP with HiGHS's active-set QP method
 *   pwl-<k>     each quadratic cost replaced by a k-segment piecewise-linear one: an LP for HiGHS
 *   lp-text     the pwl LP handed to HiGHS as CPLEX LP text instead of arrays
 *
 *   npx tsx bench/opf-measure.ts [--variants default,highs-qp,pwl-10,lp-text] [--runs 5] [case ...]
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { dataPath } from "../src/core/data.js";
import { highsSolver } from "../src/grid/lp/highs.js";
import { toLpText } from "../src/grid/lp/lp-format.js";
import type { LpSolver } from "../src/grid/lp/types.js";
import { readCase } from "../src/grid/matpower/index.js";
import type { Network } from "../src/grid/model.js";
import { type DcOpfOptions, type DcOpfResult, dcOpfWith } from "../src/grid/opf/dcopf.js";
import { buildDcOpf } from "../src/grid/opf/dcopf-model.js";

const DEFAULT_CASES = ["pglib_opf_case2000_goc", "pglib_opf_case10000_goc"];

const timings = (
  JSON.parse(readFileSync(dataPath("grid", "ref", "timings.json"), "utf8")) as {
    cases: Record<string, { dcopfSeconds: number; dcopfSolver: string }>;
  }
).cases;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The network with every quadratic cost replaced by its k-segment interpolation on [Pmin, Pmax]. */
function piecewise(net: Network, k: number): Network {
  const out = structuredClone(net);
  out.genCost = net.genCost.map((c, g) => {
    if (c.model !== 2 || c.coeffs.length < 3 || c.coeffs[c.coeffs.length - 3] === 0) return c;
    const lo = net.gen.pgMinMw[g];
    const hi = Math.max(net.gen.pgMaxMw[g], lo + 1e-6);
    const coeffs: number[] = [];
    for (let s = 0; s <= k; s++) {
      const p = lo + ((hi - lo) * s) / k;
      let f = 0;
      for (const a of c.coeffs) f = f * p + a;
      coeffs.push(p, f);
    }
    return { ...c, model: 1 as const, coeffs };
  });
  return out;
}

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const variants = flag("--variants", "default,highs-qp,pwl-10,lp-text").split(",");
const runs = Number(flag("--runs", "5"));
const cases = args.length > 0 ? args : DEFAULT_CASES;
const arrays = await highsSolver("arrays");
const text = await highsSolver("lp-text");

console.log(
  [
    "case / variant".padEnd(40),
    "total ms",
    "build",
    "load",
    "solve",
    "extract",
    "vs MATPOWER",
    "objective",
    "message",
  ].join("  "),
);
for (const name of cases) {
  const net = readCase(dataPath("grid", `${name}.m`));
  const mp = timings[name];
  let reference = Number.NaN;
  for (const variant of variants) {
    let subject = net;
    let options: DcOpfOptions = {};
    let solver: LpSolver = arrays;
    if (variant === "highs-qp") options = { method: "highs" };
    else if (variant.startsWith("pwl-")) subject = piecewise(net, Number(variant.slice(4)));
    else if (variant === "lp-text") {
      subject = piecewise(net, 10);
      solver = text;
      options = { solver: text };
      const problem = buildDcOpf(subject).problem;
      const writes: number[] = [];
      let size = 0;
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        size = toLpText(problem).text.length;
        writes.push(performance.now() - t);
      }
      console.log(
        `${`${name} / LP text written`.padEnd(40)}  ${median(writes).toFixed(1)} ms for ${(size / 1e6).toFixed(1)} MB, ${problem.numCols} columns, ${problem.numRows} rows`,
      );
    }
    dcOpfWith(solver, subject, options);
    const rs: DcOpfResult[] = [];
    for (let i = 0; i < runs; i++) rs.push(dcOpfWith(solver, subject, options));
    const last = rs[rs.length - 1];
    if (variant === "default") reference = last.objective;
    const pick = (f: (r: DcOpfResult) => number) => median(rs.map(f)).toFixed(0).padStart(6);
    const total = median(rs.map((r) => r.timeMs));
    const gap =
      variant === "default" ? "" : ` (${(((last.objective - reference) / reference) * 100).toFixed(4)} %)`;
    console.log(
      [
        `${name} / ${variant}`.padEnd(40),
        total.toFixed(0).padStart(8),
        pick((r) => r.timing.buildMs),
        pick((r) => r.timing.loadMs),
        pick((r) => r.timing.solveMs),
        pick((r) => r.timing.extractMs),
        mp
          ? `${(total / (mp.dcopfSeconds * 1000)).toFixed(2)}x of ${(mp.dcopfSeconds * 1000).toFixed(0)} ms`
          : "",
        `${last.status} ${last.objective.toFixed(2)}${gap}`,
        last.message.slice(0, 90),
      ].join("  "),
    );
  }
}
