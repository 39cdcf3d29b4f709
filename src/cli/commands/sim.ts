import { resolve } from "node:path";
import type { Command } from "commander";
import { dataDir, hasData, projectRoot } from "../../core/data.js";
import { PlurigridError } from "../../core/errors.js";
import { simulateFile, verifyRunDir } from "../../sim/simulate.js";
import { type Format, formatOption, type Io, printJson } from "../output.js";

/** The main job: the solar-field case study. */
export const DEFAULT_SCENARIO = "examples/solar-field.yaml";

function stderrOf(io: Io) {
  return { write: (s: string) => io.err(s), isTTY: process.stderr.isTTY === true };
}

function money(micros: unknown): string {
  return typeof micros === "number" ? (micros / 1e6).toFixed(2) : "-";
}

export function registerSim(program: Command, io: Io): void {
  const sim = program.command("sim").description("simulate a scenario on the protocol and write its outputs");
  sim
    .command("run")
    .description(
      "run a scenario: summary.json, CSV time series, ledger/, manifest.json and report.html in --out",
    )
    .argument("[scenario]", "scenario file (YAML or JSON)", DEFAULT_SCENARIO)
    .option("--out <dir>", "output folder (default: out/<scenario name>)")
    .option("--no-report", "skip report.html")
    .option("--no-ledger", "keep the chain in memory (no ledger/ folder)")
    .option("--quiet", "no progress bar")
    .addOption(formatOption())
    .action(
      async (
        file: string,
        opts: { out?: string; report: boolean; ledger: boolean; quiet?: boolean; format: Format },
      ) => {
        if (!hasData()) {
          throw new PlurigridError(
            "DATA_MISSING",
            `reference data folder not found: looked in ${dataDir()} (set PLURIGRID_DATA or put shared/data beside the project)`,
            { dataDir: dataDir() },
          );
        }
        const path = file === DEFAULT_SCENARIO ? resolve(projectRoot(), file) : file;
        const name = path.replace(/^.*\//, "").replace(/\.(ya?ml|json)$/, "");
        const outDir = opts.out ?? resolve("out", name);
        const r = await simulateFile(path, {
          outDir,
          report: opts.report,
          ledger: opts.ledger ? undefined : false,
          progress: !opts.quiet,
          progressStream: stderrOf(io),
        });
        if (opts.format === "json") {
          printJson(io, { outDir, manifest: r.manifest, totals: r.summary.totals });
          return;
        }
        const t = r.summary.totals as Record<string, number | null>;
        const m = r.manifest;
        io.out(
          [
            `scenario      ${m.scenario} (seed ${m.seed})`,
            `output        ${outDir}`,
            `intervals     ${(r.summary.scenario as { intervals: number }).intervals}, transactions ${m.ledger.txCount}, blocks ${m.ledger.height}`,
            `traded        ${((t.energyTradedWh ?? 0) / 1e6).toFixed(1)} MWh (local ${((t.localTradedWh ?? 0) / 1e6).toFixed(1)} MWh), mean price ${money(t.meanPriceMicrosPerKWh)} per kWh`,
            `served        ${((t.loadServedWh ?? 0) / 1e6).toFixed(1)} of ${((t.loadWh ?? 0) / 1e6).toFixed(1)} MWh, unserved ${((t.unservedWh ?? 0) / 1e3).toFixed(1)} kWh, critical ${(100 * (t.criticalServedShare ?? 0)).toFixed(2)} %`,
            `renewable     ${(100 * (t.renewableShare ?? 0)).toFixed(1)} %, local ${(100 * (t.localShare ?? 0)).toFixed(1)} %, losses ${((t.lossesWh ?? 0) / 1e6).toFixed(2)} MWh`,
            `result hash   ${m.resultHash}`,
            `time          ${(m.timing.totalMs / 1000).toFixed(1)} s`,
            "",
          ].join("\n"),
        );
      },
    );
  sim
    .command("verify")
    .description("re-run the scenario saved in a run's folder and compare its result hash with manifest.json")
    .argument("<dir>", "output folder of a run")
    .option("--quiet", "no progress bar")
    .addOption(formatOption())
    .action(async (dir: string, opts: { quiet?: boolean; format: Format }) => {
      const v = await verifyRunDir(dir, { progress: !opts.quiet });
      if (opts.format === "json") printJson(io, v);
      else {
        io.out(
          `${v.ok ? "match" : "MISMATCH"}: result ${v.actual}${v.ok ? "" : ` (manifest: ${v.expected})`}\n` +
            `code version ${v.codeVersionMatches ? "same as recorded" : `differs: recorded ${JSON.stringify(v.recorded)}, now ${JSON.stringify(v.current)}`}\n`,
        );
      }
      if (!v.ok) {
        throw new PlurigridError(
          "SIM_MISMATCH",
          `the re-run gives result ${v.actual}, the manifest says ${v.expected}`,
          {
            expected: v.expected,
            actual: v.actual,
          },
        );
      }
    });
}
