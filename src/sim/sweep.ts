/**
 * Sweeps: the grid of variants of one scenario over `--param KEY=V1,V2,…` (every combination), run in
 * parallel worker processes (sweep-worker.ts; `workers: 0` runs them in this process), each into its own
 * folder, and one comparison table (comparison.csv, comparison.json) and report (comparison.html).
 * KEY is a dotted path into the scenario file (`market.kPpm`, `seed`, `participants.0.pv.ratingW`); values are
 * read as YAML scalars (numbers, booleans, strings).
 */
import { fork } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml, stringify } from "yaml";
import { PlurigridError } from "../core/errors.js";
import type { Progress } from "./progress.js";
import { parseScenario } from "./scenario.js";
import { simulateScenario } from "./simulate.js";

export interface SweepParam {
  key: string;
  values: unknown[];
}

export interface VariantResult {
  index: number;
  params: Record<string, unknown>;
  dir: string;
  resultHash: string;
  totals: Record<string, number | null>;
  giniHouseholdCost: number;
  rejected: number;
  wallMs: number;
}

export function parseParam(text: string): SweepParam {
  const eq = text.indexOf("=");
  if (eq <= 0 || eq === text.length - 1) {
    throw new PlurigridError("SWEEP_BAD_PARAM", `--param ${text}: expected KEY=V1,V2,…`, { param: text });
  }
  const key = text.slice(0, eq);
  if (!/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(key)) {
    throw new PlurigridError("SWEEP_BAD_PARAM", `--param ${text}: ${key} is not a dotted path`, {
      param: text,
    });
  }
  return {
    key,
    values: text
      .slice(eq + 1)
      .split(",")
      .map((v) => parseYaml(v) as unknown),
  };
}

/** Every combination of the parameters' values, first parameter slowest. */
export function grid(params: readonly SweepParam[]): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const p of params) out = out.flatMap((o) => p.values.map((v) => ({ ...o, [p.key]: v })));
  return out;
}

/** A copy of the scenario input with `key` (dotted path) set to `value`; the path must exist up to its parent. */
export function setPath(input: unknown, key: string, value: unknown): unknown {
  const copy = structuredClone(input) as Record<string, unknown>;
  const parts = key.split(".");
  let at: Record<string, unknown> = copy;
  for (const p of parts.slice(0, -1)) {
    const next = at[p];
    if (typeof next !== "object" || next === null) {
      throw new PlurigridError("SWEEP_BAD_PARAM", `--param ${key}: the scenario has no ${p} on this path`, {
        key,
      });
    }
    at = next as Record<string, unknown>;
  }
  at[parts[parts.length - 1]] = value;
  return copy;
}

export interface VariantJob {
  index: number;
  params: Record<string, unknown>;
  input: unknown;
  dir: string;
}

/** Runs one variant in this process (the worker does the same). */
export async function runVariant(job: VariantJob): Promise<VariantResult> {
  const t0 = performance.now();
  const scenario = parseScenario(job.input);
  const r = await simulateScenario(scenario, stringify(job.input), {
    outDir: job.dir,
    progress: false,
    ledger: false,
  });
  const rejected = Object.values(r.summary.rejections as Record<string, number>).reduce((a, b) => a + b, 0);
  return {
    index: job.index,
    params: job.params,
    dir: job.dir,
    resultHash: r.manifest.resultHash,
    totals: r.summary.totals as Record<string, number | null>,
    giniHouseholdCost: (r.summary.fairness as { giniHouseholdCost: number }).giniHouseholdCost,
    rejected,
    wallMs: performance.now() - t0,
  };
}

function workerPath(): string {
  const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
  return fileURLToPath(new URL(`./sweep-worker${ext}`, import.meta.url));
}

