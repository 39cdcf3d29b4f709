import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { parse as parseYaml } from "yaml";
import { PlurigridError } from "../../core/errors.js";
import { runOnQueue } from "../../node/cluster/work-queue.js";
import { progressBar } from "../../sim/progress.js";
import { parseParam, type SweepParam, sweep, type VariantJob, type VariantResult } from "../../sim/sweep.js";
import { type Format, formatOption, type Io, printJson, table } from "../output.js";
import { parseClusterUrls } from "./cluster.js";
import { integerOption } from "./node.js";

export function registerSweep(program: Command, io: Io): void {
  program
    .command("sweep")
    .description(
      "run a scenario over a grid of parameter values in worker processes; write a comparison table",
    )
    .argument("<scenario>", "scenario file (YAML or JSON)")
    .requiredOption(
      "--param <KEY=V1,V2>",
      "a dotted scenario path and its values (repeat for a grid)",
      (v: string, acc: SweepParam[] = []) => [...acc, parseParam(v)],
    )
    .option("--workers <n>", "worker processes (0: run in this process)", integerOption(0, 64), 2)
    .option("--out <dir>", "output folder (default: out/sweep-<scenario name>)")
    .option("--cluster <urls>", "publish the variants to a JetStream work queue (nats://HOST:PORT[,...])")
    .option("--queue <name>", "the work queue's name (workers: plurigrid cluster sweep-worker)", "sweep")
    .option("--quiet", "no progress bar")
    .addOption(formatOption())
    .action(
      async (
        file: string,
        opts: {
          param: SweepParam[];
          workers: number;
          out?: string;
          quiet?: boolean;
          cluster?: string;
          queue: string;
          format: Format;
        },
      ) => {
        let input: unknown;
        try {
          input = parseYaml(readFileSync(file, "utf8"));
        } catch (e) {
          throw new PlurigridError(
            "SIM_SCENARIO_NOT_FOUND",
            `cannot read the scenario ${file}: ${(e as Error).message}`,
            {
              path: file,
            },
          );
        }
        const name = file.replace(/^.*\//, "").replace(/\.(ya?ml|json)$/, "");
        const outDir = opts.out ?? resolve("out", `sweep-${name}`);
        const bar = progressBar(
          `sweep ${name}`,
          { write: (s) => io.err(s), isTTY: process.stderr.isTTY === true },
          !opts.quiet,
        );
        const servers = opts.cluster === undefined ? undefined : parseClusterUrls(opts.cluster);
        const results = await sweep(
          input,
          opts.param,
          outDir,
          opts.workers,
          bar,
          servers === undefined
            ? undefined
            : (jobs) =>
                runOnQueue<VariantJob, VariantResult>(jobs, { servers, name: opts.queue }, (_r, done) =>
                  bar.update(done, jobs.length),
                ),
        );
        bar.finish();
        if (opts.format === "json") {
          printJson(io, { outDir, variants: results.map(({ wallMs: _w, ...r }) => r) });
          return;
        }
        io.out(
          `${table(
            [
              "variant",
              ...opts.param.map((p) => p.key),
              "traded kWh",
              "mean price",
              "unserved kWh",
              "renewable",
              "result",
            ],
            results.map((r) => [
              r.index,
              ...opts.param.map((p) => String(r.params[p.key])),
              ((r.totals.energyTradedWh ?? 0) / 1000).toFixed(0),
              ((r.totals.meanPriceMicrosPerKWh ?? 0) / 1e6).toFixed(3),
              ((r.totals.unservedWh ?? 0) / 1000).toFixed(1),
              `${(100 * (r.totals.renewableShare ?? 0)).toFixed(1)} %`,
              r.resultHash.slice(0, 12),
            ]),
          )}\nwrote ${outDir}/comparison.csv, comparison.json, comparison.html\n`,
        );
      },
    );
}
