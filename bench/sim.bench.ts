import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { projectRoot } from "../src/core/data.js";
import { dbPathOf } from "../src/node/init.js";
import { verifyChain } from "../src/node/verify.js";
import { simulateFile } from "../src/sim/simulate.js";
import { median, type Suite } from "./harness.js";

/**
 * The main job: the solar-field week (examples/solar-field.yaml: case33bw, 36 participants, 672 intervals of
 * 15 minutes, ledger and report written), end to end, with where the time goes. Each part is the median over
 * the runs of the time the simulator measured for it; CPU time is given beside wall time because the machine
 * is shared. `plurigrid verify` of the run's ledger (every signature re-checked) is measured apart.
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
      planMs: "part: agents (forecasts, LP schedules, signing intents)",
      clearingMs: "part: clearing per island",
      powerFlowMs: "part: AC power flow",
      protocolMs: "part: protocol applyBlock",
      signMs: "part: Ed25519 signing (all transactions)",
      storeMs: "part: ledger I/O (SQLite)",
      summaryMs: "part: summary and capital efficiency",
      reportMs: "part: report.html",
    };
    for (const [k, label] of Object.entries(labels)) {
      if (parts[k]) ctx.record(label, parts[k], (ms) => `${((100 * ms) / total).toFixed(0)} % of the run`);
    }
    ctx.record("plurigrid verify of the week's ledger", [verifyMs], () => `${txs} signatures re-verified`);
  },
};
