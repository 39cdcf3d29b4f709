import { mulDiv } from "../core/units.js";
import { paymentMicros } from "./money.js";
import type { OrderTable } from "./orders.js";
import type { ClearingRule } from "./types.js";

/**
 * Prices of a clearing, in integers (micro-units per kWh).
 *
 * - k-pricing: the uniform price is p = low + k·(high − low) over the interval of prices that support the
 *   allocation; k is applied as parts per million, `low + mulDiv(high − low, kPpm, 10⁶)` (half to even).
 * - Prices from LP duals (network or predicates) are snapped to the nearest integer when within 10⁻⁶ of it
 *   (solver noise), then a buyer's is rounded up and a seller's down, and each is clamped to the order's own
 *   limit: individually rational, and never less money in than out for the same allocation.
 * - Pay-as-bid: every filled order trades at its own limit.
 */

/** k as parts per million, checked: k ∈ [0, 1]. */
export function kPartsPerMillion(k: number): number {
  return Math.round(k * 1_000_000);
}

export function kPrice(low: number, high: number, kPpm: number): number {
  return low + mulDiv(high - low, kPpm, 1_000_000);
}

/**
 * The interval of uniform prices that support an allocation without network and predicates: every filled
 * buy has limit ≥ p and every filled sell ≤ p; every divisible order (no least fill) left with energy is
 * out of the money: buys ≤ p, sells ≥ p. NaN bounds when nothing constrains that side.
 */
export function supportingInterval(
  table: OrderTable,
  residualWh: Float64Array,
  marketFilledWh: Float64Array,
): { low: number; high: number } {
  let low = Number.NEGATIVE_INFINITY;
  let high = Number.POSITIVE_INFINITY;
  const lim = table.limitPrice;
  for (let i = 0; i < table.count; i++) {
    if (residualWh[i] <= 0) continue;
    const filled = marketFilledWh[i] > 0;
    const rest = residualWh[i] - marketFilledWh[i] > 0 && table.minFillWh[i] === 0;
    if (table.isBuy[i]) {
      if (filled && lim[i] < high) high = lim[i];
      if (rest && lim[i] > low) low = lim[i];
    } else {
      if (filled && lim[i] > low) low = lim[i];
      if (rest && lim[i] < high) high = lim[i];
    }
  }
  return {
    low: low === Number.NEGATIVE_INFINITY ? Number.NaN : low,
    high: high === Number.POSITIVE_INFINITY ? Number.NaN : high,
  };
}

/** The uniform price of an interval with k, or null when the interval is empty or unbounded on both sides. */
export function uniformPrice(low: number, high: number, kPpm: number): number | null {
  if (Number.isNaN(low) && Number.isNaN(high)) return null;
  if (Number.isNaN(low)) return high;
  if (Number.isNaN(high)) return low;
  if (low > high) return null;
  return kPrice(low, high, kPpm);
}

/** A dual price snapped to an integer when within 10⁻⁶ of one (solver noise), else left as is. */
export function snap(price: number): number {
  const r = Math.round(price);
  return Math.abs(price - r) <= 1e-6 ? r : price;
}

/** A buyer's price from a real-valued one: rounded up, at most its limit, at least 0. */
export function buyerPrice(price: number, limit: number): number {
  return Math.max(0, Math.min(limit, Math.ceil(snap(price))));
}

/** A seller's price from a real-valued one: rounded down, at least its limit. */
export function sellerPrice(price: number, limit: number): number {
  return Math.max(limit, Math.floor(snap(price)));
}

/** Net money to the treasury (Σ buyers pay − Σ sellers receive), micro-units; ≥ 0 is budget balance. */
export function treasuryMicros(
  table: OrderTable,
  filledWh: ArrayLike<number>,
  lifelineWh: ArrayLike<number>,
  price: ArrayLike<number>,
  lifelinePrice: number | undefined,
): number {
  let total = 0;
  for (let i = 0; i < table.count; i++) {
    if (filledWh[i] === 0) continue;
    const p = price[i];
    total += paymentMicros(
      table.isBuy[i] ? "buy" : "sell",
      { filledWh: filledWh[i], price: Number.isNaN(p) ? null : p, lifelineWh: lifelineWh[i] },
      lifelinePrice,
    );
  }
  return total;
}

export function isClearingRule(v: string): v is ClearingRule {
  return v === "uniform" || v === "pay-as-bid";
}
