/**
 * A battery as the market sees it: state of charge in integer Wh, one-way efficiencies on the way in and
 * out, power and energy limits, and a degradation cost per kWh moved through the cells.
 *
 * Sign: power and grid energy are positive when the battery CHARGES (draws from the grid) and negative when
 * it discharges. Every quantity is an integer (W, Wh, micro-units); every division is core's mulDiv
 * (round half to even), so the ledger of one step balances exactly:
 *
 *     gridWh = storedWh + lossWh        (storedWh = change of the state of charge)
 *
 * Over a request the battery cannot meet, mode "clip" gives the largest feasible step and says which limit
 * bound it (`limitedBy`); mode "strict" throws BATTERY_POWER_LIMIT or BATTERY_ENERGY_LIMIT instead.
 */
import { z } from "zod";
import { PlurigridError } from "../../core/errors.js";
import {
  energyCost,
  energyFromPower,
  type Micros,
  type MicrosPerKWh,
  mulDiv,
  W,
  type Wh,
} from "../../core/units.js";

const PPM = 1_000_000;
const int = z.number().int().safe();

export const batterySpecSchema = z
  .strictObject({
    capacityWh: int.positive(),
    /** Lowest and highest allowed state of charge, Wh (default 0 and the capacity). */
    socMinWh: int.nonnegative().default(0),
    socMaxWh: int.positive().optional(),
    chargePowerMaxW: int.nonnegative(),
    dischargePowerMaxW: int.nonnegative(),
    /** One-way efficiencies in parts per million (950000 = 95 %). */
    chargeEfficiencyPpm: int.min(1).max(PPM),
    dischargeEfficiencyPpm: int.min(1).max(PPM),
    /** Wear cost per kWh that enters or leaves the cells, micro-units of the settlement currency. */
    degradationMicrosPerKWh: int.nonnegative().default(0),
  })
  .transform((s) => ({ ...s, socMaxWh: s.socMaxWh ?? s.capacityWh }))
  .refine((s) => s.socMaxWh <= s.capacityWh && s.socMinWh < s.socMaxWh, {
    message: "need 0 ≤ socMinWh < socMaxWh ≤ capacityWh",
    path: ["socMaxWh"],
  });
export type BatterySpecInput = z.input<typeof batterySpecSchema>;
export type BatterySpec = z.output<typeof batterySpecSchema>;

/** Checks a battery description; BATTERY_SPEC_INVALID names the field. */
export function batterySpec(input: unknown): BatterySpec {
  const r = batterySpecSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue.code === "unrecognized_keys" ? issue.keys.join(", ") : issue.path.join(".");
    throw new PlurigridError("BATTERY_SPEC_INVALID", `battery, field "${field}": ${issue.message}`, {
      field,
    });
  }
  return r.data;
}

export interface BatteryState {
  socWh: number;
  /** Energy that has entered or left the cells so far, Wh (the base of the degradation cost). */
  throughputWh: number;
}

export type BatteryMode = "clip" | "strict";

export interface BatteryStep {
  state: BatteryState;
  /** Energy drawn from (+) or delivered to (−) the grid in this step, Wh. */
  gridWh: Wh;
  /** Change of the state of charge, Wh. */
  storedWh: Wh;
  /** Conversion losses, Wh (≥ 0): gridWh − storedWh. */
  lossWh: Wh;
  degradationMicros: Micros;
  /**
   * The limit that bound last in mode "clip" (an energy limit after the power limit), or null when the
   * request was met in full.
   */
  limitedBy: null | "power" | "socMax" | "socMin";
}

function limitError(code: string, message: string, details: Record<string, unknown>): never {
  throw new PlurigridError(code, message, details);
}

/** Largest grid energy e ≤ cap whose stored part mulDiv(e, η, 1e6) fits in the headroom. */
function maxChargeWh(headroomWh: number, etaPpm: number): number {
  let e = mulDiv(headroomWh, PPM, etaPpm);
  while (mulDiv(e, etaPpm, PPM) > headroomWh) e--;
  while (mulDiv(e + 1, etaPpm, PPM) <= headroomWh) e++;
  return e;
}

/** Largest delivered energy e whose draw from the cells mulDiv(e, 1e6, η) fits in the available energy. */
function maxDischargeWh(availableWh: number, etaPpm: number): number {
  let e = mulDiv(availableWh, etaPpm, PPM);
  while (e > 0 && mulDiv(e, PPM, etaPpm) > availableWh) e--;
  while (mulDiv(e + 1, PPM, etaPpm) <= availableWh) e++;
  return e;
}

