/**
 * PV output of the simulated world from the TMY3 weather file through der/'s PV system model (SPA sun,
 * Hay–Davies transposition, SAPM cell temperature, PVWatts DC and inverter): each interval takes the TMY3
 * hour that covers its middle (TMY3 values are hour means, stamped at the hour's end) with the sun at the
 * interval's middle.
 */

import { pvStep, pvSystem, type WeatherStep } from "../der/pv/system.js";
import { deltaTSeconds } from "../der/solar/julian.js";
import type { Tmy3 } from "../der/weather/tmy3.js";

const HOUR_MS = 3_600_000;

/** Per-interval weather at the site, shared by every PV array of the run. */
export interface SiteWeather {
  latitudeDeg: number;
  longitudeDeg: number;
  elevationM: number;
  steps: WeatherStep[];
  deltaTS: number[];
  /** Output of a 1 kW array per orientation and DC/AC ratio. */
  unitCache: Map<string, Float64Array>;
}

export function siteWeather(tmy: Tmy3, startMs: number, count: number, intervalMinutes: number): SiteWeather {
  const stepMs = intervalMinutes * 60_000;
  const firstStart = tmy.endMs[0] - HOUR_MS;
  const steps: WeatherStep[] = [];
  const deltaTS: number[] = [];
  for (let k = 0; k < count; k++) {
    const mid = startMs + k * stepMs + stepMs / 2;
    let r = Math.floor((mid - firstStart) / HOUR_MS);
    r = ((r % tmy.count) + tmy.count) % tmy.count;
    steps.push({
      utcMs: mid,
      ghiWm2: tmy.ghiWm2[r],
      dniWm2: tmy.dniWm2[r],
      dhiWm2: tmy.dhiWm2[r],
      ambientC: tmy.dryBulbC[r],
      windMs: tmy.windSpeedMs[r],
      pressureMbar: tmy.pressureMbar[r],
    });
    const d = new Date(mid);
    deltaTS.push(deltaTSeconds(d.getUTCFullYear(), d.getUTCMonth() + 1));
  }
  return {
    latitudeDeg: tmy.station.latitudeDeg,
    longitudeDeg: tmy.station.longitudeDeg,
    elevationM: tmy.station.elevationM,
    steps,
    deltaTS,
    unitCache: new Map(),
  };
}

export interface PvArray {
  /** AC (inverter) rating, W. */
  ratingW: number;
  tiltDeg: number;
  azimuthDeg: number;
  /** DC rating over AC rating. */
  dcAcRatio: number;
}

/**
 * AC energy of the array in each interval, Wh (not rounded). PVWatts is linear in the DC rating and its
 * inverter curve depends only on DC over AC rating, so arrays that differ only in size share one computation
 * per site (of a 1 kW inverter), scaled.
 */
export function pvEnergyWh(w: SiteWeather, a: PvArray, intervalMinutes: number): Float64Array {
  const key = `${a.tiltDeg}/${a.azimuthDeg}/${a.dcAcRatio}/${intervalMinutes}`;
  let unit = w.unitCache.get(key);
  if (unit === undefined) {
    unit = unitEnergyWh(w, { ...a, ratingW: 1000 }, intervalMinutes);
    w.unitCache.set(key, unit);
  }
  return unit.map((x) => (x * a.ratingW) / 1000);
}

function unitEnergyWh(w: SiteWeather, a: PvArray, intervalMinutes: number): Float64Array {
  const system = pvSystem({
    latitudeDeg: w.latitudeDeg,
    longitudeDeg: w.longitudeDeg,
    elevationM: w.elevationM,
    surfaceTiltDeg: a.tiltDeg,
    surfaceAzimuthDeg: a.azimuthDeg,
    pdc0W: a.ratingW * a.dcAcRatio,
    pac0W: a.ratingW,
  });
  const out = new Float64Array(w.steps.length);
  for (let k = 0; k < w.steps.length; k++) {
    const s = w.steps[k];
    if (!(s.ghiWm2 > 0)) continue;
    const p = pvStep(system, s, w.deltaTS[k]);
    out[k] = Number.isFinite(p.acW) ? (Math.max(0, p.acW) * intervalMinutes) / 60 : 0;
  }
  return out;
}
