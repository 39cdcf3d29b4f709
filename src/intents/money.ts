import { PlurigridError } from "../core/errors.js";

/**
 * Money of a fill, exactly. energyWh × priceMicrosPerKWh / 1000 is rarely an integer, and the market needs
 * a rounding that can never create a deficit: a buyer's payment rounds up (ceil), a seller's receipt rounds
 * down (floor), so that Σ payments ≥ Σ receipts whenever the exact amounts balance (uniform prices), and
 * the residue, under one micro-unit per intent, is surplus for the treasury. This is the one place where
 * Plurigrid departs from core/units' round-half-to-even, and it is why: half-even rounds the payments of a
 * uniform-price market independently on both sides and can leave the market a micro-unit short.
 *
 * Products below 2^53 are exact in doubles and take the fast path; larger ones go through bigint.
 */

const WH_PER_KWH = 1000;
const SAFE = Number.MAX_SAFE_INTEGER;

function overflow(energyWh: number, price: number): never {
  throw new PlurigridError("UNIT_OVERFLOW", `${energyWh} Wh at ${price} per kWh is beyond the exact range`, {
    energyWh,
    price,
  });
}

/** ⌊energyWh × price / 1000⌋ for non-negative integers. */
export function costFloor(energyWh: number, price: number): number {
  const product = energyWh * price;
  if (product <= SAFE) return (product - (product % WH_PER_KWH)) / WH_PER_KWH;
  const q = (BigInt(energyWh) * BigInt(price)) / 1000n;
  const n = Number(q);
  if (!Number.isSafeInteger(n)) overflow(energyWh, price);
  return n;
}

/** ⌈energyWh × price / 1000⌉ for non-negative integers. */
export function costCeil(energyWh: number, price: number): number {
  const product = energyWh * price;
  if (product <= SAFE) {
    const r = product % WH_PER_KWH;
    return (product - r) / WH_PER_KWH + (r === 0 ? 0 : 1);
  }
  const big = BigInt(energyWh) * BigInt(price);
  const q = (big + 999n) / 1000n;
  const n = Number(q);
  if (!Number.isSafeInteger(n)) overflow(energyWh, price);
  return n;
}

/**
 * An exact running sum of integer products a × b (welfare in micro-units × Wh/kWh). Stays in doubles while
 * every partial result is a safe integer, and moves to bigint once one is not.
 */
export class ExactSum {
  private small = 0;
  private big: bigint | null = null;

  addProduct(a: number, b: number): void {
    const p = a * b;
    if (this.big === null) {
      const s = this.small + p;
      if (Math.abs(p) <= SAFE && Math.abs(s) <= SAFE) {
        this.small = s;
        return;
      }
      this.big = BigInt(this.small);
    }
    this.big += BigInt(a) * BigInt(b);
  }

  value(): bigint {
    return this.big ?? BigInt(this.small);
  }
}

/** x / 1000 rounded half to even (core/units' rule), for reporting a welfare in micro-units. */
export function milliToUnits(x: bigint): number {
  let q = x / 1000n;
  let r = x % 1000n;
  if (r < 0n) {
    q -= 1n;
    r += 1000n;
  }
  if (r > 500n || (r === 500n && (q & 1n) === 1n)) q += 1n;
  return Number(q);
}
