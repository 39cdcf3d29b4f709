/**
 * The one rule by which the device models turn a physical (floating-point) quantity into the project's
 * integers: round to the nearest integer, ties to even (the same rule as core's mulDiv).
 */
import { PlurigridError } from "../../core/errors.js";

export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) {
    throw new PlurigridError("DER_NOT_FINITE", `cannot round ${x} to an integer`, { value: x });
  }
  const f = Math.floor(x);
  const d = x - f;
  const r = d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
  if (!Number.isSafeInteger(r)) {
    throw new PlurigridError("UNIT_OVERFLOW", `${x} is outside the exact integer range`, { value: x });
  }
  return r + 0;
}
