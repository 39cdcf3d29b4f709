/**
 * Interval energy series (integer Wh per fixed-length interval) and the conversion from cumulative meter
 * counters. Gaps are REPORTED, never filled: an interval whose energy is not known from the data is null,
 * and every such run is listed in `gaps` with its reason and, when the counters on both sides are known,
 * the total energy of the gap (so totals stay exact without guessing how it was spread).
 */
import { PlurigridError } from "../../core/errors.js";

export type GapReason =
  /** No reading before this point in the file (the channel starts later). */
  | "leading"
  /** No reading after this point. */
  | "trailing"
  /** One or more readings missing between two present readings. */
  | "missing"
  /** The counter went down (meter exchange or reset): the energy of that interval is unknown. */
  | "counterDecrease";

export interface Gap {
  startMs: number;
  endMs: number;
  intervals: number;
  reason: GapReason;
  /** Counter difference across the gap, Wh, when both ends are known ("missing"); otherwise null. */
  energyWh: number | null;
}

export interface IntervalEnergy {
  /** Start of the first interval, UTC ms. */
  startMs: number;
  stepMs: number;
  /** Energy of each interval, Wh; null inside a gap. */
  energyWh: (number | null)[];
  gaps: Gap[];
}

/**
 * Cumulative counter readings (Wh, null = missing) at startMs + k·stepMs → interval energies for the
 * n − 1 intervals between them. An interval is known only if the readings at both of its ends are present
 * and the counter did not decrease.
 */
export function countersToIntervals(
  startMs: number,
  stepMs: number,
  readingsWh: readonly (number | null)[],
): IntervalEnergy {
  if (!(stepMs > 0) || !Number.isSafeInteger(stepMs)) {
    throw new PlurigridError(
      "LOAD_STEP_INVALID",
      `interval length must be a positive integer ms, got ${stepMs}`,
      {
        stepMs,
      },
    );
  }
  const n = Math.max(readingsWh.length - 1, 0);
  const energyWh: (number | null)[] = new Array(n).fill(null);
  const gaps: Gap[] = [];
  const at = (k: number) => startMs + k * stepMs;
  let lastIndex = -1;
  for (let k = 0; k < readingsWh.length; k++) {
    const v = readingsWh[k];
    if (v === null) continue;
    if (!Number.isSafeInteger(v)) {
      throw new PlurigridError("LOAD_READING_INVALID", `counter reading ${k} is not an integer Wh: ${v}`, {
        index: k,
        value: v,
      });
    }
    if (lastIndex < 0) {
      if (k > 0) gaps.push({ startMs: at(0), endMs: at(k), intervals: k, reason: "leading", energyWh: null });
    } else {
      const prev = readingsWh[lastIndex] as number;
      const span = k - lastIndex;
      if (v < prev) {
        gaps.push({
          startMs: at(lastIndex),
          endMs: at(k),
          intervals: span,
          reason: "counterDecrease",
          energyWh: null,
        });
      } else if (span === 1) {
        energyWh[lastIndex] = v - prev;
      } else {
        gaps.push({
          startMs: at(lastIndex),
          endMs: at(k),
          intervals: span,
          reason: "missing",
          energyWh: v - prev,
        });
      }
    }
    lastIndex = k;
  }
  if (lastIndex < 0 && n > 0) {
    gaps.push({ startMs: at(0), endMs: at(n), intervals: n, reason: "leading", energyWh: null });
  } else if (lastIndex >= 0 && lastIndex < n) {
    gaps.push({
      startMs: at(lastIndex),
      endMs: at(n),
      intervals: n - lastIndex,
      reason: "trailing",
      energyWh: null,
    });
  }
  return { startMs, stepMs, energyWh, gaps };
}

/** Sum of the known interval energies, Wh. */
export function knownEnergyWh(series: IntervalEnergy): number {
  let s = 0;
  for (const e of series.energyWh) if (e !== null) s += e;
  return s;
}

/** The runs of null intervals of a series given directly as interval energies (no counters). */
export function gapsOfIntervals(
  startMs: number,
  stepMs: number,
  energyWh: readonly (number | null)[],
): Gap[] {
  const gaps: Gap[] = [];
  let k = 0;
  while (k < energyWh.length) {
    if (energyWh[k] !== null) {
      k++;
      continue;
    }
    const from = k;
    while (k < energyWh.length && energyWh[k] === null) k++;
    const reason: GapReason = from === 0 ? "leading" : k === energyWh.length ? "trailing" : "missing";
    gaps.push({
      startMs: startMs + from * stepMs,
      endMs: startMs + k * stepMs,
      intervals: k - from,
      reason,
      energyWh: null,
    });
  }
  return gaps;
}
