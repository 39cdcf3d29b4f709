import { ExcursionClock, FREQUENCY_RIDE_THROUGH_WINDOW_MS } from "./clock.js";
import {
  fromFixed,
  MICRO,
  MILLI,
  mulDivExact as mulDiv,
  NOMINAL_FREQUENCY_MILLI_HZ,
  RESPONSE_TOLERANCE,
  timeToleranceMs,
} from "./fixed.js";
import {
  type BandRegion,
  bandOf,
  frequencyBands,
  lenientRegion,
  mayCease,
  mayTrip,
  morePermissive,
  type Region,
  regionInBand,
  voltageBands,
} from "./regions.js";
import {
  activePowerLimit,
  droopSetpoint,
  REACTIVE_CLAUSE,
  reactiveBand,
  reactiveSetpoint,
  voltWattLimit,
} from "./setpoints.js";
import type { Ieee1547Settings } from "./settings.js";
import { type Band, FREQUENCY_TRIP, VOLTAGE_TRIP } from "./tables.js";
import type { DerState, TraceSample } from "./trace.js";
import { isVoltageTrip, TripFunctions, type TripName } from "./trips.js";

/**
 * What the standard requires at every instant of a measured trace, and whether the DER's measured response
 * complied. Pure integer logic over fixed-point samples (fixed.ts); the same trace and settings give the same
 * verdict everywhere, which is what lets the protocol settle a disturbance by code.
 *
 * The benefit of the doubt goes to the DER: a violation is found only when it holds with the measured
 * voltage and frequency moved by the response tolerance (fixed.ts: 1.5 times the Table 3 accuracy) in the
 * DER's favour, with the times given the Table 3 time accuracy, and the response outside the set point band
 * widened by the output tolerance.
 */

export interface Instant {
  tMs: number;
  v: number;
  f: number;
  state: DerState;
  /** The most permissive of the voltage and frequency regions (shall_trip when a clearing time has passed). */
  region: Region;
  voltageRegion: Region;
  frequencyRegion: Region;
  /** When the current minimum ride-through requirement ends (null: none in force). */
  rideThroughUntilMs: number | null;
  /** The earliest clearing deadline of a trip function whose pickup is exceeded (null: none). */
  shallTripByMs: number | null;
  /** Reactive power set point of the active mode (null: it needs P, which the trace lacks). */
  qSet: number | null;
  /** Volt-watt active power limit (null: volt-watt not enabled). */
  pVoltWatt: number | null;
  /** Frequency-droop active power set point (null: inside the deadband, or no pre-disturbance P known). */
  pDroop: number | null;
}

export const COMPLIANCE_CODES = [
  "IEEE1547_TRIPPED_IN_RIDE_THROUGH",
  "IEEE1547_FAILED_TO_TRIP",
  "IEEE1547_WRONG_REACTIVE_POWER",
  "IEEE1547_WRONG_ACTIVE_POWER",
  "IEEE1547_EARLY_REENTRY",
  "IEEE1547_ENTER_SERVICE_RAMP",
] as const;
export type ComplianceCode = (typeof COMPLIANCE_CODES)[number];

export interface ComplianceViolation {
  code: ComplianceCode;
  /** The clause of IEEE 1547-2018 that is not met, with its table. */
  clause: string;
  /** First and last instant (ms) of a run of consecutive samples with the same violation. */
  fromMs: number;
  toMs: number;
  message: string;
  details: Record<string, string | number | null>;
}

export interface Evaluation {
  compliant: boolean;
  violations: ComplianceViolation[];
  /** True when more violations were found than `maxViolations` (only the first ones are listed). */
  truncated: boolean;
  instants: Instant[];
}

export interface EvaluateOptions {
  /** Keep per-instant requirements (the protocol does not store them). Default true. */
  instants?: boolean;
  /** Most violations listed. Default 1,000. */
  maxViolations?: number;
}

/** Settling time for the reactive power modes without a response time setting (the Table 8 Category A Tr). */
const REACTIVE_SETTLE_DEFAULT_MS = 10_000;

const pu = (n: number) => fromFixed(n, MICRO);
const sec = (n: number) => fromFixed(n, MILLI);
const hz = (n: number) => fromFixed(n, MILLI);

