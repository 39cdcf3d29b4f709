import { PlurigridError } from "../core/errors.js";

/**
 * Money of a clearing, in integers. Energy is in Wh and prices in micro-units per kWh, so energy × price
 * is in thousandths of a micro-unit and every amount of money is one division by 1000.
 *
 * - Welfare: the exact sum Σ buys limit × fill − Σ sells limit × fill, divided by 1000 once, rounded half
 *   to even (core/units' rule). Products can pass 2^53, so the sum falls back to bigint when it must.
 * - Payments: a buyer pays ⌈energy × price / 1000⌉, a seller receives ⌊energy × price / 1000⌋. The rounding
 *   always favours the treasury, so "payments in cover payments out" holds exactly whenever it holds
 *   before rounding; the rounding remainder is part of the surplus (with the congestion rent).
 */

const THOUSAND = 1000n;

/** Exact Σ sign × limit × energy over many terms; numbers while they are exact, bigint after. */
export class ExactSum {
  private small = 0;
  private big = 0n;

  add(limit: number, energyWh: number, sign: 1 | -1): void {
    if (energyWh === 0) return;
    const p = limit * energyWh;
    if (Number.isSafeInteger(p) && Math.abs(this.small) < 2 ** 52 && Math.abs(p) < 2 ** 52) {
      this.small += sign * p;
    } else {
      this.big += BigInt(sign) * BigInt(limit) * BigInt(energyWh);
    }
  }

  value(): bigint {
    return this.big + BigInt(this.small);
  }
}

/** n / d rounded to the nearest integer, ties to even (d > 0). */
export function divRoundHalfEven(n: bigint, d: bigint): bigint {
  let q = n / d;
  let r = n % d;
  if (r < 0n) {
    q -= 1n;
    r += d;
  }
  const twice = 2n * r;
  if (twice > d || (twice === d && (q & 1n) === 1n)) q += 1n;
  return q;
}

function toSafe(v: bigint, what: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) {
    throw new PlurigridError("UNIT_OVERFLOW", `${what} is outside the exact integer range`, {
      value: v.toString(),
    });
  }
  return n + 0;
}

/** Micro-units from an exact Σ limit × energy (Wh × micros/kWh), divided by 1000 half to even. */
export function microsOf(sumWhTimesPrice: bigint): number {
  return toSafe(divRoundHalfEven(sumWhTimesPrice, THOUSAND), "welfare (micros)");
}

/**
 * Welfare of a set of fills: Σ over buys of limit × fill − Σ over sells of limit × fill, in micro-units.
 * `isBuy`, `limit` and `filledWh` are indexed alike.
 */
export function welfareOf(
  count: number,
  isBuy: (i: number) => boolean,
  limit: (i: number) => number,
  filledWh: ArrayLike<number>,
): number {
  const s = new ExactSum();
  for (let i = 0; i < count; i++) s.add(limit(i), filledWh[i], isBuy(i) ? 1 : -1);
  return microsOf(s.value());
}

/** Welfare of orders and their fills (same order), micro-units. */
export function welfareMicros(
  orders: readonly { side: "buy" | "sell"; limitPrice: number }[],
  filledWh: ArrayLike<number>,
): number {
  return welfareOf(
    orders.length,
    (i) => orders[i].side === "buy",
    (i) => orders[i].limitPrice,
    filledWh,
  );
}

function checkOperands(energyWh: number, price: number): void {
  if (!Number.isSafeInteger(energyWh) || !Number.isSafeInteger(price)) {
    throw new PlurigridError("UNIT_NOT_INTEGER", "energy and price must be integers", { energyWh, price });
  }
}

/** What a buyer pays for `energyWh` at `price`: ⌈energy × price / 1000⌉ micro-units. */
export function buyerPaysMicros(energyWh: number, price: number): number {
  checkOperands(energyWh, price);
  const n = BigInt(energyWh) * BigInt(price);
  const q = n / THOUSAND;
  return toSafe(n % THOUSAND > 0n ? q + 1n : q, "payment (micros)");
}

/** What a seller receives for `energyWh` at `price`: ⌊energy × price / 1000⌋ micro-units. */
export function sellerReceivesMicros(energyWh: number, price: number): number {
  checkOperands(energyWh, price);
  const n = BigInt(energyWh) * BigInt(price);
  const q = n / THOUSAND;
  return toSafe(n % THOUSAND < 0n ? q - 1n : q, "payment (micros)");
}

/**
 * Money an intent's outcome moves, signed from the treasury's side: what a buyer pays (positive) or
 * minus what a seller receives. A lifeline part is paid at the lifeline price, the rest at `price`.
 */
export function paymentMicros(
  side: "buy" | "sell",
  outcome: { filledWh: number; price: number | null; lifelineWh?: number },
  lifelinePrice?: number,
): number {
  if (outcome.filledWh === 0) return 0;
  const lifelineWh = outcome.lifelineWh ?? 0;
  const marketWh = outcome.filledWh - lifelineWh;
  let total = 0;
  const pay = side === "buy" ? buyerPaysMicros : sellerReceivesMicros;
  if (lifelineWh > 0) {
    if (lifelinePrice === undefined) {
      throw new PlurigridError(
        "MARKET_NO_LIFELINE_PRICE",
        "an outcome has a lifeline part but no lifeline price",
      );
    }
    total += pay(lifelineWh, lifelinePrice);
  }
  if (marketWh > 0) {
    if (outcome.price === null) {
      throw new PlurigridError("MARKET_NO_PRICE", "a filled outcome has no price");
    }
    total += pay(marketWh, outcome.price);
  }
  return side === "buy" ? total : -total;
}
