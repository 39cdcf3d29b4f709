import { compareIds, type OrderTable, PRICE_MAX } from "./orders.js";

/**
 * The double auction without network and without predicates: the fast path, sort-based, on typed arrays.
 *
 * Buys are ranked by limit descending, sells by limit ascending; the two ranked lists are walked together,
 * matching energy while the buy limit is at least the sell limit. That maximises welfare for divisible
 * orders (the supply and demand curves cross where the walk stops), in O(n log n) for the sort and O(n)
 * after it.
 *
 * Tie-breaking (deterministic, documented in docs/market.md): by price, then by id. Only the last price
 * level of each side can be rationed, so only that level is sorted by id: orders at better prices are
 * filled in full whatever their ids.
 */

export interface AuctionResult {
  /** Energy filled per order (input order), Wh; 0 for orders not in the auction. */
  filledWh: Float64Array;
  volumeWh: number;
  /**
   * The interval of uniform prices that support the allocation (every filled buy has limit ≥ p, every filled
   * sell limit ≤ p, every buy left with energy limit ≤ p, every sell left with energy limit ≥ p).
   * NaN when one side has no order.
   */
  priceLow: number;
  priceHigh: number;
}

/** Ranks indices by (limit, index), ascending or descending in limit, through one Float64Array sort. */
function rank(table: OrderTable, idx: Int32Array, descending: boolean): Int32Array {
  const n = table.count;
  const lim = table.limitPrice;
  const m = idx.length;
  let shift = 1;
  while (shift < n) shift *= 2;
  if ((PRICE_MAX + 1) * shift < Number.MAX_SAFE_INTEGER) {
    // key = price' · 2^b + index packs both into one exact double, and a typed-array sort is a numeric
    // sort; the index comes back exactly through a multiplication by 2^-b (no division, no fmod).
    const inv = 1 / shift;
    const keys = new Float64Array(m);
    for (let k = 0; k < m; k++) {
      const i = idx[k];
      keys[k] = (descending ? PRICE_MAX - lim[i] : lim[i]) * shift + i;
    }
    keys.sort();
    const out = new Int32Array(m);
    for (let k = 0; k < m; k++) {
      const v = keys[k];
      out[k] = v - Math.floor(v * inv) * shift;
    }
    return out;
  }
  const out = Int32Array.from(idx);
  out.sort((a, b) => (descending ? lim[b] - lim[a] : lim[a] - lim[b]) || a - b);
  return out;
}

/**
 * Gives the last level (same limit) of a ranked side `available` Wh in id order, and returns whether the
 * level was rationed (some order left with energy).
 */
function rationLevel(
  table: OrderTable,
  ranked: Int32Array,
  start: number,
  end: number,
  available: number,
  quantity: Float64Array,
  filled: Float64Array,
): boolean {
  let levelTotal = 0;
  for (let k = start; k < end; k++) levelTotal += quantity[ranked[k]];
  if (available >= levelTotal) {
    for (let k = start; k < end; k++) filled[ranked[k]] = quantity[ranked[k]];
    return false;
  }
  const level = Array.from(ranked.subarray(start, end));
  level.sort((a, b) => compareIds(table.orders[a].id, table.orders[b].id));
  let left = available;
  for (const i of level) {
    const take = Math.min(left, quantity[i]);
    filled[i] = take;
    left -= take;
  }
  return true;
}

/**
 * Clears the orders whose `quantityWh[i] > 0` (residual quantities, e.g. after the lifeline) as one
 * divisible double auction. Least fills are not considered here (clear.ts sends those markets to the MIP).
 */
export function doubleAuction(table: OrderTable, quantityWh: Float64Array): AuctionResult {
  const n = table.count;
  const lim = table.limitPrice;
  let nb = 0;
  let ns = 0;
  for (let i = 0; i < n; i++) {
    if (quantityWh[i] <= 0) continue;
    if (table.isBuy[i]) nb++;
    else ns++;
  }
  const buysIdx = new Int32Array(nb);
  const sellsIdx = new Int32Array(ns);
  nb = 0;
  ns = 0;
  for (let i = 0; i < n; i++) {
    if (quantityWh[i] <= 0) continue;
    if (table.isBuy[i]) buysIdx[nb++] = i;
    else sellsIdx[ns++] = i;
  }
  const filledWh = new Float64Array(n);
  if (nb === 0 || ns === 0) return { filledWh, volumeWh: 0, priceLow: Number.NaN, priceHigh: Number.NaN };
  const buys = rank(table, buysIdx, true);
  const sells = rank(table, sellsIdx, false);

  // Walk both curves: volume and the position of the last (partly) matched order on each side.
  let b = 0;
  let s = 0;
  let restB = quantityWh[buys[0]];
  let restS = quantityWh[sells[0]];
  let volume = 0;
  let lastB = -1;
  let lastS = -1;
  while (b < nb && s < ns && lim[buys[b]] >= lim[sells[s]]) {
    const m = Math.min(restB, restS);
    volume += m;
    lastB = b;
    lastS = s;
    restB -= m;
    restS -= m;
    if (restB === 0 && ++b < nb) restB = quantityWh[buys[b]];
    if (restS === 0 && ++s < ns) restS = quantityWh[sells[s]];
  }
  if (volume === 0) {
    return { filledWh, volumeWh: 0, priceLow: lim[buys[0]], priceHigh: lim[sells[0]] };
  }

  const side = (ranked: Int32Array, last: number, count: number) => {
    const p = lim[ranked[last]];
    let start = last;
    while (start > 0 && lim[ranked[start - 1]] === p) start--;
    let end = last + 1;
    while (end < count && lim[ranked[end]] === p) end++;
    let full = 0;
    for (let k = 0; k < start; k++) {
      const i = ranked[k];
      filledWh[i] = quantityWh[i];
      full += quantityWh[i];
    }
    const rationed = rationLevel(table, ranked, start, end, volume - full, quantityWh, filledWh);
    // The best-ranked order left with energy: the rationed level itself, or the next level.
    const nextWithRest = rationed ? p : end < count ? lim[ranked[end]] : Number.NaN;
    return { marginal: p, nextWithRest };
  };
  const buy = side(buys, lastB, nb);
  const sell = side(sells, lastS, ns);
  const low = Number.isNaN(buy.nextWithRest) ? sell.marginal : Math.max(sell.marginal, buy.nextWithRest);
  const high = Number.isNaN(sell.nextWithRest) ? buy.marginal : Math.min(buy.marginal, sell.nextWithRest);
  return { filledWh, volumeWh: volume, priceLow: low, priceHigh: high };
}
