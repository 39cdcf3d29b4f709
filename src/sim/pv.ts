/**
 * PV output of the simulated world from the TMY3 weather file: the narrow interface the simulator needs
 * from a PV model (`pvEnergyWh`), written here until der/ provides its PV power model.
 *
 * Plane-of-array irradiance by the isotropic-sky transposition (Liu & Jordan): beam DNI·cos θ, sky diffuse
 * DHI·(1 + cos β)/2, ground-reflected GHI·ρ·(1 − cos β)/2, with the sun from NREL SPA at the middle of each
 * interval. DC power after PVWatts (Dobos 2014, NREL/TP-6A20-62641): P_dc = P_dc0·POA/1000·(1 + γ(T_cell − 25)),
 * γ = −0.0047/°C, 14 % system losses, cell temperature by the NOCT model (45 °C), inverter 96 % and clipped
 * at the AC rating.
 */

import { cosIncidence } from "../der/solar/incidence.js";
import { deltaTSeconds } from "../der/solar/julian.js";
import { solarPosition } from "../der/solar/spa.js";
import type { Tmy3 } from "../der/weather/tmy3.js";

const HOUR_MS = 3_600_000;
const GAMMA_PER_C = -0.0047;
const SYSTEM_LOSSES = 0.14;
const INVERTER_EFFICIENCY = 0.96;
const NOCT_C = 45;

/** Per-interval weather at the site: what every PV array of the run shares. */
export interface SiteWeather {
  zenithDeg: Float64Array;
  azimuthDeg: Float64Array;
  ghiWm2: Float64Array;
  dniWm2: Float64Array;
  dhiWm2: Float64Array;
  airC: Float64Array;
  albedo: Float64Array;
}

/** The TMY3 hour covering each interval's middle (hour-ending stamps), and the sun there. */
export function siteWeather(tmy: Tmy3, startMs: number, count: number, intervalMinutes: number): SiteWeather {
  const w: SiteWeather = {
    zenithDeg: new Float64Array(count),
    azimuthDeg: new Float64Array(count),
    ghiWm2: new Float64Array(count),
    dniWm2: new Float64Array(count),
    dhiWm2: new Float64Array(count),
    airC: new Float64Array(count),
    albedo: new Float64Array(count),
  };
  const stepMs = intervalMinutes * 60_000;
  const firstStart = tmy.endMs[0] - HOUR_MS;
  const yearMs = tmy.count * HOUR_MS;
  for (let k = 0; k < count; k++) {
    const mid = startMs + k * stepMs + stepMs / 2;
    let r = Math.floor((mid - firstStart) / HOUR_MS);
    r = ((r % tmy.count) + tmy.count) % tmy.count;
    const d = new Date(mid);
    const sun = solarPosition({
      utcMs: mid,
      latitudeDeg: tmy.station.latitudeDeg,
      longitudeDeg: tmy.station.longitudeDeg,
      elevationM: tmy.station.elevationM,
      pressureMbar: tmy.pressureMbar[r] > 0 ? tmy.pressureMbar[r] : 1013.25,
      temperatureC: tmy.dryBulbC[r],
      deltaTS: deltaTSeconds(d.getUTCFullYear(), d.getUTCMonth() + 1),
    });
    w.zenithDeg[k] = sun.zenithDeg;
    w.azimuthDeg[k] = sun.azimuthDeg;
    w.ghiWm2[k] = tmy.ghiWm2[r];
    w.dniWm2[k] = tmy.dniWm2[r];
    w.dhiWm2[k] = tmy.dhiWm2[r];
    w.airC[k] = tmy.dryBulbC[r];
    w.albedo[k] = tmy.albedo[r] > 0 && tmy.albedo[r] < 1 ? tmy.albedo[r] : 0.2;
    void yearMs;
  }
  return w;
}

export interface PvArray {
  ratingW: number;
  tiltDeg: number;
  azimuthDeg: number;
  dcAcRatio: number;
}

/** AC energy of the array in each interval, Wh (not rounded). */
export function pvEnergyWh(w: SiteWeather, a: PvArray, intervalMinutes: number): Float64Array {
  const n = w.ghiWm2.length;
  const out = new Float64Array(n);
  const beta = (a.tiltDeg * Math.PI) / 180;
  const dcRatedW = a.ratingW * a.dcAcRatio;
  for (let k = 0; k < n; k++) {
    if (w.zenithDeg[k] >= 90 || w.ghiWm2[k] <= 0) continue;
    const cosT = Math.max(0, cosIncidence(w.zenithDeg[k], w.azimuthDeg[k], a.tiltDeg, a.azimuthDeg));
    const poa =
      w.dniWm2[k] * cosT +
      (w.dhiWm2[k] * (1 + Math.cos(beta))) / 2 +
      (w.ghiWm2[k] * w.albedo[k] * (1 - Math.cos(beta))) / 2;
    if (poa <= 0) continue;
    const cellC = w.airC[k] + (poa * (NOCT_C - 20)) / 800;
    const dc = dcRatedW * (poa / 1000) * (1 + GAMMA_PER_C * (cellC - 25)) * (1 - SYSTEM_LOSSES);
    const ac = Math.min(a.ratingW, Math.max(0, dc * INVERTER_EFFICIENCY));
    out[k] = (ac * intervalMinutes) / 60;
  }
  return out;
}
