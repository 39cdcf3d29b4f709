import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { dataPath } from "../src/core/data.js";
import { parseMatpower } from "../src/grid/matpower/index.js";
import { solveDcOpf } from "../src/grid/opf/dcopf.js";
import { runPf } from "../src/grid/pf/index.js";
import { median, type Suite } from "./harness.js";

/** MATPOWER 8.1 on Octave, measured on this kind of machine (../shared/data/grid/ref/timings.json). */
interface MatpowerTiming {
  acpfSeconds: number;
  dcpfSeconds: number;
  dcopfSeconds: number;
  acpfIterations: number;
}

const AC_CASES = ["case2383wp", "case9241pegase", "case13659pegase", "case_ACTIVSg10k"];
const OPF_CASES = ["pglib_opf_case2000_goc", "pglib_opf_case10000_goc"];

function ratio(oursMs: number, theirsS: number | undefined): string {
  return theirsS === undefined
    ? ""
    : `${(oursMs / (theirsS * 1000)).toFixed(2)}x MATPOWER (${(theirsS * 1000).toFixed(0)} ms)`;
}

/**
 * Grid physics against MATPOWER's own times: parse (reported apart), AC Newton-Raphson solve and DC-OPF.
 * Each figure is the median of 5 runs after a warm-up; the ratio is ours over MATPOWER's median.
 */
export const gridSuite: Suite = {
  name: "grid",
  async run(ctx) {
    const timings = (
      JSON.parse(readFileSync(dataPath("grid", "ref", "timings.json"), "utf8")) as {
        cases: Record<string, MatpowerTiming>;
      }
    ).cases;
    const runs = ctx.quick ? 1 : 5;
    for (const name of AC_CASES) {
      const text = readFileSync(dataPath("grid", `${name}.m`), "utf8");
      await ctx.measure(`parse ${name}`, () => parseMatpower(text, name));
      const net = parseMatpower(text, name);
      // Warm-up: the first solves in a process also pay V8's compilation of the solver (~100 ms once).
      for (let i = 0; i < 3; i++) runPf(net);
      const solves: number[] = [];
      const lu: number[] = [];
      let iterations = 0;
      for (let i = 0; i < runs; i++) {
        const r = runPf(net);
        if (!r.converged) throw new Error(`${name} did not converge in the benchmark`);
        iterations = r.iterations;
        solves.push(r.timeMs);
        lu.push(r.profile.factorMs + r.profile.refactorMs + r.profile.solveMs);
      }
      const acMs = median(solves);
      ctx.record(
        `AC NR solve ${name} (${net.bus.count} buses, ${iterations} it)`,
        solves,
        (ms) =>
          `${ratio(ms, timings[name]?.acpfSeconds)}; LU ${((100 * median(lu)) / acMs).toFixed(0)}% of it`,
      );
    }
    for (const name of OPF_CASES) {
      const text = readFileSync(dataPath("grid", `${name}.m`), "utf8");
      await ctx.measure(`parse ${name}`, () => parseMatpower(text, name));
      const net = parseMatpower(text, name);
      await solveDcOpf(net);
      const totals: number[] = [];
      const solver: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const r = await solveDcOpf(net);
        totals.push(performance.now() - t0);
        if (r.status !== "optimal") throw new Error(`${name}: DC-OPF ${r.status}`);
        solver.push(r.timing.solveMs);
      }
      ctx.record(
        `DC-OPF ${name} (${net.bus.count} buses)`,
        totals,
        (ms) =>
          `${ratio(ms, timings[name]?.dcopfSeconds)}; solver ${((100 * median(solver)) / ms).toFixed(0)}% of it`,
      );
    }
  },
};
