import type { LpSolver } from "../grid/lp/types.js";
import { clear } from "../market/clear.js";
import type { ClearingResult, ClearingRule } from "../market/types.js";
import { type Book, compileBook, orderOf } from "./book.js";
import type { Certificate, Solution } from "./schema.js";
import { validateSolution } from "./validate.js";

/**
 * The reference solver: the book cleared by market/ (uniform price or pay-as-bid, network-constrained with
 * LMPs where the book has a network), turned into the protocol's solution form. Every node runs it and
 * submits its answer; other solvers compete with it for welfare.
 *
 * For a book of plain intents it attaches an optimality certificate built from the clearing's duals (an
 * energy price per island, the branch shadow prices of binding limits), after checking it: a certificate
 * that does not check (rounding of the duals) is left out, as a false one would sink the solution.
 */

export interface ReferenceOptions {
  rule?: ClearingRule;
  /** k of k-pricing, millionths (market params). */
  kPricingPpm?: number;
  solver?: LpSolver;
}

/** The solution form of a clearing of `book` (ids of the clearing are the intents' numbers). */
export function solutionOfClearing(book: Book, result: ClearingResult): Solution {
  const fillsBySeq = new Map<string, number>();
  for (const f of result.fills) {
    const key = `${Number(f.buyer)},${Number(f.seller)}`;
    fillsBySeq.set(key, (fillsBySeq.get(key) ?? 0) + f.energyWh);
  }
  const fills: [number, number, number][] = [];
  for (const [key, e] of fillsBySeq) {
    if (e <= 0) continue;
    const [b, s] = key.split(",").map(Number);
    fills.push([b, s, e]);
  }
  fills.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const prices: [number, number][] = [];
  for (const o of result.intents) {
    if (o.filledWh > 0 && o.price !== null) prices.push([Number(o.id), o.price]);
  }
  prices.sort((x, y) => x[0] - y[0]);
  const lifeline: [number, number][] = [];
  for (const o of result.intents) {
    if ((o.lifelineWh ?? 0) > 0) lifeline.push([Number(o.id), o.lifelineWh as number]);
  }
  lifeline.sort((x, y) => x[0] - y[0]);
  const busPrices: [number, number][] = (result.prices.buses ?? []).map((b) => [b.id, Math.max(0, b.lmp)]);
  busPrices.sort((x, y) => x[0] - y[0]);
  return {
    interval: book.interval,
    fills,
    prices,
    referencePrice: Math.max(0, result.prices.uniform ?? supportingPrice(book, fills)),
    busPrices,
    lifeline,
  };
}

/**
 * A competitive reference price where the clearing states none (a one-sided market, a market that did not
 * trade): the lowest price at which no filled intent is out of the money and no unfilled one strictly in
 * it, or 0 when there is none.
 */
function supportingPrice(book: Book, fills: readonly (readonly [number, number, number])[]): number {
  const filled = new Set<number>();
  for (const [b, s] of fills) {
    filled.add(b);
    filled.add(s);
  }
  let low = 0;
  let high = Number.POSITIVE_INFINITY;
  for (const it of book.intents) {
    if (it === null || it.expired) continue;
    const accepted = filled.has(it.seq);
    if ((it.side === "buy") === accepted) high = Math.min(high, it.limitPrice);
    else low = Math.max(low, it.limitPrice);
  }
  return low <= high ? low : 0;
}

/** Clears the book's open, unexpired intents and returns the solution to submit (with a certificate where exact). */
export async function referenceSolution(book: Book, options: ReferenceOptions = {}): Promise<Solution> {
  const orders = book.intents.filter((it) => it !== null && !it.expired).map((it) => orderOf(it!));
  const result = await clear(orders, {
    rule: options.rule ?? "uniform",
    k: (options.kPricingPpm ?? 500_000) / 1_000_000,
    network: book.network?.grid,
    intervalMinutes: book.intervalMinutes,
    solver: options.solver,
    lifeline:
      book.lifeline === undefined
        ? undefined
        : {
            priceMicrosPerKWh: book.lifeline.priceMicrosPerKWh,
            baselineWhPerParticipant: book.lifeline.baselineWhPerParticipant,
          },
  });
  const solution = solutionOfClearing(book, result);
  const certificate = plainCertificate(book, solution, result.branchShadowPrices ?? []);
  if (certificate === undefined) return solution;
  // A false certificate would sink the whole solution: attach it only if it checks.
  const proven = { ...solution, certificate };
  const verdict = validateSolution(compileBook(book), proven);
  return verdict.ok ? proven : solution;
}

/**
 * The dual prices of a plain book's clearing: per island, the limit of an intent filled in part at its bus
 * (exact: such an intent is marginal) or else the bus price of one of its intents, and the clearing's branch
 * shadow prices. Undefined where the book is not plain (then the LP has other constraints).
 */
function plainCertificate(
  book: Book,
  solution: Solution,
  shadowPrices: readonly (readonly [number, number])[],
): Certificate | undefined {
  const net = book.network;
  const filled = new Map<number, number>();
  for (const [b, s, e] of solution.fills) {
    filled.set(b, (filled.get(b) ?? 0) + e);
    filled.set(s, (filled.get(s) ?? 0) + e);
  }
  const reference = new Map<number, { bus: number; price: number; partial: boolean }>();
  const busPrice = new Map(solution.busPrices);
  for (const it of book.intents) {
    if (it === null || it.expired) continue;
    if (it.predicates.length > 0 || it.minFillWh > 0 || it.priority !== "normal") return undefined;
    const bi = net === undefined || it.bus === null ? -1 : net.busIndex(it.bus);
    const isl = bi < 0 || net === undefined ? 0 : net.islandOfBus[bi];
    const x = filled.get(it.seq) ?? 0;
    const bus = it.bus ?? 1;
    if (x > 0 && x < it.quantityWh) {
      if (reference.get(isl)?.partial !== true)
        reference.set(isl, { bus, price: it.limitPrice, partial: true });
    } else if (!reference.has(isl)) {
      reference.set(isl, { bus, price: busPrice.get(bus) ?? solution.referencePrice, partial: false });
    }
  }
  if (reference.size === 0) return undefined;
  const energyPrices: [number, number][] = [...reference.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, v]) => [v.bus, v.price]);
  const branchShadowPrices: [number, number][] =
    net === undefined ? [] : shadowPrices.filter(([, mu]) => mu !== 0).map(([k, mu]) => [k, mu]);
  return { energyPrices, branchShadowPrices };
}
