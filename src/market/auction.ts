import { compareIds, type OrderTable, PRICE_MAX } from "./orders.js";

/**
 * The double auction without network and without predicates: the fast path, on typed arrays.
 *
 * Buys are ranked by limit descending, sells by limit ascending (a radix sort); the two lists are walked
 * together, matching energy while the buy limit is at least the sell limit. That maximises welfare for
 * divisible orders (the supply and demand curves cross where the walk stops), in linear time, plus the
 * id sort of the one rationed level.
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

/**
 * Ranks indices by (limit, index), ascending or descending in limit: a stable LSD radix sort on the limit
 * (three 10-bit digits cover PRICE_MAX < 2^30; a digit that is the same for every order is skipped), so
 * equal limits keep index order. Linear time, typed arrays only.
 */
function rank(table: OrderTable, idx: Int32Array, descending: boolean): Int32Array {
  const lim = table.limitPrice;
  const m = idx.length;
  let src = Int32Array.from(idx);
  let keys = new Uint32Array(m);
  for (let k = 0; k < m; k++) keys[k] = descending ? PRICE_MAX - lim[idx[k]] : lim[idx[k]];
  let dst = new Int32Array(m);
  let dstKeys = new Uint32Array(m);
  const count = new Int32Array(1025);
  for (let shift = 0; shift < 30; shift += 10) {
    count.fill(0);
    for (let k = 0; k < m; k++) count[((keys[k] >>> shift) & 1023) + 1]++;
    let skip = false;
    for (let d = 1; d <= 1024; d++) {
      if (count[d] === m) skip = true;
      count[d] += count[d - 1];
    }
    if (skip) continue;
    for (let k = 0; k < m; k++) {
      const pos = count[(keys[k] >>> shift) & 1023]++;
      dst[pos] = src[k];
      dstKeys[pos] = keys[k];
    }
    [src, dst] = [dst, src];
    [keys, dstKeys] = [dstKeys, keys];
  }
  return src;
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
