/**
 * The clearing the simulator calls each interval, per island: a narrow seam (`Clearing`) over the market's
 * contract types (market/types.ts). `meritOrderClearing` is the implementation used until the market's
 * reference solver is exported; it is a plain double auction on divisible orders:
 *
 * buys ranked by limit descending, sells by limit ascending, ties by id (so rationing at the marginal price
 * is by id, deterministic); orders are matched while the buy limit is at least the sell limit. The uniform
 * price lies in the interval of prices that support the allocation, at `kPpm` parts per million from its low
 * end (k = 0.5: the midpoint), rounded half to even; pay-as-bid pays every order its own limit.
 */
import type { ClearingResult, ClearingRule, Order } from "../market/types.js";

export interface ClearingOptions {
  rule: ClearingRule;
  kPpm: number;
}

export type Clearing = (orders: readonly Order[], options: ClearingOptions) => ClearingResult;

function byId(a: Order, b: Order): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export const meritOrderClearing: Clearing = (orders, options) => {
  const buys = orders
    .filter((o) => o.side === "buy")
    .sort((a, b) => b.limitPrice - a.limitPrice || byId(a, b));
  const sells = orders
    .filter((o) => o.side === "sell")
    .sort((a, b) => a.limitPrice - b.limitPrice || byId(a, b));
  const filled = new Map<string, number>();
  let b = 0;
  let s = 0;
  let restB = buys[0]?.quantityWh ?? 0;
  let restS = sells[0]?.quantityWh ?? 0;
  let volume = 0;
  let lastB = -1;
  let lastS = -1;
  while (b < buys.length && s < sells.length && buys[b].limitPrice >= sells[s].limitPrice) {
    const m = Math.min(restB, restS);
    volume += m;
    filled.set(buys[b].id, (filled.get(buys[b].id) ?? 0) + m);
    filled.set(sells[s].id, (filled.get(sells[s].id) ?? 0) + m);
    lastB = b;
    lastS = s;
    restB -= m;
    restS -= m;
    if (restB === 0 && ++b < buys.length) restB = buys[b].quantityWh;
    if (restS === 0 && ++s < sells.length) restS = sells[s].quantityWh;
  }
  let uniform: number | undefined;
  if (volume > 0) {
    // Supporting interval: every filled order accepts the price, every order left with energy does not want more.
    let low = sells[lastS].limitPrice;
    let high = buys[lastB].limitPrice;
    if (b < buys.length) low = Math.max(low, buys[b].limitPrice);
    if (s < sells.length) high = Math.min(high, sells[s].limitPrice);
    if (high < low) high = low;
    uniform = low + roundHalfEven(((high - low) * options.kPpm) / 1_000_000);
  }
  let welfareSum = 0;
  const intents = orders.map((o) => {
    const f = filled.get(o.id) ?? 0;
    welfareSum += (o.side === "buy" ? 1 : -1) * o.limitPrice * f;
    const price = f === 0 ? null : options.rule === "pay-as-bid" ? o.limitPrice : (uniform as number);
    return { id: o.id, filledWh: f, price };
  });
  return {
    status: volume > 0 ? "cleared" : "empty",
    welfare: Math.round(welfareSum / 1000),
    prices: uniform === undefined ? {} : { uniform },
    intents,
    fills: [],
  };
};