/** Runs the jobs on `workers` child processes (0: in this process), reporting each finished variant. */
export async function runJobs(
  jobs: VariantJob[],
  workers: number,
  progress?: Progress,
): Promise<VariantResult[]> {
  const results: VariantResult[] = new Array(jobs.length);
  let done = 0;
  const finish = (r: VariantResult) => {
    results[r.index] = r;
    progress?.update(++done, jobs.length);
  };
  if (workers <= 0) {
    for (const j of jobs) finish(await runVariant(j));
    return results;
  }
  const queue = [...jobs];
  const one = () =>
    new Promise<void>((resolveAll, reject) => {
      const child = fork(workerPath(), [], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
      const next = () => {
        const job = queue.shift();
        if (job === undefined) {
          child.kill();
          resolveAll();
          return;
        }
        child.send(job);
      };
      child.on(
        "message",
        (
          m: { ok: true; result: VariantResult } | { ok: false; error: { code?: string; message: string } },
        ) => {
          if (!m.ok) {
            child.kill();
            reject(new PlurigridError(m.error.code ?? "SWEEP_VARIANT_FAILED", m.error.message));
            return;
          }
          finish(m.result);
          next();
        },
      );
      child.on("error", reject);
      child.on("exit", (code) => {
        if (queue.length > 0 && code !== 0 && code !== null)
          reject(new PlurigridError("SWEEP_WORKER_DIED", `a sweep worker exited with ${code}`));
      });
      next();
    });
  await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, one));
  return results;
}

const COLUMNS = [
  "energyTradedWh",
  "localTradedWh",
  "meanPriceMicrosPerKWh",
  "welfareMicros",
  "unservedWh",
  "criticalServedShare",
  "renewableShare",
  "localShare",
  "lossesWh",
  "maxLoading",
  "voltageViolationBusIntervals",
  "imbalanceWh",
] as const;

export function writeComparison(dir: string, params: SweepParam[], results: VariantResult[]): void {
  const head = [
    "variant",
    ...params.map((p) => p.key),
    ...COLUMNS,
    "giniHouseholdCost",
    "rejected",
    "resultHash",
  ];
  const rows = results.map((r) => [
    String(r.index),
    ...params.map((p) => String(r.params[p.key])),
    ...COLUMNS.map((c) => String(r.totals[c] ?? "")),
    String(r.giniHouseholdCost),
    String(r.rejected),
    r.resultHash,
  ]);
  writeFileSync(join(dir, "comparison.csv"), `${[head, ...rows].map((r) => r.join(",")).join("\n")}\n`);
  writeFileSync(
    join(dir, "comparison.json"),
    `${JSON.stringify({ params, variants: results.map(({ wallMs: _w, ...r }) => r) }, null, 2)}\n`,
  );
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const table = `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map(
      (r, i) =>
        `<tr>${r.map((c, j) => `<td>${j === head.length - 1 ? `<a href="variant-${i}/report.html">${esc(c.slice(0, 12))}</a>` : esc(c)}</td>`).join("")}</tr>`,
    )
    .join("")}</tbody></table>`;
  writeFileSync(
    join(dir, "comparison.html"),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Plurigrid sweep</title><style>body{font:13px system-ui,sans-serif;margin:16px}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f4f4f4}</style></head><body><h1>Sweep over ${esc(params.map((p) => p.key).join(", "))}</h1>${table}<p>Each variant's own report.html is linked from its result hash.</p></body></html>\n`,
  );
}

/** Runs the variants somewhere else (a JetStream work queue: node/cluster/work-queue.ts) instead of `runJobs`. */
export type VariantRunner = (jobs: VariantJob[], progress?: Progress) => Promise<VariantResult[]>;

export async function sweep(
  input: unknown,
  params: SweepParam[],
  outDir: string,
  workers: number,
  progress?: Progress,
  runner?: VariantRunner,
): Promise<VariantResult[]> {
  if (params.length === 0) throw new PlurigridError("SWEEP_BAD_PARAM", "give at least one --param KEY=V1,V2");
  mkdirSync(outDir, { recursive: true });
  const jobs = grid(params).map((p, index) => {
    let v = input;
    for (const [k, val] of Object.entries(p)) v = setPath(v, k, val);
    parseScenario(v); // every variant must be a valid scenario before any runs
    return { index, params: p, input: v, dir: join(outDir, `variant-${index}`) };
  });
  const results = await (runner ?? ((j, p) => runJobs(j, workers, p)))(jobs, progress);
  writeComparison(outDir, params, results);
  return results;
}
