import { PlurigridError } from "./errors.js";

/**
 * Energy, power and money as integers (DESIGN.md: "money and energy are integers").
 *
 * Every quantity is a JavaScript number holding a safe integer (|x| <= 2^53 - 1), branded with its unit so
 * that a `Wh` cannot be passed where a `W` is expected. Arithmetic never loses a unit silently: a sum that
 * leaves the safe range throws UNIT_OVERFLOW instead of rounding.
 *
 * ROUNDING RULE (the only one in Plurigrid's integer arithmetic): every division rounds the exact rational
 * result to the nearest integer, and a result exactly halfway between two integers goes to the even one
 * ("round half to even", IEEE 754-2019 roundTiesToEven, also called banker's rounding). It is unbiased over
 * many settlements and symmetric, so round(-x) = -round(x): a payment and its refund round to the same size.
 * `mulDiv` is the one place that divides; everything else in this file goes through it.
 */

declare const unitBrand: unique symbol;
type Branded<Unit extends string> = number & { readonly [unitBrand]: Unit };

/** Energy in watt-hours. */
export type Wh = Branded<"Wh">;
/** Power in watts. */
export type W = Branded<"W">;
/** Money in micro-units (10^-6) of the settlement currency. */
export type Micros = Branded<"Micros">;
/** Price in micro-units of the settlement currency per kWh. */
export type MicrosPerKWh = Branded<"MicrosPerKWh">;
/** Any of the branded integer units. */
export type Unit = Wh | W | Micros | MicrosPerKWh;

const WH_PER_KWH = 1000;
const SECONDS_PER_HOUR = 3600;

/** Checks that `value` is a safe integer and returns it with -0 folded into 0 (so canonical bytes agree). */
export function checkInteger(value: number, what: string): number {
  if (Number.isSafeInteger(value)) return value === 0 ? 0 : value;
  if (typeof value === "number" && Number.isInteger(value)) {
    throw new PlurigridError(
      "UNIT_OVERFLOW",
      `${what} = ${value} is outside the exact integer range ±${Number.MAX_SAFE_INTEGER}`,
      { what, value },
    );
  }
  throw new PlurigridError("UNIT_NOT_INTEGER", `${what} must be an integer, got ${String(value)}`, {
    what,
    value: String(value),
  });
}

export function Wh(value: number): Wh {
  return checkInteger(value, "energy (Wh)") as Wh;
}

export function W(value: number): W {
  return checkInteger(value, "power (W)") as W;
}

export function Micros(value: number): Micros {
  return checkInteger(value, "money (micros)") as Micros;
}

export function MicrosPerKWh(value: number): MicrosPerKWh {
  return checkInteger(value, "price (micros per kWh)") as MicrosPerKWh;
}

function checkResult(value: number, what: string, operands: Record<string, number>): number {
  // Operands are safe integers, so an exact result beyond 2^53 - 1 can only round to a double >= 2^53 in
  // magnitude: testing the computed value is enough to catch every overflow.
  if (!Number.isSafeInteger(value)) {
    throw new PlurigridError("UNIT_OVERFLOW", `${what} overflows the exact integer range`, operands);
  }
  return value + 0; // folds -0 into 0
}

/** a + b in the same unit; UNIT_OVERFLOW when the exact sum is not a safe integer. */
export function add<U extends Unit>(a: U, b: U): U {
  checkInteger(a, "left operand");
  checkInteger(b, "right operand");
  return checkResult(a + b, "sum", { a, b }) as U;
}

/** a - b in the same unit; UNIT_OVERFLOW when the exact difference is not a safe integer. */
export function sub<U extends Unit>(a: U, b: U): U {
  checkInteger(a, "left operand");
  checkInteger(b, "right operand");
  return checkResult(a - b, "difference", { a, b }) as U;
}

/** Sum of many values of one unit, checked after every step. */
export function sum<U extends Unit>(values: readonly U[]): U {
  let total = 0;
  for (const v of values) total = add(total as U, v);
  return total as U;
}

/**
 * a * b / d, computed exactly with bigint and rounded half to even (the rule at the top of this file).
 * Throws UNIT_DIVIDE_BY_ZERO for d = 0, UNIT_NOT_INTEGER for non-integer operands and UNIT_OVERFLOW when
 * the rounded result is not a safe integer. The intermediate product may be as large as it likes.
 */
export function mulDiv(a: number, b: number, d: number): number {
  checkInteger(a, "multiplicand");
  checkInteger(b, "multiplier");
  checkInteger(d, "divisor");
  if (d === 0) {
    throw new PlurigridError("UNIT_DIVIDE_BY_ZERO", `division by zero in ${a} * ${b} / 0`, { a, b });
  }
  let n = BigInt(a) * BigInt(b);
  let den = BigInt(d);
  if (den < 0n) {
    n = -n;
    den = -den;
  }
  let q = n / den; // truncates toward zero
  let r = n % den; // has the sign of n
  if (r < 0n) {
    q -= 1n;
    r += den;
  }
  // Now q = floor(n / den) and 0 <= r < den; round half to even.
  const twice = 2n * r;
  if (twice > den || (twice === den && (q & 1n) === 1n)) q += 1n;
  const result = Number(q);
  if (!Number.isSafeInteger(result) || BigInt(result) !== q) {
    throw new PlurigridError("UNIT_OVERFLOW", `${a} * ${b} / ${d} is outside the exact integer range`, {
      a,
      b,
      d,
    });
  }
  return result + 0;
}

/** Money for an amount of energy at a price: energyWh * priceMicrosPerKWh / 1000, rounded half to even. */
export function energyCost(energyWh: Wh, priceMicrosPerKWh: MicrosPerKWh): Micros {
  return mulDiv(energyWh, priceMicrosPerKWh, WH_PER_KWH) as Micros;
}

function checkDuration(durationS: number): number {
  checkInteger(durationS, "duration (s)");
  if (durationS < 0) {
    throw new PlurigridError("UNIT_NEGATIVE_DURATION", `duration must not be negative, got ${durationS} s`, {
      durationS,
    });
  }
  return durationS;
}

/** Energy delivered by a constant power over a duration: powerW * durationS / 3600, rounded half to even. */
export function energyFromPower(powerW: W, durationS: number): Wh {
  return mulDiv(powerW, checkDuration(durationS), SECONDS_PER_HOUR) as Wh;
}

/**
 * Average power that delivers an energy over a duration: energyWh * 3600 / durationS, rounded half to even.
 * A zero duration throws UNIT_DIVIDE_BY_ZERO.
 */
export function averagePower(energyWh: Wh, durationS: number): W {
  return mulDiv(energyWh, SECONDS_PER_HOUR, checkDuration(durationS)) as W;
}
