import { readFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { PlurigridError } from "../../core/errors.js";
import { clear } from "../../market/clear.js";
import { parseMarketFile } from "../../market/file.js";
import type { ClearingResult, ClearingRule } from "../../market/types.js";
import { loadCase } from "../case-arg.js";
import { type Format, formatOption, type Io, printJson, table } from "../output.js";

/**
 * The stable JSON answer of `plurigrid clear` (a contract with scripts):
 * {"status","welfare","prices":{"uniform"?,"buses"?:[{"id","lmp"}]},"intents":[{"id","filledWh","price"}]}.
 * `prices.lifeline` and an intent's `lifelineWh` appear only when the lifeline served someone (only markets
 * whose file sets a lifeline). A message of the clearing goes to stderr, never into the answer.
 */
export function clearJson(r: ClearingResult) {
  const prices: { uniform?: number; buses?: { id: number; lmp: number }[]; lifeline?: number } = {};
  if (r.prices.uniform !== undefined) prices.uniform = r.prices.uniform;
  if (r.prices.buses !== undefined) prices.buses = r.prices.buses;
  if (r.prices.lifeline !== undefined) prices.lifeline = r.prices.lifeline;
  const out: {
    status: string;
    welfare: number;
    prices: typeof prices;
    intents: { id: string; filledWh: number; price: number | null; lifelineWh?: number }[];
  } = {
    status: r.status,
    welfare: r.welfare,
    prices,
    intents: r.intents.map((o) =>
      o.lifelineWh === undefined
        ? { id: o.id, filledWh: o.filledWh, price: o.price }
        : { id: o.id, filledWh: o.filledWh, price: o.price, lifelineWh: o.lifelineWh },
    ),
  };
  return out;
}

function summary(r: ClearingResult): string {
  const lines = [`market: ${r.status}, welfare ${r.welfare} micro-units`];
  if (r.message !== undefined) lines.push(r.message);
  if (r.prices.uniform !== undefined) lines.push(`uniform price: ${r.prices.uniform} micro-units/kWh`);
  if (r.prices.buses !== undefined && r.prices.buses.length > 0) {
    const lmps = r.prices.buses.map((b) => b.lmp);
    lines.push(
      `LMP: min ${lmps.reduce((a, b) => Math.min(a, b))}, max ${lmps.reduce((a, b) => Math.max(a, b))} micro-units/kWh over ${lmps.length} buses`,
    );
  }
  if (r.prices.lifeline !== undefined) lines.push(`lifeline price: ${r.prices.lifeline} micro-units/kWh`);
  const filled = r.intents.filter((o) => o.filledWh > 0);
  lines.push(`filled intents: ${filled.length} of ${r.intents.length}`);
  if (filled.length > 0) {
    lines.push(
      table(
        ["id", "filled (Wh)", "price (micro/kWh)"],
        filled.slice(0, 20).map((o) => [o.id, o.filledWh, o.price ?? "-"]),
      ),
    );
  }
  return `${lines.join("\n")}\n`;
}

export function registerClear(program: Command, io: Io): void {
  program
    .command("clear")
    .description("clear a market file: welfare-maximising fills and prices (uniform, pay-as-bid, LMPs)")
    .argument("<market>", "MARKET.json: {intervalMinutes?, intents: [...]} (docs/market.md)")
    .option("--network <case>", "clear on a MATPOWER network (DC flows, rateA limits, LMPs per bus)")
    .addOption(
      new Option("--rule <rule>", "pricing rule").choices(["uniform", "pay-as-bid"]).default("uniform"),
    )
    .option("--k <k>", "k of k-pricing in [0, 1] (uniform rule)", "0.5")
    .addOption(formatOption())
    .action(
      async (
        marketPath: string,
        opts: { network?: string; rule: ClearingRule; k: string; format: Format },
      ) => {
        let text: string;
        try {
          text = readFileSync(marketPath, "utf8");
        } catch (e) {
          throw new PlurigridError(
            "MARKET_FILE_NOT_FOUND",
            `cannot read ${marketPath}: ${(e as Error).message}`,
            {
              path: marketPath,
            },
          );
        }
        const k = Number(opts.k);
        if (opts.k.trim() === "" || !Number.isFinite(k)) {
          throw new PlurigridError("MARKET_BAD_OPTION", `--k must be a number in [0, 1], got "${opts.k}"`);
        }
        const file = parseMarketFile(text);
        const network = opts.network === undefined ? undefined : loadCase(opts.network);
        const r = await clear(file.orders, {
          rule: opts.rule,
          k,
          network,
          intervalMinutes: file.intervalMinutes,
          lifeline: file.lifeline,
          fills: false,
        });
        if (opts.format === "json") {
          printJson(io, clearJson(r));
          if (r.message !== undefined) io.err(`note: ${r.message}\n`);
        } else {
          io.out(summary(r));
        }
      },
    );
}
