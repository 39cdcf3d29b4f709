/**
 * Resampling interval energy to market intervals (e.g. 15 min), exactly in integers.
 *
 * - Coarser target (hour → day, 5 min → 15 min): sum the source intervals of each target interval; the
 *   target is null if any of them is null or if the data do not cover it entirely (edges), and it is
 *   reported as a gap.
 * - Finer target (hour → 15 min): the source energy is spread EVENLY over its k parts — the only
 *   assumption available without sub-interval data, and said here so that nobody mistakes it for a
 *   measurement. q = ⌊E/k⌋ each and the remainder r = E − k·q goes 1 Wh at a time to the first r parts,
 *   so the parts sum to E exactly. Null stays null.
 *
 * Target intervals are aligned to the epoch (as core/time's market intervals); the lengths must divide
 * each other.
 */
import { PlurigridError } from "../../core/errors.js";
import { gapsOfIntervals, type IntervalEnergy } from "./energy.js";

function floorTo(ms: number, step: number): number {
  return Math.floor(ms / step) * step;
}

export function resampleEnergy(series: IntervalEnergy, targetMinutes: number): IntervalEnergy {
  const target = targetMinutes * 60_000;
  const { stepMs, startMs, energyWh } = series;
  if (!Number.isSafeInteger(target) || target <= 0 || (target % stepMs !== 0 && stepMs % target !== 0)) {
    throw new PlurigridError(
      "LOAD_RESAMPLE_INVALID",
      `cannot resample ${stepMs / 60_000}-minute intervals to ${targetMinutes} minutes: one length must divide the other`,
      { stepMinutes: stepMs / 60_000, targetMinutes },
    );
  }
  if (target === stepMs) return { ...series, energyWh: [...energyWh], gaps: [...series.gaps] };
  if (target < stepMs) {
    if (startMs % target !== 0) {
      throw new PlurigridError(
        "LOAD_RESAMPLE_INVALID",
        "the series does not start on a target interval boundary",
        {
          startMs,
          targetMinutes,
        },
      );
    }
    const k = stepMs / target;
    const out: (number | null)[] = [];
    for (const e of energyWh) {
      if (e === null) {
        for (let j = 0; j < k; j++) out.push(null);
        continue;
      }
      const q = Math.floor(e / k);
      const r = e - q * k;
      for (let j = 0; j < k; j++) out.push(q + (j < r ? 1 : 0));
    }
    return { startMs, stepMs: target, energyWh: out, gaps: gapsOfIntervals(startMs, target, out) };
  }
  const endMs = startMs + energyWh.length * stepMs;
  const first = floorTo(startMs, target);
  const count = Math.ceil((endMs - first) / target);
  const out: (number | null)[] = [];
  for (let t = 0; t < count; t++) {
    const from = first + t * target;
    const to = from + target;
    if (from < startMs || to > endMs) {
      out.push(null);
      continue;
    }
    let sum = 0;
    let known = true;
    for (let k = (from - startMs) / stepMs; k < (to - startMs) / stepMs; k++) {
      const e = energyWh[k];
      if (e === null) {
        known = false;
        break;
      }
      sum += e;
    }
    out.push(known ? sum : null);
  }
  return { startMs: first, stepMs: target, energyWh: out, gaps: gapsOfIntervals(first, target, out) };
}
