/**
 * A clearing outcome as the protocol's SubmitSolution body (intents/schema.ts): the fills as bilateral
 * [buyer, seller, Wh] between intent numbers, strictly ascending; a price for every filled intent; the
 * reference price (the upstream grid's island) and, for the buses of every other island that cleared, that
 * island's price. Within an island the filled buys and sells are paired in intent-number order (any pairing
 * of one island's fills is a valid one: one price holds for all of them).
 */
import type { IntentOutcome, Side } from "../market/types.js";

export interface SolutionBuilder {
  interval: number;
  islands: {
    buses: number[];
    intents: { seq: number; side: Side; outcome: IntentOutcome }[];
    price: number | null;
    upstream: boolean;
  }[];
}

export interface SolutionBody {
  interval: number;
  fills: [number, number, number][];
  prices: [number, number][];
  referencePrice: number;
  busPrices: [number, number][];
}

/** The solution body, or null when nothing was filled anywhere. */
export function solutionOf(b: SolutionBuilder): SolutionBody | null {
  const fills: [number, number, number][] = [];
  const prices: [number, number][] = [];
  const busPrices: [number, number][] = [];
  let reference: number | null = null;
  for (const isl of b.islands) {
    const buys = isl.intents
      .filter((x) => x.side === "buy" && x.outcome.filledWh > 0)
      .sort((x, y) => x.seq - y.seq);
    const sells = isl.intents
      .filter((x) => x.side === "sell" && x.outcome.filledWh > 0)
      .sort((x, y) => x.seq - y.seq);
    let s = 0;
    let restS = sells[0]?.outcome.filledWh ?? 0;
    for (const buy of buys) {
      let rest = buy.outcome.filledWh;
      while (rest > 0 && s < sells.length) {
        const m = Math.min(rest, restS);
        fills.push([buy.seq, sells[s].seq, m]);
        rest -= m;
        restS -= m;
        if (restS === 0 && ++s < sells.length) restS = sells[s].outcome.filledWh;
      }
    }
    for (const x of [...buys, ...sells]) prices.push([x.seq, x.outcome.price as number]);
    if (isl.price === null) continue;
    if (isl.upstream) reference = isl.price;
    else for (const bus of isl.buses) busPrices.push([bus, isl.price]);
  }
  if (fills.length === 0) return null;
  if (reference === null) reference = b.islands.find((i) => i.price !== null)?.price ?? 0;
  fills.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  prices.sort((x, y) => x[0] - y[0]);
  busPrices.sort((x, y) => x[0] - y[0]);
  return { interval: b.interval, fills, prices, referencePrice: reference, busPrices };
}
