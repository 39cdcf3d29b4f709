import { RESPONSE_TOLERANCE, timeToleranceMs } from "./fixed.js";
import type { Ieee1547Settings } from "./settings.js";
import { FREQUENCY_TRIPS, type FrequencyTripName, VOLTAGE_TRIPS, type VoltageTripName } from "./tables.js";

/**
 * The eight "shall trip" functions over a trace (Tables 11-13 and 18): when each pickup has been exceeded since,
 * the earliest clearing deadline, and which functions the DER failed to obey. A pickup is exceeded strictly
 * (V > OV pickup, V < UV pickup, same for f). For the verdict, a function counts only while its pickup is exceeded
 * by more than the input tolerance, and its deadline gets the Table 3 time accuracy.
 */

export type TripName = VoltageTripName | FrequencyTripName;
export const TRIP_NAMES: readonly TripName[] = [...VOLTAGE_TRIPS, ...FREQUENCY_TRIPS];
export const isVoltageTrip = (n: TripName): n is VoltageTripName =>
  n === "ov1" || n === "ov2" || n === "uv1" || n === "uv2";
const isOver = (n: TripName) => n.startsWith("o");

export interface TripFailure {
  name: TripName;
  /** Since when the pickup has been exceeded by more than the tolerance (ms). */
  sinceMs: number;
  /** Clearing time plus its time accuracy after sinceMs. */
  deadlineMs: number;
}

export class TripFunctions {
  // Indexed like TRIP_NAMES; null = not exceeded.
  private readonly exactSince: (number | null)[] = TRIP_NAMES.map(() => null);
  private readonly clearSince: (number | null)[] = TRIP_NAMES.map(() => null);
  private readonly failed: boolean[] = TRIP_NAMES.map(() => false);
  /** The earliest clearing deadline of the functions picked up at the last update (exact values), or null. */
  shallTripByMs: number | null = null;
  /** True when some function is within its time accuracy of, or past, its clearing deadline. */
  deadlineNear = false;

  constructor(private readonly s: Ieee1547Settings) {}

  /** The measured v (micro p.u.) and f (mHz) from `tMs` on. */
  update(v: number, f: number, tMs: number): void {
    this.shallTripByMs = null;
    this.deadlineNear = false;
    for (let j = 0; j < TRIP_NAMES.length; j++) {
      const n = TRIP_NAMES[j];
      const voltage = isVoltageTrip(n);
      const x = voltage ? v : f;
      const k = this.s.trip[n];
      const margin = voltage ? RESPONSE_TOLERANCE.vMicroPu : RESPONSE_TOLERANCE.fMilliHz;
      const exceeded = isOver(n) ? x > k.pickup : x < k.pickup;
      const clearly = isOver(n) ? x > k.pickup + margin : x < k.pickup - margin;
      if (exceeded) {
        const since = this.exactSince[j] ?? tMs;
        this.exactSince[j] = since;
        const deadline = since + k.clearingMs;
        this.shallTripByMs = this.shallTripByMs === null ? deadline : Math.min(this.shallTripByMs, deadline);
        if (tMs >= deadline - timeToleranceMs(k.clearingMs)) this.deadlineNear = true;
      } else this.exactSince[j] = null;
      if (clearly) this.clearSince[j] = this.clearSince[j] ?? tMs;
      else {
        this.clearSince[j] = null;
        this.failed[j] = false;
      }
    }
  }

  /**
   * The functions whose deadline falls before `untilMs` while the DER still energizes (each reported once per
   * pickup): call with the DER's state from the last update until the next sample.
   */
  failures(energizing: boolean, untilMs: number): TripFailure[] {
    if (!energizing) return [];
    const out: TripFailure[] = [];
    for (let j = 0; j < TRIP_NAMES.length; j++) {
      const since = this.clearSince[j];
      if (since === null || this.failed[j]) continue;
      const k = this.s.trip[TRIP_NAMES[j]];
      const deadline = since + k.clearingMs + timeToleranceMs(k.clearingMs);
      if (deadline >= untilMs) continue;
      this.failed[j] = true;
      out.push({ name: TRIP_NAMES[j], sinceMs: since, deadlineMs: deadline });
    }
    return out;
  }
}
