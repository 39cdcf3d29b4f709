import type { Locations } from "./network.js";
import { compareIds, type OrderTable } from "./orders.js";
import type { PairRule } from "./predicates.js";
import type { Fill, LifelineOptions } from "./types.js";

/**
 * Lifeline priority (issue 5). In an island whose offered energy (Σ sell quantities) is below its demand
 * (Σ buy quantities), buyers are served first, at the regulated price, in this order:
 *
 * 1. critical buys, in id order, their whole quantity;
 * 2. baseline buys, in id order, up to `baselineWhPerParticipant` per participant (per intent when the
 *    intent names no participant), counted over that participant's baseline intents.
 *
 * Only orders for which the regulated price is individually rational take part: buys with limit ≥ the
 * price, sells with limit ≤ it and no least fill, the sells taken cheapest first (limit, then id). Pairs
 * must satisfy both sides' value predicates. The rest of every order then clears by price as usual; a
 * buyer's least fill binds its market part only (max(0, minFill − lifeline)).
 *
 * Without a network the lifeline ignores branch limits (there are none). With one, these fills are upper
 * bounds: the network clearing serves as much of them as the branches carry, critical before baseline
 * before welfare (lp-clearing.ts); energy the network cannot carry is not served, nor offered again to
 * the market.
 */
export interface LifelineResult {
  lifelineWh: Float64Array;
  fills: Fill[];
  /** The same fills by order index, in the order served, with the buyer's class. */
  pairs: LifelinePair[];
  /** True when some island was short and the lifeline served something. */
  applied: boolean;
}

export interface LifelinePair {
  buyer: number;
  seller: number;
  energyWh: number;
  critical: boolean;
}

export function applyLifeline(
  table: OrderTable,
  where: Locations,
  rule: PairRule | null,
  options: LifelineOptions,
): LifelineResult {
  const n = table.count;
  const lifelineWh = new Float64Array(n);
  const fills: Fill[] = [];
  const pairs: LifelinePair[] = [];
  const demand = new Float64Array(where.islandCount);
  const supply = new Float64Array(where.islandCount);
  for (let i = 0; i < n; i++) {
    const isl = where.island[i];
    if (isl < 0) continue;
    if (table.isBuy[i]) demand[isl] += table.quantityWh[i];
    else supply[isl] += table.quantityWh[i];
  }
  const price = options.priceMicrosPerKWh;
  const baseline = options.baselineWhPerParticipant ?? 0;
  const ids = table.orders;
  const byId = (a: number, b: number) => compareIds(ids[a].id, ids[b].id);
  let applied = false;
  for (let isl = 0; isl < where.islandCount; isl++) {
    if (!(supply[isl] < demand[isl])) continue;
    const sellers: number[] = [];
    const critical: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < n; i++) {
      if (where.island[i] !== isl) continue;
      const lim = table.limitPrice[i];
      if (!table.isBuy[i]) {
        // A seller with a least fill could be left below it by a lifeline share: not drawn on.
        if (lim <= price && table.minFillWh[i] === 0) sellers.push(i);
        continue;
      }
      if (lim < price) continue;
      const pr = ids[i].priority ?? "normal";
      if (pr === "critical") critical.push(i);
      else if (pr === "baseline" && baseline > 0) base.push(i);
    }
    sellers.sort((a, b) => table.limitPrice[a] - table.limitPrice[b] || byId(a, b));
    critical.sort(byId);
    base.sort(byId);
    const capacity = new Map<number, number>(sellers.map((s) => [s, table.quantityWh[s]]));
    const serve = (buyer: number, want: number): number => {
      let got = 0;
      for (const s of sellers) {
        if (got === want) break;
        const cap = capacity.get(s)!;
        if (cap === 0 || (rule !== null && !rule.allowed(buyer, s))) continue;
        const take = Math.min(cap, want - got);
        capacity.set(s, cap - take);
        lifelineWh[s] += take;
        fills.push({ buyer: ids[buyer].id, seller: ids[s].id, energyWh: take, lifelineWh: take });
        pairs.push({ buyer, seller: s, energyWh: take, critical: ids[buyer].priority === "critical" });
        got += take;
      }
      lifelineWh[buyer] += got;
      if (got > 0) applied = true;
      return got;
    };
    for (const b of critical) serve(b, table.quantityWh[b]);
    const used = new Map<string, number>();
    for (const b of base) {
      const who = ids[b].participant ?? `intent:${ids[b].id}`;
      const left = baseline - (used.get(who) ?? 0);
      if (left <= 0) continue;
      const got = serve(b, Math.min(left, table.quantityWh[b] - lifelineWh[b]));
      used.set(who, (used.get(who) ?? 0) + got);
    }
  }
  return { lifelineWh, fills, pairs, applied };
}
