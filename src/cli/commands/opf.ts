import type { Command } from "commander";
import { PlurigridError } from "../../core/errors.js";
import type { Network } from "../../grid/model.js";
import { type DcOpfResult, solveDcOpf } from "../../grid/opf/dcopf.js";
import { loadCase } from "../case-arg.js";
import { type Format, fixed, formatOption, type Io, printJson, table } from "../output.js";

/** The stable JSON answer of `plurigrid opf` (field names are a contract with scripts). */
export function opfJson(net: Network, r: DcOpfResult) {
  return {
    case: net.name,
    status: r.status,
    objective: r.objective,
    buses: Array.from({ length: net.bus.count }, (_, i) => ({ id: net.bus.id[i], lmp: r.lmp[i] })),
    generators: Array.from({ length: net.gen.count }, (_, g) => ({
      bus: net.bus.id[net.gen.bus[g]],
      pg: r.pgMw[g],
    })),
    branches: Array.from({ length: net.branch.count }, (_, k) => ({
      from: net.bus.id[net.branch.from[k]],
      to: net.bus.id[net.branch.to[k]],
      pf: r.pfMw[k],
      muSf: r.muSf[k],
      muSt: r.muSt[k],
    })),
    timeMs: r.timeMs,
  };
}

export function opfSummary(net: Network, r: DcOpfResult): string {
  const lines = [`${net.name}: DC optimal power flow: ${r.status} (${fixed(r.timeMs, 1)} ms)`];
  if (r.status !== "optimal") return `${lines.concat(r.message).join("\n")}\n`;
  lines.push(`objective: ${fixed(r.objective, 4)} $/h`);
  const lmps = Array.from(r.lmp).filter(Number.isFinite);
  lines.push(
    `LMP: min ${fixed(
      lmps.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY),
      3,
    )}, max ${fixed(
      lmps.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY),
      3,
    )} $/MWh over ${lmps.length} buses`,
  );
  const binding = Array.from({ length: net.branch.count }, (_, k) => k)
    .filter((k) => r.muSf[k] > 1e-9 || r.muSt[k] > 1e-9)
    .sort((a, b) => Math.max(r.muSf[b], r.muSt[b]) - Math.max(r.muSf[a], r.muSt[a]) || a - b);
  lines.push(`binding branch limits: ${binding.length}`);
  if (binding.length > 0) {
    lines.push(
      table(
        ["from", "to", "P from (MW)", "rateA (MVA)", "shadow price ($/MWh)"],
        binding
          .slice(0, 10)
          .map((k) => [
            net.bus.id[net.branch.from[k]],
            net.bus.id[net.branch.to[k]],
            fixed(r.pfMw[k], 2),
            net.branch.rateAMva[k],
            fixed(Math.max(r.muSf[k], r.muSt[k]), 4),
          ]),
      ),
    );
  }
  return `${lines.join("\n")}\n`;
}

export function registerOpf(program: Command, io: Io): void {
  program
    .command("opf")
    .description("DC optimal power flow of a MATPOWER case: dispatch, cost, LMPs and branch shadow prices")
    .argument("<case>", "a MATPOWER .m file, or the name of a case in the reference data")
    .option("--dc", "DC formulation (the only one for now; accepted for the stable command line)")
    .addOption(formatOption())
    .action(async (caseArg: string, opts: { dc?: boolean; format: Format }) => {
      const format = opts.format;
      if (opts.dc !== true) {
        throw new PlurigridError("OPF_AC_UNSUPPORTED", "only the DC optimal power flow exists: pass --dc");
      }
      const net = loadCase(caseArg);
      const r = await solveDcOpf(net);
      if (format === "json") printJson(io, opfJson(net, r));
      else io.out(opfSummary(net, r));
    });
}
