/**
 * What a run writes: summary.json, intervals.csv, participants.csv, scenario.yaml (the file as given, so the
 * folder re-runs by itself), ledger/ (written during the run), report.html, and manifest.json with the
 * scenario hash, code version, seed and the result hash: SHA-256 over the hashes of summary.json, the two CSV
 * files and the ledger's final state root and head block hash. Wall times are in the manifest's `timing`, which
 * is not part of the result hash.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalString } from "../core/canonical.js";
import { projectRoot } from "../core/data.js";
import { round } from "./metrics.js";
import type { RunResult } from "./run.js";
import type { Scenario } from "./scenario.js";

export const FILES = {
  summary: "summary.json",
  intervals: "intervals.csv",
  participants: "participants.csv",
  scenario: "scenario.yaml",
  manifest: "manifest.json",
  report: "report.html",
  ledger: "ledger",
} as const;

export function sha256Hex(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

const INTERVAL_COLUMNS = [
  "step",
  "time",
  "price",
  "islandPrice",
  "volumeWh",
  "localVolumeWh",
  "upstreamSoldWh",
  "upstreamBoughtWh",
  "welfareMicros",
  "loadWh",
  "loadServedWh",
  "criticalWh",
  "criticalServedWh",
  "unservedWh",
  "pvWh",
  "curtailedWh",
  "voltWattWh",
  "tripWh",
  "inverterTrips",
  "reactiveVarh",
  "batteryNetWh",
  "upstreamWh",
  "lossesWh",
  "vmMinPu",
  "vmMaxPu",
  "voltageViolations",
  "maxLoading",
  "imbalanceWh",
  "theftWh",
  "islands",
  "islandedBuses",
  "pfConverged",
] as const;

export function intervalsCsv(r: RunResult): string {
  const lines = [INTERVAL_COLUMNS.join(",")];
  for (const x of r.metrics.intervals) {
    const row = INTERVAL_COLUMNS.map((c) => {
      if (c === "time") return new Date(x.timeMs).toISOString();
      const v = x[c as keyof typeof x];
      if (v === null) return "";
      if (typeof v === "boolean") return v ? "1" : "0";
      return String(round(v as number, c === "vmMinPu" || c === "vmMaxPu" || c === "maxLoading" ? 6 : 3));
    });
    lines.push(row.join(","));
  }
  return `${lines.join("\n")}\n`;
}

export function participantsCsv(summary: Record<string, unknown>): string {
  const ps = summary.participants as Record<string, unknown>[];
  if (ps.length === 0) return "id\n";
  const cols = Object.keys(ps[0]);
  return `${[cols.join(","), ...ps.map((p) => cols.map((c) => String(p[c])).join(","))].join("\n")}\n`;
}

export function codeVersion(): { package: string; git: string | null } {
  let pkg = "unknown";
  try {
    pkg = (JSON.parse(readFileSync(join(projectRoot(), "package.json"), "utf8")) as { version: string })
      .version;
  } catch {
    // keep "unknown"
  }
  let git: string | null = null;
  try {
    git = execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: projectRoot(),
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim();
  } catch {
    git = null;
  }
  return { package: pkg, git };
}

export interface Manifest {
  format: "plurigrid-sim-1";
  scenario: string;
  /** SHA-256 of the scenario after validation (canonical JSON with defaults filled in). */
  scenarioHash: string;
  /** SHA-256 of the scenario file as given. */
  scenarioFileSha256: string;
  seed: number;
  codeVersion: { package: string; git: string | null };
  resultHash: string;
  files: Record<string, string>;
  ledger: { chainId: string; height: number; txCount: number; stateRoot: string; headHash: string };
  timing: Record<string, number>;
}

export function scenarioHash(s: Scenario): string {
  return sha256Hex(canonicalString(s));
}

export interface RunOutputs {
  summaryJson: string;
  intervalsCsv: string;
  participantsCsv: string;
  resultHash: string;
  fileHashes: Record<string, string>;
}

/** The deterministic outputs of a run and their result hash. */
export function outputsOf(r: RunResult, summary: Record<string, unknown>): RunOutputs {
  const summaryJson = `${JSON.stringify(summary, null, 2)}\n`;
  const iv = intervalsCsv(r);
  const pc = participantsCsv(summary);
  const fileHashes = {
    [FILES.summary]: sha256Hex(summaryJson),
    [FILES.intervals]: sha256Hex(iv),
    [FILES.participants]: sha256Hex(pc),
  };
  const resultHash = sha256Hex(
    canonicalString({ files: fileHashes, stateRoot: r.ledger.stateRoot, headHash: r.ledger.headHash }),
  );
  return { summaryJson, intervalsCsv: iv, participantsCsv: pc, resultHash, fileHashes };
}

export function writeOutputs(
  dir: string,
  r: RunResult,
  out: RunOutputs,
  scenarioText: string,
  timing: Record<string, number>,
): Manifest {
  const s = r.world.scenario;
  writeFileSync(join(dir, FILES.summary), out.summaryJson);
  writeFileSync(join(dir, FILES.intervals), out.intervalsCsv);
  writeFileSync(join(dir, FILES.participants), out.participantsCsv);
  writeFileSync(join(dir, FILES.scenario), scenarioText);
  const manifest: Manifest = {
    format: "plurigrid-sim-1",
    scenario: s.name,
    scenarioHash: scenarioHash(s),
    scenarioFileSha256: sha256Hex(scenarioText),
    seed: s.seed,
    codeVersion: codeVersion(),
    resultHash: out.resultHash,
    files: out.fileHashes,
    ledger: { chainId: r.world.chainId, ...r.ledger },
    timing: Object.fromEntries(Object.entries(timing).map(([k, v]) => [k, Math.round(v)])),
  };
  writeFileSync(join(dir, FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
