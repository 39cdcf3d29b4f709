import type { Command } from "commander";
import type { Network } from "../../grid/model.js";
import { runPf } from "../../grid/pf/index.js";
import type { PfResult } from "../../grid/pf/types.js";
import { loadCase } from "../case-arg.js";
import { type Format, fixed, formatOption, type Io, printJson, table } from "../output.js";

/** The stable JSON answer of `plurigrid pf` (field names are a contract with scripts). */
export function pfJson(net: Network, r: PfResult) {
  return {
    case: net.name,
    converged: r.converged,
    iterations: r.iterations,
    mismatch: r.mismatch,
    buses: Array.from({ length: net.bus.count }, (_, i) => ({
      id: net.bus.id[i],
      vm: r.vmPu[i],
      vaDeg: r.vaDeg[i],
    })),
    generators: Array.from({ length: net.gen.count }, (_, g) => ({
      bus: net.bus.id[net.gen.bus[g]],
      pg: r.pgMw[g],
      qg: r.qgMvar[g],
    })),
    branches: Array.from({ length: net.branch.count }, (_, k) => ({
      from: net.bus.id[net.branch.from[k]],
      to: net.bus.id[net.branch.to[k]],
      pf: r.pfMw[k],
      qf: r.qfMvar[k],
      pt: r.ptMw[k],
      qt: r.qtMvar[k],
    })),
    lossesMw: r.lossesMw,
    timeMs: r.timeMs,
  };
}

/** Branch loading in % of rateA (apparent power at the more loaded end); NaN where unrated. */
export function branchLoadingPct(net: Network, r: PfResult): Float64Array {
  const out = new Float64Array(net.branch.count).fill(Number.NaN);
  for (let k = 0; k < net.branch.count; k++) {
    const rate = net.branch.rateAMva[k];
    if (rate <= 0 || net.branch.status[k] === 0) continue;
    const sf = Math.hypot(r.pfMw[k], r.qfMvar[k]);
    const st = Math.hypot(r.ptMw[k], r.qtMvar[k]);
    out[k] = (100 * Math.max(sf, st)) / rate;
  }
  return out;
}

export function pfSummary(net: Network, r: PfResult, dc: boolean): string {
  const lines: string[] = [];
  const kind = dc ? "DC power flow" : "AC power flow (Newton-Raphson)";
  lines.push(
    `${net.name}: ${net.bus.count} buses, ${net.gen.count} generators, ${net.branch.count} branches`,
  );
  lines.push(
    `${kind}: ${r.converged ? "converged" : `DID NOT CONVERGE (${r.stop})`} in ${r.iterations} iteration(s), mismatch ${r.mismatch.toExponential(2)} p.u., ${fixed(r.timeMs, 1)} ms`,
  );
  let vmin = Number.POSITIVE_INFINITY;
  let vmax = Number.NEGATIVE_INFINITY;
  let imin = -1;
  let imax = -1;
  for (let i = 0; i < net.bus.count; i++) {
    if (!r.energized[i]) continue;
    if (r.vmPu[i] < vmin) [vmin, imin] = [r.vmPu[i], i];
    if (r.vmPu[i] > vmax) [vmax, imax] = [r.vmPu[i], i];
  }
  if (imin >= 0 && !dc) {
    lines.push(
      `voltage: min ${fixed(vmin, 4)} p.u. at bus ${net.bus.id[imin]}, max ${fixed(vmax, 4)} p.u. at bus ${net.bus.id[imax]}`,
    );
  }
  lines.push(`losses: ${fixed(r.lossesMw, 3)} MW; islands: ${r.islands.count}`);
  const loading = branchLoadingPct(net, r);
  const order = Array.from(loading.keys())
    .filter((k) => Number.isFinite(loading[k]))
    .sort((a, b) => loading[b] - loading[a] || a - b)
    .slice(0, 5);
  if (order.length > 0) {
    lines.push("", "most loaded branches:");
    lines.push(
      table(
        ["from", "to", "P from (MW)", "Q from (MVAr)", "rateA (MVA)", "loading %"],
        order.map((k) => [
          net.bus.id[net.branch.from[k]],
          net.bus.id[net.branch.to[k]],
          fixed(r.pfMw[k], 2),
          fixed(r.qfMvar[k], 2),
          net.branch.rateAMva[k],
          fixed(loading[k], 1),
        ]),
      ),
    );
  }
  return `${lines.join("\n")}\n`;
}

export function registerPf(program: Command, io: Io): void {
  program
    .command("pf")
    .description("power flow of a MATPOWER case: AC Newton-Raphson (default) or DC")
    .argument("<case>", "a MATPOWER .m file, or the name of a case in the reference data (e.g. case9)")
    .option("--dc", "DC power flow")
    .option("--enforce-q-lims", "enforce generator reactive power limits (AC)")
    .addOption(formatOption())
    .action((caseArg: string, opts: { dc?: boolean; enforceQLims?: boolean; format: Format }) => {
      const format = opts.format;
      const net = loadCase(caseArg);
      const r = runPf(net, { dc: opts.dc === true, enforceQLims: opts.enforceQLims === true });
      if (format === "json") printJson(io, pfJson(net, r));
      else io.out(pfSummary(net, r, opts.dc === true));
    });
}
