/**
 * The simulator's entry points: run a scenario into an output folder (`simulateFile`), and re-run a folder
 * to check its manifest (`verifyRunDir`). Reading the scenario and writing the outputs are the only I/O; the
 * loop itself (run.ts) depends on nothing but the world, the seed and the code.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PlurigridError } from "../core/errors.js";
import { highsSolver } from "../grid/lp/highs.js";
import type { LpSolver } from "../grid/lp/types.js";
import { codeVersion, FILES, type Manifest, outputsOf, writeOutputs } from "./output.js";
import { progressBar } from "./progress.js";
import { renderReport } from "./report.js";
import { runWorld, type StepTiming } from "./run.js";
import { parseScenario, readScenarioFile, type Scenario } from "./scenario.js";
import { buildSummary, capitalEfficiency } from "./summary.js";
import { buildWorld } from "./world.js";

let solverPromise: Promise<LpSolver> | undefined;
export function simSolver(): Promise<LpSolver> {
  solverPromise ??= highsSolver();
  return solverPromise;
}

export interface SimulateOptions {
  outDir: string;
  /** Progress bar on stderr (default: on). */
  progress?: boolean;
  /** Write report.html (default: on). */
  report?: boolean;
  /** Write the ledger as a node data folder (default: the scenario's `ledger`). */
  ledger?: boolean;
  progressStream?: { write(s: string): unknown; isTTY?: boolean };
  /** Called after each interval with the intervals done and the total (besides the progress bar). */
  onStep?: (done: number, total: number, timing: StepTiming) => void;
}

export interface SimulateResult {
  manifest: Manifest;
  summary: Record<string, unknown>;
  timing: Record<string, number>;
}

export async function simulateScenario(
  scenario: Scenario,
  scenarioText: string,
  options: SimulateOptions,
): Promise<SimulateResult> {
  const t0 = performance.now();
  const world = buildWorld(scenario);
  const solver = await simSolver();
  const tWorld = performance.now();
  mkdirSync(options.outDir, { recursive: true });
  const withLedger = options.ledger ?? scenario.ledger;
  const bar = progressBar(`sim ${scenario.name}`, options.progressStream, options.progress ?? true);
  const result = await runWorld(world, {
    ledgerDir: withLedger ? join(options.outDir, FILES.ledger) : undefined,
    solver,
    onStep: (k, n, timing) => {
      bar.update(k, n);
      options.onStep?.(k, n, timing);
    },
  });
  const tRun = performance.now();
  const efficiency = capitalEfficiency(result);
  const summary = buildSummary(result, efficiency);
  const out = outputsOf(result, summary);
  const tSummary = performance.now();
  let reportMs = 0;
  if (options.report ?? true) {
    const r0 = performance.now();
    writeFileSync(join(options.outDir, FILES.report), renderReport(result, summary, out.resultHash));
    reportMs = performance.now() - r0;
  }
  const timing = {
    totalMs: 0,
    worldMs: tWorld - t0,
    runMs: tRun - tWorld,
    planMs: result.timing.planMs,
    clearingMs: result.timing.clearingMs,
    powerFlowMs: result.timing.powerFlowMs,
    protocolMs: result.timing.protocolMs,
    signMs: result.timing.signMs,
    storeMs: result.timing.storeMs,
    writerMs: result.timing.writerMs,
    clearingThreadMs: result.timing.clearingThreadMs,
    summaryMs: tSummary - tRun,
    reportMs,
  };
  const manifest = writeOutputs(options.outDir, result, out, scenarioText, timing);
  timing.totalMs = performance.now() - t0;
  manifest.timing.totalMs = Math.round(timing.totalMs);
  writeFileSync(join(options.outDir, FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  bar.finish(
    `sim ${scenario.name}: ${world.steps} intervals, ${result.ledger.txCount} transactions, result ${out.resultHash.slice(0, 16)}`,
  );
  return { manifest, summary, timing };
}

export async function simulateFile(path: string, options: SimulateOptions): Promise<SimulateResult> {
  const { scenario, text } = readScenarioFile(path);
  return simulateScenario(scenario, text, options);
}

export interface VerifyRunOutcome {
  ok: boolean;
  expected: string;
  actual: string;
  codeVersionMatches: boolean;
  recorded: Manifest["codeVersion"];
  current: Manifest["codeVersion"];
}

/** Re-runs the scenario saved in `dir` (in memory, no files written) and compares the result hash. */
export async function verifyRunDir(
  dir: string,
  options: { progress?: boolean } = {},
): Promise<VerifyRunOutcome> {
  const manifestPath = join(dir, FILES.manifest);
  if (!existsSync(manifestPath)) {
    throw new PlurigridError(
      "SIM_NOT_A_RUN",
      `${dir} has no ${FILES.manifest}: not the output folder of a run`,
      {
        dir,
      },
    );
  }
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  const text = readFileSync(join(dir, FILES.scenario), "utf8");
  const { scenario } = readScenarioFile(join(dir, FILES.scenario));
  void parseScenario;
  const world = buildWorld(scenario);
  const solver = await simSolver();
  const bar = progressBar(`verify ${scenario.name}`, process.stderr, options.progress ?? true);
  const result = await runWorld(world, { solver, onStep: (k, n) => bar.update(k, n) });
  bar.finish();
  const summary = buildSummary(result, capitalEfficiency(result));
  const out = outputsOf(result, summary);
  void text;
  const current = codeVersion();
  return {
    ok: out.resultHash === manifest.resultHash,
    expected: manifest.resultHash,
    actual: out.resultHash,
    codeVersionMatches:
      current.package === manifest.codeVersion.package && current.git === manifest.codeVersion.git,
    recorded: manifest.codeVersion,
    current,
  };
}
