/**
 * A fixed-tilt PV system from weather to AC power: solar position (NREL SPA) → extraterrestrial
 * irradiance → plane-of-array (Hay–Davies by default) → cell temperature (SAPM) → PVWatts DC → PVWatts
 * inverter with clipping. One schema checks the system description (PV_SYSTEM_INVALID).
 */
import { z } from "zod";
import { PlurigridError } from "../../core/errors.js";
import type { Wh } from "../../core/units.js";
import { roundHalfEven } from "../io/round.js";
import { extraterrestrialDniWm2 } from "../solar/clearsky.js";
import { spaIntermediates } from "../solar/spa.js";
import type { Tmy3 } from "../weather/tmy3.js";
import { PVWATTS_DEFAULT_LOSSES, PVWATTS_ETA_INV_NOM, pvwattsAcW, pvwattsDcW } from "./pvwatts.js";
import { SAPM_TEMPERATURE, sapmCellTempC } from "./temperature.js";
import { poaIrradiance } from "./transposition.js";

const finite = z.number().finite();

export const pvSystemSchema = z.strictObject({
  latitudeDeg: finite.min(-90).max(90),
  longitudeDeg: finite.min(-180).max(180),
  elevationM: finite.min(-500).max(9000).default(0),
  surfaceTiltDeg: finite.min(0).max(90),
  /** East of north, 180 = south. */
  surfaceAzimuthDeg: finite.min(0).max(360),
  /** DC rating at 1000 W/m² and 25 °C cell temperature, W. */
  pdc0W: finite.positive(),
  /** Power temperature coefficient per °C; PVWatts v8 "standard" module −0.0037. */
  gammaPerC: finite.min(-0.02).max(0).default(-0.0037),
  /** Fraction of DC lost to soiling, wiring, mismatch, ...; PVWatts default 0.1408. */
  losses: finite.min(0).max(0.99).default(PVWATTS_DEFAULT_LOSSES),
  /** Inverter AC rating, W (clipping level). */
  pac0W: finite.positive(),
  etaInvNom: finite.gt(0).max(1).default(PVWATTS_ETA_INV_NOM),
  albedo: finite.min(0).max(1).default(0.2),
  skyModel: z.enum(["isotropic", "haydavies"]).default("haydavies"),
  mounting: z
    .enum(Object.keys(SAPM_TEMPERATURE) as [keyof typeof SAPM_TEMPERATURE])
    .default("openRackGlassPolymer"),
});
export type PvSystemInput = z.input<typeof pvSystemSchema>;
export type PvSystem = z.output<typeof pvSystemSchema>;

/** Checks a system description and fills the defaults; PV_SYSTEM_INVALID names the field. */
export function pvSystem(input: unknown): PvSystem {
  const r = pvSystemSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue.code === "unrecognized_keys" ? issue.keys.join(", ") : issue.path.join(".");
    throw new PlurigridError("PV_SYSTEM_INVALID", `PV system, field "${field}": ${issue.message}`, { field });
  }
  return r.data;
}

/** One weather sample: the instant at which the sun is evaluated, irradiance and air. */
export interface WeatherStep {
  utcMs: number;
  ghiWm2: number;
  dniWm2: number;
  dhiWm2: number;
  ambientC: number;
  windMs: number;
  pressureMbar: number;
}

export interface PvStep {
  poaWm2: number;
  cellTempC: number;
  dcW: number;
  acW: number;
}

/** AC power of the system for one weather sample. ΔT (TT − UT1) in seconds for the SPA. */
export function pvStep(s: PvSystem, w: WeatherStep, deltaTS: number): PvStep {
  const sun = spaIntermediates({
    utcMs: w.utcMs,
    latitudeDeg: s.latitudeDeg,
    longitudeDeg: s.longitudeDeg,
    elevationM: s.elevationM,
    pressureMbar: Number.isFinite(w.pressureMbar) ? w.pressureMbar : 1013.25,
    temperatureC: Number.isFinite(w.ambientC) ? w.ambientC : 12,
    deltaTS,
  });
  const poa = poaIrradiance(
    {
      surfaceTiltDeg: s.surfaceTiltDeg,
      surfaceAzimuthDeg: s.surfaceAzimuthDeg,
      solarZenithDeg: sun.apparentZenithDeg,
      solarAzimuthDeg: sun.azimuthDeg,
      dniWm2: w.dniWm2,
      ghiWm2: w.ghiWm2,
      dhiWm2: w.dhiWm2,
      dniExtraWm2: extraterrestrialDniWm2(sun.rAu),
      albedo: s.albedo,
    },
    s.skyModel,
  ).globalWm2;
  const cellTempC = sapmCellTempC(poa, w.ambientC, w.windMs, SAPM_TEMPERATURE[s.mounting]);
  const dcW = pvwattsDcW(poa, cellTempC, s.pdc0W, s.gammaPerC, s.losses);
  return { poaWm2: poa, cellTempC, dcW, acW: pvwattsAcW(dcW, s.pac0W, s.etaInvNom) };
}

export interface PvHourly {
  /** End of each hour, UTC ms (as the TMY3 rows). */
  endMs: Float64Array;
  poaWm2: Float64Array;
  cellTempC: Float64Array;
  dcW: Float64Array;
  acW: Float64Array;
  /** AC energy of each hour, Wh, rounded half to even (mean power × 1 h). */
  acWh: Wh[];
  totalAcWh: Wh;
}

/**
 * Hourly AC power and energy from a TMY3 year. The sun is taken at the middle of each hour-ending
 * interval (the irradiance is the hour's mean); ΔT from the caller (≈ 69 s for 2000-2020).
 */
export function pvFromTmy3(system: PvSystem, tmy: Tmy3, deltaTS = 69): PvHourly {
  const n = tmy.count;
  const out: PvHourly = {
    endMs: tmy.endMs,
    poaWm2: new Float64Array(n),
    cellTempC: new Float64Array(n),
    dcW: new Float64Array(n),
    acW: new Float64Array(n),
    acWh: new Array<Wh>(n),
    totalAcWh: 0 as Wh,
  };
  let total = 0;
  for (let r = 0; r < n; r++) {
    const step = pvStep(
      system,
      {
        utcMs: tmy.endMs[r] - 1_800_000,
        ghiWm2: tmy.ghiWm2[r],
        dniWm2: tmy.dniWm2[r],
        dhiWm2: tmy.dhiWm2[r],
        ambientC: tmy.dryBulbC[r],
        windMs: tmy.windSpeedMs[r],
        pressureMbar: tmy.pressureMbar[r],
      },
      deltaTS,
    );
    out.poaWm2[r] = step.poaWm2;
    out.cellTempC[r] = step.cellTempC;
    out.dcW[r] = step.dcW;
    out.acW[r] = step.acW;
    out.acWh[r] = roundHalfEven(step.acW) as Wh;
    total += out.acWh[r];
  }
  out.totalAcWh = total as Wh;
  return out;
}
