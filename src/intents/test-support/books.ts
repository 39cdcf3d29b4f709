import type { Predicate, Priority, SourceKind } from "../../market/types.js";
import type { Book, BookIntent } from "../book.js";
import { buildMarketNetwork, type MarketNetwork } from "../network.js";
import type { Solution } from "../schema.js";

/** Books and solutions for the tests and the benchmark of the validity predicates (not built). */

export function intent(
  seq: number,
  side: "buy" | "sell",
  quantityWh: number,
  limitPrice: number,
  more: Partial<Omit<BookIntent, "seq" | "side" | "quantityWh" | "limitPrice">> = {},
): BookIntent {
  return {
    seq,
    id: String(seq),
    participant: more.participant ?? `p${seq}`,
    side,
    quantityWh,
    minFillWh: more.minFillWh ?? 0,
    limitPrice,
    bus: more.bus ?? null,
    microgrid: more.microgrid ?? null,
    kind: more.kind ?? (side === "sell" ? ("pv" as SourceKind) : null),
    carbon: more.carbon ?? null,
    priority: more.priority ?? ("normal" as Priority),
    predicates: more.predicates ?? ([] as Predicate[]),
    expired: more.expired,
  };
}

/**
 * A chain of buses 1..n joined by branches i → i+1 (x = 0.1 p.u.), each rated `rateMw` (0: unlimited),
 * plus an optional chord 1 → n that makes a ring (so flows split and PTDFs are fractional).
 */
export function chainNetwork(n: number, rateMw: number, ring = false): MarketNetwork {
  const busIds = Array.from({ length: n }, (_, i) => i + 1);
  const branches = [];
  for (let i = 1; i < n; i++) {
    branches.push({ fromBus: i, toBus: i + 1, inService: true, xPu: 0.1, tap: 0, rateMw });
  }
  if (ring && n > 2) branches.push({ fromBus: 1, toBus: n, inService: true, xPu: 0.2, tap: 0, rateMw });
  return buildMarketNetwork({ busIds, branches });
}

export function book(intents: (BookIntent | null)[], network?: MarketNetwork, intervalMinutes = 15): Book {
  return { interval: 7, intervalMinutes, intents, network };
}

/**
 * An independent competitive clearing for a book without predicates and without congestion: in each island,
 * buyers by limit descending and sellers by limit ascending are matched greedily (ties by number), and every
 * filled intent trades at one uniform price, the lowest price at which no accepted intent is out of the money
 * and no rejected one strictly in it. Fills come out sorted by (buyer, seller).
 */
export function greedyUniform(b: Book): Solution {
  const byIsland = new Map<number, BookIntent[]>();
  for (const it of b.intents) {
    if (it === null || it.expired) continue;
    const isl =
      b.network !== undefined && it.bus !== null ? b.network.islandOfBus[b.network.busIndex(it.bus)] : 0;
    const list = byIsland.get(isl) ?? [];
    list.push(it);
    byIsland.set(isl, list);
  }
  const fills: [number, number, number][] = [];
  const prices: [number, number][] = [];
  let referencePrice = 0;
  const busPrices: [number, number][] = [];
  for (const isl of [...byIsland.keys()].sort((x, y) => x - y)) {
    const list = byIsland.get(isl) ?? [];
    const buys = list
      .filter((x) => x.side === "buy")
      .sort((x, y) => y.limitPrice - x.limitPrice || x.seq - y.seq);
    const sells = list
      .filter((x) => x.side === "sell")
      .sort((x, y) => x.limitPrice - y.limitPrice || x.seq - y.seq);
    const left = new Map(list.map((x) => [x.seq, x.quantityWh]));
    let i = 0;
    let j = 0;
    while (i < buys.length && j < sells.length && buys[i].limitPrice >= sells[j].limitPrice) {
      const e = Math.min(left.get(buys[i].seq) ?? 0, left.get(sells[j].seq) ?? 0);
      fills.push([buys[i].seq, sells[j].seq, e]);
      left.set(buys[i].seq, (left.get(buys[i].seq) ?? 0) - e);
      left.set(sells[j].seq, (left.get(sells[j].seq) ?? 0) - e);
      if (left.get(buys[i].seq) === 0) i++;
      if (left.get(sells[j].seq) === 0) j++;
    }
    let lo = 0;
    let hi = Number.POSITIVE_INFINITY;
    for (const x of list) {
      const accepted = (left.get(x.seq) ?? 0) < x.quantityWh;
      if (x.side === "buy") {
        if (accepted) hi = Math.min(hi, x.limitPrice);
        else lo = Math.max(lo, x.limitPrice);
      } else if (accepted) lo = Math.max(lo, x.limitPrice);
      else hi = Math.min(hi, x.limitPrice);
    }
    if (lo > hi) throw new Error("greedy clearing left no competitive price");
    for (const x of list) if ((left.get(x.seq) ?? 0) < x.quantityWh) prices.push([x.seq, lo]);
    if (b.network === undefined) referencePrice = lo;
    else {
      for (let k = 0; k < b.network.busCount; k++) {
        if (b.network.islandOfBus[k] === isl) busPrices.push([b.network.busIds[k], lo]);
      }
    }
  }
  fills.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  prices.sort((x, y) => x[0] - y[0]);
  busPrices.sort((x, y) => x[0] - y[0]);
  return { interval: b.interval, fills, prices, referencePrice, busPrices, lifeline: [] };
}

/**
 * A market with many fills: `pairs` buyers and `pairs` sellers, buyer i taking one `unitWh` from each of
 * the sellers i, i+1, …, i+perBuyer−1 (mod pairs), all at one price. Intents sit at buses of `network`
 * (round robin) when given. With `predicates`, every buyer asks for pv or wind and excludes a participant
 * that is not among its sellers, and every seller asks for its buyer's island.
 */
export function denseMarket(
  pairs: number,
  perBuyer: number,
  opts: { network?: MarketNetwork; predicates?: boolean; unitWh?: number } = {},
): { book: Book; solution: Solution } {
  const unit = opts.unitWh ?? 10;
  const net = opts.network;
  const busOf = (i: number) => (net === undefined ? 1 + (i % 100) : net.busIds[i % net.busCount]);
  const intents: BookIntent[] = [];
  for (let i = 0; i < pairs; i++) {
    intents.push(
      intent(i, "buy", unit * perBuyer, 60_000 + (i % 97), {
        bus: busOf(i),
        predicates: opts.predicates ? [{ kinds: ["pv", "wind"] }, { exclude: ["nobody", "p-none"] }] : [],
      }),
    );
  }
  for (let i = 0; i < pairs; i++) {
    intents.push(
      intent(pairs + i, "sell", unit * perBuyer, 20_000 + (i % 89), {
        bus: busOf(i * 7 + 3),
        kind: i % 2 === 0 ? "pv" : "wind",
        predicates: opts.predicates ? [{ sameIsland: true }] : [],
      }),
    );
  }
  const fills: [number, number, number][] = [];
  for (let b = 0; b < pairs; b++) {
    const sellers: number[] = [];
    for (let k = 0; k < perBuyer; k++) sellers.push(pairs + ((b + k) % pairs));
    sellers.sort((x, y) => x - y);
    for (const s of sellers) fills.push([b, s, unit]);
  }
  const price = 40_000;
  const prices: [number, number][] = intents.map((x) => [x.seq, price]);
  return {
    book: book(intents, net),
    solution: { interval: 7, fills, prices, referencePrice: price, busPrices: [], lifeline: [] },
  };
}