/**
 * One step of `durationS` seconds at a constant requested power (W, + charge, − discharge). The grid
 * energy of the request is powerW·durationS/3600 Wh (rounded half to even).
 */
export function batteryStep(
  spec: BatterySpec,
  state: BatteryState,
  powerW: number,
  durationS: number,
  mode: BatteryMode = "clip",
): BatteryStep {
  if (!Number.isSafeInteger(powerW) || !Number.isSafeInteger(durationS) || durationS <= 0) {
    throw new PlurigridError(
      "BATTERY_REQUEST_INVALID",
      `power must be an integer W and the duration a positive integer s (got ${powerW} W, ${durationS} s)`,
      { powerW, durationS },
    );
  }
  if (!(state.socWh >= spec.socMinWh && state.socWh <= spec.socMaxWh)) {
    throw new PlurigridError(
      "BATTERY_STATE_INVALID",
      `state of charge ${state.socWh} Wh is outside [${spec.socMinWh}, ${spec.socMaxWh}] Wh`,
      { socWh: state.socWh, socMinWh: spec.socMinWh, socMaxWh: spec.socMaxWh },
    );
  }
  let limitedBy: BatteryStep["limitedBy"] = null;
  const powerMax = powerW >= 0 ? spec.chargePowerMaxW : spec.dischargePowerMaxW;
  let p = powerW;
  if (Math.abs(p) > powerMax) {
    if (mode === "strict") {
      limitError(
        "BATTERY_POWER_LIMIT",
        `${powerW >= 0 ? "charge" : "discharge"} power ${Math.abs(powerW)} W exceeds the limit ${powerMax} W`,
        { powerW, limitW: powerMax },
      );
    }
    p = Math.sign(p) * powerMax;
    limitedBy = "power";
  }
  let gridWh = energyFromPower(W(Math.abs(p)), durationS) as number;
  let storedWh: number;
  if (p >= 0) {
    const cap = maxChargeWh(spec.socMaxWh - state.socWh, spec.chargeEfficiencyPpm);
    if (gridWh > cap) {
      if (mode === "strict") {
        limitError("BATTERY_ENERGY_LIMIT", `charging ${gridWh} Wh would exceed socMaxWh ${spec.socMaxWh}`, {
          gridWh,
          limitWh: cap,
          socWh: state.socWh,
        });
      }
      gridWh = cap;
      limitedBy = "socMax";
    }
    storedWh = mulDiv(gridWh, spec.chargeEfficiencyPpm, PPM);
  } else {
    const cap = maxDischargeWh(state.socWh - spec.socMinWh, spec.dischargeEfficiencyPpm);
    if (gridWh > cap) {
      if (mode === "strict") {
        limitError(
          "BATTERY_ENERGY_LIMIT",
          `discharging ${gridWh} Wh would go below socMinWh ${spec.socMinWh}`,
          {
            gridWh: -gridWh,
            limitWh: cap,
            socWh: state.socWh,
          },
        );
      }
      gridWh = cap;
      limitedBy = "socMin";
    }
    storedWh = -mulDiv(gridWh, PPM, spec.dischargeEfficiencyPpm);
    gridWh = -gridWh;
  }
  const movedWh = Math.abs(storedWh);
  return {
    state: { socWh: state.socWh + storedWh, throughputWh: state.throughputWh + movedWh },
    gridWh: (gridWh + 0) as Wh,
    storedWh: (storedWh + 0) as Wh,
    lossWh: (gridWh - storedWh) as Wh,
    degradationMicros: energyCost(movedWh as Wh, spec.degradationMicrosPerKWh as MicrosPerKWh),
    limitedBy,
  };
}

export interface BatteryRun {
  steps: BatteryStep[];
  final: BatteryState;
  gridWh: Wh;
  lossWh: Wh;
  degradationMicros: Micros;
}

/** A schedule of constant-power steps of equal length, from an initial state. */
export function batterySchedule(
  spec: BatterySpec,
  initial: BatteryState,
  powersW: readonly number[],
  durationS: number,
  mode: BatteryMode = "clip",
): BatteryRun {
  const steps: BatteryStep[] = [];
  let state = initial;
  let grid = 0;
  let loss = 0;
  let cost = 0;
  for (const p of powersW) {
    const s = batteryStep(spec, state, p, durationS, mode);
    steps.push(s);
    state = s.state;
    grid += s.gridWh;
    loss += s.lossWh;
    cost += s.degradationMicros;
  }
  return { steps, final: state, gridWh: grid as Wh, lossWh: loss as Wh, degradationMicros: cost as Micros };
}