/** End of the minimum ride-through time in force in a band region (if the excursion goes on), or null. */
function rideThroughEnd(r: BandRegion, tMs: number, elapsedMs: number): number | null {
  if (r.rideThroughMs === null || r.region === "may_trip") return null;
  return tMs + r.rideThroughMs - elapsedMs;
}
const earliest = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));

export function evaluateTrace(
  s: Ieee1547Settings,
  samples: readonly TraceSample[],
  opts: EvaluateOptions = {},
): Evaluation {
  const keepInstants = opts.instants !== false;
  const maxViolations = opts.maxViolations ?? 1_000;
  const tol = RESPONSE_TOLERANCE;
  const vBands = voltageBands(s.category);
  const fBands = frequencyBands();

  const violations: ComplianceViolation[] = [];
  let truncated = false;
  /** Open runs of a violation, by key: the index in `violations` and the sample it was last seen at. */
  const runs = new Map<string, { index: number; sample: number }>();
  /** Records a violation, or extends the open run of the same key; `make` builds it only when needed. */
  const report = (
    i: number,
    key: string,
    make: () => Omit<ComplianceViolation, "fromMs" | "toMs">,
    atMs: number,
  ) => {
    const open = runs.get(key);
    if (open !== undefined && open.sample === i - 1) {
      violations[open.index].toMs = atMs;
      open.sample = i;
      return;
    }
    if (violations.length >= maxViolations) {
      truncated = true;
      return;
    }
    violations.push({ ...make(), fromMs: atMs, toMs: atMs });
    runs.set(key, { index: violations.length - 1, sample: i });
  };

  // Time out of the continuous band, per side (exact measured values): the ride-through clocks.
  const clocks = {
    v: { low: new ExcursionClock(null), high: new ExcursionClock(null) },
    f: {
      low: new ExcursionClock(FREQUENCY_RIDE_THROUGH_WINDOW_MS),
      high: new ExcursionClock(FREQUENCY_RIDE_THROUGH_WINDOW_MS),
    },
  };
  const trips = new TripFunctions(s);
  let qRef: { v: number; p: number | null; tMs: number } | null = null;
  let pRef: { v: number; f: number; tMs: number } | null = null;
  let pPre: number | null = null;
  let enterOkSince: number | null = null;
  let awaitingReentry = false;
  let reentryMs: number | null = null;
  const instants: Instant[] = [];

  const elapsed = (side: Band["side"], which: "v" | "f", t: number): number =>
    side === "normal" ? 0 : clocks[which][side].elapsedMs(t);
  const tripSpec = (n: TripName) => (isVoltageTrip(n) ? VOLTAGE_TRIP[s.category][n] : FREQUENCY_TRIP[n]);

  for (let i = 0; i < samples.length; i++) {
    const { tMs: t, v, f, p, q, state } = samples[i];
    const prev = i > 0 ? samples[i - 1].state : state;
    const endMs = i + 1 < samples.length ? samples[i + 1].tMs : t + 1;

    // Ride-through clocks.
    const vSide = bandOf(vBands, v).side;
    clocks.v.low.update(vSide === "low", t);
    clocks.v.high.update(vSide === "high", t);
    const fSide = bandOf(fBands, f).side;
    clocks.f.low.update(fSide === "low", t);
    clocks.f.high.update(fSide === "high", t);

    // Trip functions.
    trips.update(v, f, t);
    const shallTripByMs = trips.shallTripByMs;

    // Required regions (exact values).
    const vElapsed = elapsed(vSide, "v", t);
    const fElapsed = elapsed(fSide, "f", t);
    const vr = regionInBand(bandOf(vBands, v), v, vElapsed, false);
    const fr = regionInBand(bandOf(fBands, f), f, fElapsed, false);
    let region = morePermissive(vr.region, fr.region);
    if (shallTripByMs !== null && t >= shallTripByMs) region = "shall_trip";
    const rideThroughUntilMs = earliest(rideThroughEnd(vr, t, vElapsed), rideThroughEnd(fr, t, fElapsed));

    // Set points.
    const qSet = reactiveSetpoint(s, v, p);
    const pVoltWatt = voltWattLimit(s, v);
    const pDroop = pPre === null ? null : droopSetpoint(s, f, pPre);

    // 1. Ceasing or tripping where the standard requires ride-through (checked at each change of state).
    const ceasing = prev === "on" && state === "ceased";
    const tripping = prev !== "tripped" && state === "tripped";
    if (ceasing || tripping) {
      const lv = lenientRegion(vBands, v, tol.vMicroPu, (side) => elapsed(side, "v", t));
      const lf = lenientRegion(fBands, f, tol.fMilliHz, (side) => elapsed(side, "f", t));
      const lenient: Region = trips.deadlineNear ? "shall_trip" : morePermissive(lv.region, lf.region);
      const allowed = tripping ? mayTrip(lenient) : mayCease(lenient);
      if (!allowed) {
        const byVoltage = tripping ? !mayTrip(lv.region) : !mayCease(lv.region);
        const r = byVoltage ? lv : lf;
        const clause = byVoltage ? `6.4.2 (${r.band.table})` : `6.5.2 (${r.band.table})`;
        const what = byVoltage ? `voltage ${pu(v)} p.u.` : `frequency ${hz(f)} Hz`;
        report(
          i,
          `ride-through@${i}`,
          () => ({
            code: "IEEE1547_TRIPPED_IN_RIDE_THROUGH",
            clause,
            message: `${tripping ? "tripped" : "ceased to energize"} at ${sec(t)} s in ${r.region.replaceAll("_", " ")} operation (${what}, minimum ride-through ${r.rideThroughMs === null ? "continuous" : `${sec(r.rideThroughMs)} s`})`,
            details: {
              state,
              region: r.region,
              rideThroughS: r.rideThroughMs === null ? null : sec(r.rideThroughMs),
            },
          }),
          t,
        );
      }
    }

    // 2. Still energizing after a trip function's clearing time (plus the time accuracy).
    for (const { name: n, sinceMs: since, deadlineMs: deadline } of trips.failures(state === "on", endMs)) {
      const k = s.trip[n];
      const spec = tripSpec(n);
      const unit = isVoltageTrip(n) ? "p.u." : "Hz";
      const pickup = isVoltageTrip(n) ? pu(k.pickup) : hz(k.pickup);
      report(
        i,
        `trip-${n}@${i}`,
        () => ({
          code: "IEEE1547_FAILED_TO_TRIP",
          clause: `${isVoltageTrip(n) ? "6.4.1" : "6.5.1"} (${spec.table})`,
          message: `${n.toUpperCase()} (${pickup} ${unit}, clearing time ${sec(k.clearingMs)} s) exceeded since ${sec(since)} s; still energizing at ${sec(Math.max(deadline, t))} s`,
          details: {
            function: n,
            pickup,
            clearingS: sec(k.clearingMs),
            sinceS: sec(since),
            deadlineS: sec(deadline),
          },
        }),
        Math.max(deadline, t),
      );
    }

    // 3. Re-entry after a trip: enter-service window held for the delay (Table 4), then the ramp.
    const es = s.enterService;
    const inWindow =
      v >= es.vMin - tol.vMicroPu &&
      v <= es.vMax + tol.vMicroPu &&
      f >= es.fMin - tol.fMilliHz &&
      f <= es.fMax + tol.fMilliHz;
    enterOkSince = inWindow ? (enterOkSince ?? t) : null;
    if (state === "tripped") {
      awaitingReentry = true;
      reentryMs = null;
    }
    if (awaitingReentry && state === "on") {
      awaitingReentry = false;
      reentryMs = t;
      const heldMs = enterOkSince === null ? 0 : t - enterOkSince;
      if (heldMs < es.delayMs - timeToleranceMs(es.delayMs)) {
        report(
          i,
          `reentry@${i}`,
          () => ({
            code: "IEEE1547_EARLY_REENTRY",
            clause: "4.10 (Table 4)",
            message: `re-entered service at ${sec(t)} s after ${sec(heldMs)} s within ${pu(es.vMin)}-${pu(es.vMax)} p.u. and ${hz(es.fMin)}-${hz(es.fMax)} Hz; the delay is ${sec(es.delayMs)} s`,
            details: { heldS: sec(heldMs), delayS: sec(es.delayMs) },
          }),
          t,
        );
      }
    }
    if (reentryMs !== null && state === "on" && p !== null && t < reentryMs + es.rampMs) {
      const intoRampMs = t - reentryMs;
      const limit = mulDiv(intoRampMs, MICRO, es.rampMs) + tol.pMicroPu;
      if (p > limit) {
        report(
          i,
          "ramp",
          () => ({
            code: "IEEE1547_ENTER_SERVICE_RAMP",
            clause: "4.10.3 (Table 4)",
            message: `active power ${pu(p)} p.u. at ${sec(intoRampMs)} s into a ${sec(es.rampMs)} s enter-service ramp`,
            details: { pPu: pu(p), limitPu: pu(limit) },
          }),
          t,
        );
      }
    }
    if (state !== "on") reentryMs = null;

    // 4. Reactive power in steady state: two response times after the last step of V (or P), in continuous operation.
    if (state !== "on") qRef = null;
    else if (
      qRef === null ||
      Math.abs(v - qRef.v) > tol.vMicroPu ||
      (p !== null && qRef.p !== null && Math.abs(p - qRef.p) > tol.pMicroPu)
    )
      qRef = { v, p, tMs: t };
    const settleQ = s.reactiveMode === "voltVar" ? s.voltVar.responseMs : REACTIVE_SETTLE_DEFAULT_MS;
    if (
      state === "on" &&
      q !== null &&
      qSet !== null &&
      region === "continuous" &&
      qRef !== null &&
      t - qRef.tMs >= 2 * settleQ
    ) {
      const { lo, hi } = reactiveBand(s, v, p, tol);
      if (q < lo - tol.qMicroPu || q > hi + tol.qMicroPu) {
        const clause = REACTIVE_CLAUSE[s.reactiveMode];
        report(
          i,
          "q",
          () => ({
            code: "IEEE1547_WRONG_REACTIVE_POWER",
            clause,
            message: `reactive power ${pu(q)} p.u. at ${sec(t)} s, ${s.reactiveMode} asks for ${pu(qSet)} p.u. (allowed ${pu(lo - tol.qMicroPu)} to ${pu(hi + tol.qMicroPu)})`,
            details: {
              qPu: pu(q),
              qSetPu: pu(qSet),
              minPu: pu(lo - tol.qMicroPu),
              maxPu: pu(hi + tol.qMicroPu),
            },
          }),
          t,
        );
      }
    }

    // 5. Active power not above the volt-watt limit or the over-frequency droop, in steady state.
    if (state !== "on") pRef = null;
    else if (pRef === null || Math.abs(v - pRef.v) > tol.vMicroPu || Math.abs(f - pRef.f) > tol.fMilliHz)
      pRef = { v, f, tMs: t };
    const settleP = 2 * Math.max(s.voltWatt.responseMs, s.freqDroop.responseMs);
    if (
      state === "on" &&
      p !== null &&
      (region === "continuous" || region === "mandatory") &&
      pRef !== null &&
      t - pRef.tMs >= settleP
    ) {
      const lim = activePowerLimit(s, v, f, pPre, tol);
      if (lim !== null && p > lim.limit + tol.pMicroPu) {
        const { limit, byDroop } = lim;
        report(
          i,
          "p",
          () => ({
            code: "IEEE1547_WRONG_ACTIVE_POWER",
            clause: byDroop ? "6.5.2.7 (Table 24)" : "5.4.2 (Table 10)",
            message: `active power ${pu(p)} p.u. at ${sec(t)} s above the ${byDroop ? "frequency-droop" : "volt-watt"} limit ${pu(limit)} p.u.`,
            details: { pPu: pu(p), limitPu: pu(limit) },
          }),
          t,
        );
      }
    }
    const d = s.freqDroop;
    if (
      state === "on" &&
      p !== null &&
      f <= NOMINAL_FREQUENCY_MILLI_HZ + d.dbOfMilliHz &&
      f >= NOMINAL_FREQUENCY_MILLI_HZ - d.dbUfMilliHz
    )
      pPre = p;

    if (keepInstants) {
      instants.push({
        tMs: t,
        v,
        f,
        state,
        region,
        voltageRegion: vr.region,
        frequencyRegion: fr.region,
        rideThroughUntilMs,
        shallTripByMs,
        qSet,
        pVoltWatt,
        pDroop,
      });
    }
  }
  return { compliant: violations.length === 0 && !truncated, violations, truncated, instants };
}
