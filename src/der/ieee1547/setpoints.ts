import { MICRO, mulDivExact as mulDiv, NOMINAL_FREQUENCY_MILLI_HZ } from "./fixed.js";
import type { Ieee1547Settings } from "./settings.js";

/**
 * The set points the standard's functions ask for, in micro p.u. of the rating (Q positive = injection).
 * Integer arithmetic with core's mulDiv (exact, round half to even), except the constant power factor, which
 * needs one square root: sqrt, * and / on safe integers in a fixed order, then Math.round (IEEE-754 results
 * are correctly rounded, so the same on every engine).
 */

/** Piecewise-linear curve through `points` (x ascending), flat beyond the first and last points. */
export function interpolate(points: readonly (readonly [number, number])[], x: number): number {
  if (x <= points[0][0]) return points[0][1];
  for (let i = 1; i < points.length; i++) {
    const [x1, y1] = points[i];
    if (x <= x1) {
      const [x0, y0] = points[i - 1];
      if (x1 === x0) return y1;
      return y0 + mulDiv(y1 - y0, x - x0, x1 - x0);
    }
  }
  return points[points.length - 1][1];
}

/** Volt-var (§5.3.3, Table 8): Q at voltage v. */
export const voltVarQ = (s: Ieee1547Settings, v: number): number => interpolate(s.voltVar.points, v);

/** Watt-var (§5.3.4, Table 9): Q at active power p. */
export const wattVarQ = (s: Ieee1547Settings, p: number): number => interpolate(s.wattVar.points, p);

/** Constant power factor (§5.3.2): |Q| = |P| * sqrt(1 - pf^2) / pf, injecting (+) or absorbing (-). */
export function constantPfQ(s: Ieee1547Settings, p: number): number {
  const pf = s.constantPf.pfMicro;
  const q = Math.round((Math.abs(p) * Math.sqrt(MICRO * MICRO - pf * pf)) / pf);
  return (s.constantPf.excitation === "injecting" ? q : -q) + 0;
}

/** The reactive power set point of the active mode; null when it needs P and P is not measured. */
export function reactiveSetpoint(s: Ieee1547Settings, v: number, p: number | null): number | null {
  switch (s.reactiveMode) {
    case "voltVar":
      return voltVarQ(s, v);
    case "constantVar":
      return s.constantVar.qMicroPu;
    case "constantPf":
      return p === null ? null : constantPfQ(s, p);
    case "wattVar":
      return p === null ? null : wattVarQ(s, p);
  }
}

/** Volt-watt (§5.4.2, Table 10): the active power limit at v, or null when volt-watt is not enabled. */
export function voltWattLimit(s: Ieee1547Settings, v: number): number | null {
  return s.voltWatt.enabled ? interpolate(s.voltWatt.points, v) : null;
}

/**
 * Frequency droop (§6.5.2.7, Table 24): outside the deadband, P = Ppre -/+ (|f - 60| - db) / (60 k) * Prated,
 * not below 0 (Pmin is not known here) and not above Prated (the available power is not known here).
 * Inside the deadband: null (no droop response required).
 */
export function droopSetpoint(s: Ieee1547Settings, f: number, pPre: number): number | null {
  const d = s.freqDroop;
  const over = f - NOMINAL_FREQUENCY_MILLI_HZ - d.dbOfMilliHz;
  const under = NOMINAL_FREQUENCY_MILLI_HZ - d.dbUfMilliHz - f;
  // (df mHz / 1000) / (60 k_micro / 1e6) p.u. = df * 1e9 / (60 k) micro p.u.
  if (over > 0) return Math.max(0, pPre - mulDiv(over, 1_000_000_000, 60 * d.kOfMicro));
  if (under > 0) return Math.min(MICRO, pPre + mulDiv(under, 1_000_000_000, 60 * d.kUfMicro));
  return null;
}

/** Tolerances on the inputs and outputs of a set point (fixed.ts RESPONSE_TOLERANCE). */
export interface Tolerance {
  vMicroPu: number;
  fMilliHz: number;
  pMicroPu: number;
}

/** The clause and table of each reactive power mode. */
export const REACTIVE_CLAUSE: Readonly<Record<Ieee1547Settings["reactiveMode"], string>> = {
  constantPf: "5.3.2 (Table 7)",
  voltVar: "5.3.3 (Table 8)",
  wattVar: "5.3.4 (Table 9)",
  constantVar: "5.3.5 (Table 7)",
};

/** The range of reactive power set points over V ± tol and P ± tol (the measured inputs' uncertainty). */
export function reactiveBand(
  s: Ieee1547Settings,
  v: number,
  p: number | null,
  tol: Tolerance,
): { lo: number; hi: number } {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const dv of [-tol.vMicroPu, 0, tol.vMicroPu]) {
    for (const dp of p === null ? [0] : [-tol.pMicroPu, 0, tol.pMicroPu]) {
      const x = reactiveSetpoint(s, v + dv, p === null ? null : p + dp);
      if (x === null) continue;
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
  }
  return { lo, hi };
}

/**
 * The highest active power allowed, with the inputs moved in the DER's favour: the volt-watt limit at V - tol
 * and the over-frequency droop at f - tol (from the pre-disturbance P). Null when neither applies.
 */
export function activePowerLimit(
  s: Ieee1547Settings,
  v: number,
  f: number,
  pPre: number | null,
  tol: Tolerance,
): { limit: number; byDroop: boolean } | null {
  const vw = voltWattLimit(s, v - tol.vMicroPu);
  const dr =
    pPre !== null && f - tol.fMilliHz > NOMINAL_FREQUENCY_MILLI_HZ
      ? droopSetpoint(s, f - tol.fMilliHz, pPre)
      : null;
  if (vw === null && dr === null) return null;
  if (dr === null || (vw !== null && vw < dr)) return { limit: vw as number, byDroop: false };
  return { limit: dr, byDroop: true };
}
