import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { projectRoot } from "../src/core/data.js";
import { dbPathOf } from "../src/node/init.js";
import { verifyChain } from "../src/node/verify.js";
import { parseScenario } from "../src/sim/scenario.js";
import { simulateFile, simulateScenario } from "../src/sim/simulate.js";
import { median, type Suite } from "./harness.js";

/**
 * The main job: the solar-field week (examples/solar-field.yaml: case33bw, 36 participants, 672 intervals of
 * 15 minutes, ledger and report written), end to end, with where the time goes. Each part is the median over
 * the runs of the time the simulator measured for it; CPU time is given beside wall time because the machine
 * is shared. `plurigrid verify` of the run's ledger (every signature re-checked) is measured apart, and (not
 * with --quick) the same week signed with Ed25519 once, as the baseline of the sim-digest scheme.
 */
export const suite: Suite = {
  name: "sim",
  async run(ctx) {
    const runs = ctx.quick ? 1 : 3;
    const scenario = resolve(projectRoot(), "examples", "solar-field.yaml");
    const parts: Record<string, number[]> = {};
    const wall: number[] = [];
    const cpu: number[] = [];
    let txs = 0;
    let verifyMs = 0;
    for (let i = 0; i < runs; i++) {
      const dir = mkdtempSync(join(tmpdir(), "plurigrid-bench-sim-"));
      try {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const r = await simulateFile(scenario, { outDir: dir, progress: false });
        wall.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
        txs = r.manifest.ledger.txCount;
        for (const [k, v] of Object.entries(r.timing)) {
          parts[k] = [...(parts[k] ?? []), v];
        }
        if (i === 0) {
          const v0 = performance.now();
          const v = await verifyChain(dbPathOf(join(dir, "ledger")));
          verifyMs = performance.now() - v0;
          if (!v.ok) throw new Error(`the benchmark's ledger does not verify: ${v.what}`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const total = median(wall);
    ctx.record(
      "solar-field week, end to end (wall)",
      wall,
      (ms) => `goal < 30 s; ${txs} signed txs, ${(txs / (ms / 1000)).toFixed(0)} tx/s`,
    );
    ctx.record("solar-field week, CPU time (user + system)", cpu);
    const labels: Record<string, string> = {
      worldMs: "part: world (scenario, weather, profiles, keys)",
      planMs: "part: agents (forecasts, battery schedules, building and signing intents)",
      clearingMs: "part: clearing per island",
      powerFlowMs: "part: AC power flow",
      protocolMs: "part: protocol executeBlock",
      signMs: "part: signing (all transactions, the scenario's scheme)",
      storeMs: "part: waiting for the ledger writer thread",
      writerMs: "alongside: the ledger writer thread sealing and writing",
      summaryMs: "part: summary and capital efficiency",
      reportMs: "part: report.html",
    };
    for (const [k, label] of Object.entries(labels)) {
      if (parts[k]) ctx.record(label, parts[k], (ms) => `${((100 * ms) / total).toFixed(0)} % of the run`);
    }
    ctx.record("plurigrid verify of the week's ledger", [verifyMs], () => `${txs} signatures re-verified`);
    if (ctx.quick) return;
    // The same week signed with Ed25519, as a live chain signs (the examples use sim-digest): once, as the
    // baseline of the scheme's saving in this run.
    const raw = parse(readFileSync(scenario, "utf8")) as Record<string, unknown>;
    const edRaw = { ...raw, signatureScheme: "ed25519" };
    const dir = mkdtempSync(join(tmpdir(), "plurigrid-bench-sim-ed-"));
    try {
      const t0 = performance.now();
      await simulateScenario(parseScenario(edRaw), stringify(edRaw), { outDir: dir, progress: false });
      const edMs = performance.now() - t0;
      ctx.record(
        "solar-field week signed with ed25519 instead (wall, one run)",
        [edMs],
        (ms) => `${(ms / total).toFixed(2)}x the sim-digest run's median`,
      );
      const v0 = performance.now();
      const v = await verifyChain(dbPathOf(join(dir, "ledger")));
      if (!v.ok) throw new Error(`the ed25519 ledger does not verify: ${v.what}`);
      ctx.record("plurigrid verify of the ed25519 week's ledger", [performance.now() - v0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/**
 * The year benchmark, measured on a slice: examples/community-year.yaml (case141, 1,000 prosumer households
 * and the feeder's loads, 15-minute intervals) for its first two days (`--quick`: its first six hours),
 * ledger written, no report. A whole year (35,040 intervals) takes many hours and more memory than the
 * machine has (the state keeps every interval), so the year figure is an extrapolation at the second day's
 * cost per interval: a lower bound, since that cost still grows with the state. Days are timed apart (the
 * run's per-interval callback) to show the growth. It leaves out the summary's capital efficiency over a year.
 */
export const yearSuite: Suite = {
  name: "sim-year",
  async run(ctx) {
    const path = resolve(projectRoot(), "examples", "community-year.yaml");
    const raw = parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    const yearHours = Number(raw.durationHours);
    const yearIntervals = (yearHours * 60) / Number(raw.intervalMinutes);
    const sliceHours = ctx.quick ? 6 : 48;
    const sliceRaw = { ...raw, durationHours: sliceHours };
    const scenario = parseScenario(sliceRaw);
    const intervals = (sliceHours * 60) / scenario.intervalMinutes;
    const perDay = (24 * 60) / scenario.intervalMinutes;
    const dir = mkdtempSync(join(tmpdir(), "plurigrid-bench-year-"));
    // Wall time at the end of each simulated day (or of the slice).
    const marks: number[] = [];
    try {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await simulateScenario(scenario, stringify(sliceRaw), {
        outDir: dir,
        progress: false,
        report: false,
        onStep: (k, n) => {
          if (k % perDay === 0 || k === n) marks.push(performance.now());
        },
      });
      const wall = performance.now() - t0;
      const c = process.cpuUsage(c0);
      const cpu = (c.user + c.system) / 1000;
      const txs = r.manifest.ledger.txCount;
      const loopMs = r.timing.runMs;
      ctx.record(
        `community-year slice: ${sliceHours} h, ${intervals} intervals, 1,001 participants (wall)`,
        [wall],
        () => `${txs} signed txs, ${(txs / (wall / 1000)).toFixed(0)} tx/s`,
      );
      ctx.record(
        "community-year slice, CPU time (user + system)",
        [cpu],
        (ms) => `${(ms / intervals).toFixed(0)} ms CPU per interval (world and summary included)`,
      );
      ctx.record(
        "community-year slice, loop per interval (wall)",
        [loopMs / intervals],
        (ms) => `${(1000 / ms).toFixed(2)} intervals/s; ${(txs / intervals).toFixed(0)} txs per interval`,
      );
      const loopStart = t0 + r.timing.worldMs;
      const days = marks.map(
        (m, d) => (m - (d === 0 ? loopStart : marks[d - 1])) / Math.min(perDay, intervals),
      );
      days.forEach((ms, d) => {
        ctx.record(`community-year day ${d + 1}: loop per interval (wall)`, [ms], (x) =>
          d === 0 ? "" : `${(x / days[0]).toFixed(2)}x day 1`,
        );
      });
      const labels: Record<string, string> = {
        worldMs: "year slice part: world (scenario, weather, profiles, keys)",
        planMs: "year slice part: agents (forecasts, battery schedules, building and signing intent series)",
        clearingMs: "year slice part: clearing (book, hand-over, waiting for the clearing thread, tally)",
        powerFlowMs: "year slice part: AC power flow",
        protocolMs: "year slice part: protocol executeBlock",
        signMs: "year slice part: signing (all transactions, the scenario's scheme)",
        storeMs: "year slice part: waiting for the ledger writer thread",
        writerMs: "year slice alongside: the ledger writer thread sealing and writing",
        clearingThreadMs: "year slice alongside: the clearing thread (reference solver)",
        summaryMs: "year slice part: summary and capital efficiency",
      };
      for (const [k, label] of Object.entries(labels)) {
        const v = r.timing[k];
        if (v !== undefined)
          ctx.record(label, [v], (ms) => `${((100 * ms) / wall).toFixed(0)} % of the slice`);
      }
      const rate = days[days.length - 1];
      const yearMs = r.timing.worldMs + rate * yearIntervals;
      ctx.record(
        `EXTRAPOLATED year (${yearIntervals} intervals) at the last day's cost per interval (wall)`,
        [yearMs],
        (ms) =>
          `goal < 10 min; ${(ms / 60_000).toFixed(0)} min (the cost per interval drifts up slowly with the state: a whole year is measured with \`plurigrid sim run examples/community-year.yaml\`, docs/sim.md)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
