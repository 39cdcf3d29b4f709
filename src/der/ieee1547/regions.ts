import { PlurigridError } from "../../core/errors.js";
import { timeToleranceMs } from "./fixed.js";
import { type Band, type Category, FREQUENCY_RIDE_THROUGH, VOLTAGE_RIDE_THROUGH } from "./tables.js";

/**
 * The operating region the standard requires at an instant, from the band the voltage or frequency is in and
 * how long the excursion has lasted. Ordered from the strictest to the most permissive:
 * continuous and mandatory operation (keep energizing), permissive operation and momentary cessation (may
 * or must cease to energize, must not trip), may trip (the minimum ride-through time has passed, or the band
 * has no requirement), cease to energize, shall trip (a trip setting's clearing time has passed).
 */
export const REGIONS = [
  "continuous",
  "mandatory",
  "permissive",
  "momentary_cessation",
  "may_trip",
  "cease_to_energize",
  "shall_trip",
] as const;
export type Region = (typeof REGIONS)[number];

const RANK: Readonly<Record<Region, number>> = {
  continuous: 0,
  mandatory: 1,
  permissive: 2,
  momentary_cessation: 3,
  may_trip: 4,
  cease_to_energize: 5,
  shall_trip: 6,
};
export const regionRank = (r: Region): number => RANK[r];
export const morePermissive = (a: Region, b: Region): Region => (regionRank(a) >= regionRank(b) ? a : b);

/** May the DER cease to energize in this region? (permissive and beyond) */
export const mayCease = (r: Region): boolean => regionRank(r) >= regionRank("permissive");
/** May the DER trip in this region? (may trip and beyond) */
export const mayTrip = (r: Region): boolean => regionRank(r) >= regionRank("may_trip");

export function bandOf(bands: readonly Band[], x: number): Band {
  for (const b of bands) {
    const aboveLo = b.lo === null || (b.loInclusive ? x >= b.lo : x > b.lo);
    const belowHi = b.hi === null || (b.hiInclusive ? x <= b.hi : x < b.hi);
    if (aboveLo && belowHi) return b;
  }
  throw new PlurigridError(
    "INTERNAL_INVARIANT",
    `invariant violated: the ride-through bands do not cover ${x}`,
  );
}

/** Minimum ride-through time of a band at x, in ms (Tables 14 and 15 use a line in V: rounded down to the ms). */
export function minTimeMs(b: Band, x: number): number | null {
  switch (b.minTime.kind) {
    case "none":
      return null;
    case "fixed":
      return b.minTime.ms;
    case "linear":
      return b.minTime.baseMs + Math.floor(((x - b.minTime.v0) * b.minTime.slopeMsPerPu) / 1_000_000);
  }
}

export interface BandRegion {
  region: Region;
  band: Band;
  /** End of the minimum ride-through time, ms after the start of the excursion (null: none). */
  rideThroughMs: number | null;
}

/**
 * The region in `band` after `elapsedMs` of excursion. With `lenient`, the ride-through time is taken as over
 * when within the Table 3 time accuracy of its end (the benefit of the doubt goes to the DER).
 */
export function regionInBand(b: Band, x: number, elapsedMs: number, lenient: boolean): BandRegion {
  switch (b.requirement) {
    case "continuous":
      return { region: "continuous", band: b, rideThroughMs: null };
    case "cease_to_energize":
      return { region: "cease_to_energize", band: b, rideThroughMs: null };
    case "no_requirement":
      return { region: "may_trip", band: b, rideThroughMs: null };
    default: {
      const t = minTimeMs(b, x) ?? 0;
      const slack = lenient ? timeToleranceMs(t) : 0;
      if (elapsedMs + slack >= t) return { region: "may_trip", band: b, rideThroughMs: t };
      return { region: b.requirement, band: b, rideThroughMs: t };
    }
  }
}

export const voltageBands = (c: Category): readonly Band[] => VOLTAGE_RIDE_THROUGH[c];
export const frequencyBands = (): readonly Band[] => FREQUENCY_RIDE_THROUGH;

/**
 * The most permissive region over x - margin, x and x + margin, with the ride-through times given the Table 3
 * time accuracy: what the DER can be held to when the measurement is uncertain.
 */
export function lenientRegion(
  bands: readonly Band[],
  x: number,
  margin: number,
  elapsedMs: (side: Band["side"]) => number,
): BandRegion {
  let best: BandRegion | null = null;
  for (const y of [x - margin, x, x + margin]) {
    const b = bandOf(bands, y);
    const r = regionInBand(b, y, elapsedMs(b.side), true);
    if (best === null || regionRank(r.region) > regionRank(best.region)) best = r;
  }
  return best as BandRegion;
}
