/**
 * The market's validity predicates (intents/validate.ts), as the protocol runs them on a SubmitSolution:
 * a solution of 100,000 fills among 10,000 intents (5,000 buyers each taking from 20 sellers), plain and with
 * value predicates on every intent, without a network and on pglib_opf_case2000_goc (one DC flow solve and
 * the branch check). Goal (issue 5): under 0.2 s. The network's factorization is built once per topology
 * and cached by the protocol, so it is reported apart.
 */
import { readFileSync } from "node:fs";
import { dataPath } from "../src/core/data.js";
import { parseMatpower } from "../src/grid/matpower/index.js";
import { compileBook } from "../src/intents/book.js";
import { marketNetworkOfCase } from "../src/intents/network.js";
import { solutionSchema } from "../src/intents/schema.js";
import { denseMarket } from "../src/intents/test-support/books.js";
import { validateSolution } from "../src/intents/validate.js";
import type { BenchContext, Suite } from "./harness.js";

const BUYERS = 5_000;
const SELLERS_PER_BUYER = 20;

function fillsPerSecond(fills: number) {
  return (ms: number) => `${Math.round((fills / ms) * 1000).toLocaleString("en-US")} fills/s`;
}

async function run(ctx: BenchContext): Promise<void> {
  const buyers = ctx.quick ? 1_000 : BUYERS;
  const fills = buyers * SELLERS_PER_BUYER;
  const text = readFileSync(dataPath("grid", "pglib_opf_case2000_goc.m"), "utf8");
  const case2000 = parseMatpower(text);
  let network = marketNetworkOfCase(case2000);
  await ctx.measure("build market network case2000 (factorize once per topology)", () => {
    network = marketNetworkOfCase(case2000);
  });

  const cases = [
    { name: "plain, no network", opts: {} },
    { name: "predicates on every intent, no network", opts: { predicates: true } },
    { name: "plain, case2000", opts: { network } },
    { name: "predicates on every intent, case2000", opts: { network, predicates: true } },
  ];
  for (const c of cases) {
    const { book, solution } = denseMarket(buyers, SELLERS_PER_BUYER, c.opts);
    if (solution.fills.length !== fills) throw new Error("unexpected fill count");
    const verdict = validateSolution(compileBook(book), solution);
    if (!verdict.ok) throw new Error(`bench solution is invalid: ${verdict.code} ${verdict.message}`);
    await ctx.measure(
      `validate ${fills.toLocaleString("en-US")} fills, ${c.name}`,
      () => validateSolution(compileBook(book), solution),
      { runs: 7, figure: fillsPerSecond(fills) },
    );
  }
  // What a SubmitSolutionPart adds before the predicates: the solution's JSON text parsed and its schema
  // checked (SubmitSolution's body goes through the same schema at decode time).
  const { solution } = denseMarket(buyers, SELLERS_PER_BUYER);
  const json = JSON.stringify(solution);
  await ctx.measure(
    `parse + schema of a ${fills.toLocaleString("en-US")}-fill solution (${(json.length / 1e6).toFixed(1)} MB)`,
    () => solutionSchema.parse(JSON.parse(json)),
    { runs: 5, figure: fillsPerSecond(fills) },
  );
}

export const suite: Suite = { name: "market-protocol", run };
