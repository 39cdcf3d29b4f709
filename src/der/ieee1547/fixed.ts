import { mulDiv } from "../../core/units.js";

/**
 * The fixed-point representation every IEEE 1547 decision is made in, here and in the protocol.
 *
 * Voltage, active and reactive power, droop gains and power factors are integers in micro units
 * (1 p.u. = 1_000_000, so 0.917 p.u. = 917_000 and k = 0.05 is 50_000); frequency is in mHz
 * (60 Hz = 60_000); time is in ms. Decisions use only integer arithmetic, comparisons and, where a
 * quotient is unavoidable, one IEEE-754 division of two safe integers followed by an explicit rounding
 * (or a square root, for the power factor): the same result on every conforming JavaScript engine.
 */

/** p.u. and dimensionless ratios -> micro units. */
export const MICRO = 1_000_000;
/** Hz -> mHz and s -> ms. */
export const MILLI = 1_000;

/** 60 Hz systems: the tables of ../shared/docs/ieee1547-2018.md are for 60 Hz. */
export const NOMINAL_FREQUENCY_MILLI_HZ = 60_000;

/**
 * `x` (a decimal from a settings file) as an integer number of 1/scale units, or null when `x` is not a
 * multiple of 1/scale. Exact for every decimal with at most log10(scale) fraction digits: Math.round
 * recovers the integer, and integer / scale is the double nearest to the decimal, which is what the
 * JSON parser produced, so the round trip is an identity test.
 */
export function toFixedExact(x: number, scale: number): number | null {
  const n = Math.round(x * scale);
  if (!Number.isSafeInteger(n) || n / scale !== x) return null;
  return n + 0; // normalises -0
}

/** A measurement (not a setting) rounded to the nearest 1/scale unit (half up, Math.round). */
export function toFixedRounded(x: number, scale: number): number {
  return Math.round(x * scale) + 0;
}

/** An integer of 1/scale units back in file units (display and JSON answers only). */
export function fromFixed(n: number, scale: number): number {
  return n / scale;
}

/**
 * IEEE 1547-2018 Table 3, steady-state minimum measurement accuracy: voltage ±1 % of nominal, frequency
 * ±10 mHz, active and reactive power ±5 % of the rating.
 */
export const MEASUREMENT_ACCURACY = {
  vMicroPu: 10_000,
  fMilliHz: 10,
  pMicroPu: 50_000,
  qMicroPu: 50_000,
} as const;

/**
 * The band a measured response may deviate from a set point before it is called wrong: 1.5 times the
 * Table 3 accuracy, the test-result criterion UL 1741 SB applies to IEEE 1547.1-2020 tests (on the input,
 * so the set point is taken over V ± 1.5 %, f ± 15 mHz; and on the output, ±7.5 % of the rating).
 */
export const RESPONSE_TOLERANCE = {
  vMicroPu: 15_000,
  fMilliHz: 15,
  pMicroPu: 75_000,
  qMicroPu: 75_000,
} as const;

/** Two cycles at 60 Hz, rounded down to the ms: Table 3's time accuracy for transients (100 ms to 5 s). */
export const TRANSIENT_TIME_TOLERANCE_MS = 33;

/**
 * How far a trip or re-entry may be from a time the standard sets before it counts as early or late:
 * Table 3's time accuracy, 1 % of the duration from 5 s up, two cycles below.
 */
export function timeToleranceMs(durationMs: number): number {
  return durationMs >= 5_000 ? Math.floor(durationMs / 100) : TRANSIENT_TIME_TOLERANCE_MS;
}

/**
 * a * b / d for safe integers, rounded half to even: the same result as core's mulDiv (tested equal), without
 * bigint when the product is a safe integer, which is every case of the set-point curves (products of
 * micro p.u. values stay below 2^52). The quotient estimate from one IEEE-754 division is corrected with the
 * exact integer remainder, so the result is exact.
 */
export function mulDivExact(a: number, b: number, d: number): number {
  const n = a * b;
  // |n| <= 2^52 keeps q * den (within one den of n) exactly representable.
  if (!Number.isSafeInteger(n) || Math.abs(n) > 2 ** 52 || !Number.isSafeInteger(d) || d === 0)
    return mulDiv(a, b, d);
  const num = d < 0 ? -n : n;
  const den = Math.abs(d);
  let q = Math.floor(num / den);
  let r = num - q * den;
  while (r < 0) {
    q -= 1;
    r += den;
  }
  while (r >= den) {
    q += 1;
    r -= den;
  }
  const twice = 2 * r;
  if (twice > den || (twice === den && q % 2 !== 0)) q += 1;
  return q + 0;
}
