import type { Command } from "commander";
import { solveDcOpf } from "../../grid/opf/dcopf.js";
import { runPf } from "../../grid/pf/index.js";
import { loadCase } from "../case-arg.js";
import { type Format, formatOption, type Io, printJson } from "../output.js";
import { opfJson, opfSummary } from "./opf.js";
import { pfJson, pfSummary } from "./pf.js";

/** The networks the demo runs on: a distribution feeder, a transmission system, a priced transmission system. */
const DEMO = { feeder: "case33bw", transmission: "case2383wp", priced: "pglib_opf_case118_ieee" };

export function registerDemo(program: Command, io: Io): void {
  program
    .command("demo")
    .description(
      "run the grid physics on real networks: feeder and transmission power flows, DC-OPF with LMPs",
    )
    .addOption(formatOption())
    .action(async (opts: { format: Format }) => {
      const format = opts.format;
      const feeder = loadCase(DEMO.feeder);
      const feederPf = runPf(feeder);
      const transmission = loadCase(DEMO.transmission);
      const transmissionPf = runPf(transmission);
      const priced = loadCase(DEMO.priced);
      const opf = await solveDcOpf(priced);
      if (format === "json") {
        printJson(io, {
          feeder: pfJson(feeder, feederPf),
          transmission: pfJson(transmission, transmissionPf),
          opf: opfJson(priced, opf),
        });
        return;
      }
      io.out(`== Distribution feeder ==\n${pfSummary(feeder, feederPf, false)}\n`);
      io.out(`== Transmission system ==\n${pfSummary(transmission, transmissionPf, false)}\n`);
      io.out(`== Market prices (DC-OPF) ==\n${opfSummary(priced, opf)}`);
    });
}
