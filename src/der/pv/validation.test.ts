/**
 * The PV model against measured systems (../shared/data/pv): AC power modelled from measured POA
 * irradiance and module temperature, compared sample by sample. The figures are printed and recorded in
 * docs/der.md; the bounds asserted here are argued there and in the comments below.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { dataPath } from "../../core/data.js";
import { describeData } from "../../test-support/data.js";
import {
  absoluteAirmass,
  altitudeToPressurePa,
  ineichenPerez,
  relativeAirmassKastenYoung,
} from "../solar/clearsky.js";
import { riseTransitSetLocalDay } from "../solar/rise-set.js";
import { solarPosition } from "../solar/spa.js";
import {
  type FitFigures,
  fitFigures,
  type MeasuredModelParams,
  type MeasuredPv,
  modelFromMeasured,
  parseAcPowerSeries,
  parsePvdaq,
  RSF_II_COLUMNS,
  SERF_WEST_COLUMNS,
} from "./measured.js";
import { PVWATTS_DEFAULT_LOSSES, pvwattsDcW } from "./pvwatts.js";
import { pvStep, pvSystem } from "./system.js";
import { SAPM_TEMPERATURE, sapmCellFromModuleC } from "./temperature.js";

const read = (name: string) => readFileSync(dataPath("pv", name), "utf8");
/** PVWatts v8 "standard" module. */
const GAMMA = -0.0037;
/** SAPM open-rack cell − back-of-module difference at 1000 W/m². */
const DELTA_T_C = 3;
/** Daylight samples: POA at or above this (the inverters are off or at tare below it). */
const POA_MIN = 50;
/**
 * A day whose measured DC energy is below this fraction of the modelled DC energy is a snow-covered or
 * outage day (module sensors near 0 °C, output far below what the irradiance allows). In both data sets the
 * day performance indices fall in two groups: 0.00-0.79 and 0.95-1.04; the threshold sits in the gap.
 */
const DAY_INDEX_MIN = 0.85;

/** Local (MST) day of month of each sample. */
const dayOf = (m: MeasuredPv, i: number) => new Date(m.timeMs[i] - 7 * 3_600_000).getUTCDate();

function daylight(m: MeasuredPv, i: number): boolean {
  return m.poaWm2[i] >= POA_MIN && Number.isFinite(m.acW[i] + m.dcW[i] + m.moduleTempC[i]);
}

/** Measured / modelled DC energy per local day, over daylight samples. */
function dayIndex(m: MeasuredPv, modelDcW: Float64Array): Map<number, number> {
  const sums = new Map<number, [number, number]>();
  for (let i = 0; i < m.count; i++) {
    if (!daylight(m, i)) continue;
    const s = sums.get(dayOf(m, i)) ?? [0, 0];
    s[0] += m.dcW[i];
    s[1] += modelDcW[i];
    sums.set(dayOf(m, i), s);
  }
  return new Map([...sums].sort((a, b) => a[0] - b[0]).map(([d, [meas, mod]]) => [d, meas / mod]));
}

function figures(m: MeasuredPv, p: MeasuredModelParams, days: (d: number) => boolean): FitFigures {
  const model = modelFromMeasured(m, p);
  const use = Array.from({ length: m.count }, (_, i) => daylight(m, i) && days(dayOf(m, i)));
  return fitFigures(model.acW, m.acW, use);
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
function show(label: string, f: FitFigures) {
  console.log(
    `${label.padEnd(44)} n=${String(f.samples).padStart(3)}  mean ${(f.measuredMeanW / 1000).toFixed(2)} kW  nMBE ${pct(f.nmbe).padStart(8)}  nRMSE ${pct(f.nrmse).padStart(7)}`,
  );
}

describeData("PV model against measured AC power (PVDAQ)", () => {
  const rsf = parsePvdaq(read("pvdaq_nrel_RSF_II.csv"), RSF_II_COLUMNS, "RSF II");
  const serf = parsePvdaq(read("pvdaq_serf_west_15min.csv"), SERF_WEST_COLUMNS, "SERF West");

  it("reads both exports: 480 samples each, 15 min apart, in MST", () => {
    for (const m of [rsf, serf]) {
      expect(m.count).toBe(480);
      for (let i = 1; i < m.count; i++) expect(m.timeMs[i] - m.timeMs[i - 1]).toBe(900_000);
    }
    expect(new Date(rsf.timeMs[0]).toISOString()).toBe("2022-01-02T07:00:00.000Z");
    expect(new Date(serf.timeMs[0]).toISOString()).toBe("2022-01-02T07:01:00.000Z");
  });

  it("RSF II inverter 2 (204.12 kW dc nameplate, PVWatts default losses, no fitting)", () => {
    const p: MeasuredModelParams = {
      pdc0W: 204_120,
      gammaPerC: GAMMA,
      losses: PVWATTS_DEFAULT_LOSSES,
      // No clipping in the data (the largest DC is < 50 % of the nameplate): DC/AC ratio 1.
      pac0W: 204_120,
      deltaTC: DELTA_T_C,
    };
    const index = dayIndex(rsf, modelFromMeasured(rsf, p).dcW);
    const clean = (d: number) => (index.get(d) ?? 0) >= DAY_INDEX_MIN;
    const all = figures(rsf, p, () => true);
    const good = figures(rsf, p, clean);
    console.log(
      `RSF II day performance index: ${[...index].map(([d, x]) => `${d}: ${x.toFixed(2)}`).join(", ")}`,
    );
    show("RSF II AC, all daylight samples", all);
    show("RSF II AC, clean days", good);
    // The same chain with the cell temperature MODELLED from ambient temperature and wind (SAPM).
    const fromAir = figures(
      rsf,
      { ...p, cellTemperature: { from: "ambient", params: SAPM_TEMPERATURE.openRackGlassPolymer } },
      clean,
    );
    show("RSF II AC, clean days, SAPM cell from ambient", fromAir);
    // Open-rack SAPM parameters run a rooftop array's cells cooler than its sensors show: slightly more
    // bias than from the module sensor, still inside the inverter-dominated bound plus 5 points.
    expect(fromAir.nmbe).toBeGreaterThan(good.nmbe);
    expect(Math.abs(fromAir.nmbe)).toBeLessThan(0.2);
    // Jan 2-3 (partial snow) and Jan 6 (no output at all) are flagged; Jan 4-5 are clean.
    expect([...index].filter(([d]) => clean(d)).map(([d]) => d)).toEqual([4, 5]);
    // Clean days: the DC chain is within a few % (index 0.96-1.00); the model's inverter (η ≈ 0.96 at
    // 40 % load) is more efficient than the measured one (AC/DC 0.92, and ~5 kW lost at low power), which
    // alone biases the AC by +4 … +10 %: so |nMBE| < 15 % and nRMSE < 20 %.
    expect(Math.abs(good.nmbe)).toBeLessThan(0.15);
    expect(good.nrmse).toBeLessThan(0.2);
    // All days: snow makes the measured output lower, never higher, than the irradiance allows.
    expect(all.nmbe).toBeGreaterThan(good.nmbe);
    expect(all.nmbe).toBeLessThan(0.6);
    expect(all.nrmse).toBeLessThan(0.8);
  });

  it("SERF West (nameplate not published: DC rating calibrated on Jan 4, judged on the other days)", () => {
    // Calibration: P_dc0 = Σ measured DC / Σ modelled DC per W of rating, over Jan 4 (the clear day).
    let meas = 0;
    let perW = 0;
    for (let i = 0; i < serf.count; i++) {
      if (!daylight(serf, i) || dayOf(serf, i) !== 4) continue;
      meas += serf.dcW[i];
      const cell = sapmCellFromModuleC(serf.moduleTempC[i], serf.poaWm2[i], DELTA_T_C);
      perW += pvwattsDcW(serf.poaWm2[i], cell, 1, GAMMA, 0);
    }
    const pdc0W = meas / perW;
    console.log(`SERF West calibrated DC rating: ${(pdc0W / 1000).toFixed(3)} kW`);
    // The array's DC output reached 6.04 kW at 1027 W/m² and ~28 °C: the rating is near 6 kW.
    expect(pdc0W).toBeGreaterThan(5500);
    expect(pdc0W).toBeLessThan(6500);
    // The calibration absorbs the DC losses; the AC peaks at 5.62 kW without a flat top: DC/AC ratio 1.
    const p: MeasuredModelParams = { pdc0W, gammaPerC: GAMMA, losses: 0, pac0W: pdc0W, deltaTC: DELTA_T_C };
    const index = dayIndex(serf, modelFromMeasured(serf, p).dcW);
    const clean = (d: number) => (index.get(d) ?? 0) >= DAY_INDEX_MIN;
    const heldOut = figures(serf, p, (d) => d !== 4 && clean(d));
    const all = figures(serf, p, (d) => d !== 4);
    console.log(
      `SERF West day performance index: ${[...index].map(([d, x]) => `${d}: ${x.toFixed(2)}`).join(", ")}`,
    );
    show(
      "SERF West AC, calibration day (Jan 4)",
      figures(serf, p, (d) => d === 4),
    );
    show("SERF West AC, held-out clean days", heldOut);
    show("SERF West AC, all held-out daylight samples", all);
    expect([...index].filter(([d]) => clean(d)).map(([d]) => d)).toEqual([3, 4, 5]);
    // Held-out clean days are broken-cloud days: the pyranometer and the modules see diffuse light
    // differently (measured DC/POA drops from 5.9 to ~4.7 W per W/m² under overcast), the DC model is
    // 4-5 % high there, and the inverter curve adds ~3 % (measured AC/DC 0.93 vs 0.96): |nMBE| < 15 %;
    // 15-minute cloud edges give the scatter: nRMSE < 20 %.
    expect(Math.abs(heldOut.nmbe)).toBeLessThan(0.15);
    expect(heldOut.nrmse).toBeLessThan(0.2);
    expect(all.nmbe).toBeGreaterThan(heldOut.nmbe);
    expect(all.nmbe).toBeLessThan(0.8);
  });
});

describeData("solar position and orientation against SERF East (tilt 45°, azimuth 158°)", () => {
  it("on clear days the measured energy centroid is 20+ min before solar noon, as the 158° model says", () => {
    const m = parseAcPowerSeries(read("pvdaq_serf_east_15min_ac_power.csv"), "ac_power", "SERF East");
    expect(m.timeMs.length).toBe(10_000);
    const site = { latitudeDeg: 39.742, longitudeDeg: -105.1727, elevationM: 1829 };
    const pressurePa = altitudeToPressurePa(site.elevationM);
    const system = (surfaceAzimuthDeg: number) =>
      pvSystem({ ...site, surfaceTiltDeg: 45, surfaceAzimuthDeg, pdc0W: 6000, pac0W: 6000 });
    const facing = { 158: system(158), 180: system(180) };
    const days = new Map<string, number[]>();
    for (let i = 0; i < m.timeMs.length; i++) {
      const d = new Date(m.timeMs[i] - 7 * 3_600_000).toISOString().slice(0, 10);
      days.set(d, [...(days.get(d) ?? []), i]);
    }
    const rows: { day: string; beforeNoonMin: number; off158Min: number; off180Min: number }[] = [];
    for (const [day, idx] of days) {
      if (idx.length !== 96) continue;
      const measured = idx.map((i) => Math.max(m.acW[i], 0));
      // A clear day rises and falls once: total variation ≈ 2 × peak (variability index ≤ 1.2).
      let variation = 0;
      for (let k = 1; k < measured.length; k++) variation += Math.abs(measured[k] - measured[k - 1]);
      if (variation > 1.2 * 2 * Math.max(...measured)) continue;
      const times = idx.map((i) => m.timeMs[i]);
      const centroid = (w: number[]) =>
        w.reduce((a, v, k) => a + v * times[k], 0) / w.reduce((a, v) => a + v, 0);
      const modelled = (s: ReturnType<typeof system>) =>
        times.map((utcMs) => {
          const sun = solarPosition({ utcMs, ...site, pressureMbar: 820, temperatureC: 20, deltaTS: 68 });
          const am = absoluteAirmass(relativeAirmassKastenYoung(sun.apparentZenithDeg), pressurePa);
          const cs = ineichenPerez({
            apparentZenithDeg: sun.apparentZenithDeg,
            airmassAbsolute: am,
            linkeTurbidity: 3,
            altitudeM: site.elevationM,
          });
          const w = { utcMs, ...cs, ambientC: 25, windMs: 2, pressureMbar: 820 };
          return pvStep(s, w, 68).acW;
        });
      const [year, month, date] = day.split("-").map(Number);
      const noon = riseTransitSetLocalDay({ year, month, day: date }, -7, { ...site, deltaTS: 68 })
        .transitMs!;
      const c = centroid(measured);
      rows.push({
        day,
        beforeNoonMin: (noon - c) / 60_000,
        off158Min: (c - centroid(modelled(facing[158]))) / 60_000,
        off180Min: (c - centroid(modelled(facing[180]))) / 60_000,
      });
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    console.log(
      `SERF East: ${rows.length} clear days; measured centroid ${med(rows.map((r) => r.beforeNoonMin)).toFixed(1)} min before transit (median); model offset 158°: ${med(rows.map((r) => r.off158Min)).toFixed(1)} min, 180°: ${med(rows.map((r) => r.off180Min)).toFixed(1)} min`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const r of rows) {
      expect(r.beforeNoonMin, r.day).toBeGreaterThan(20);
      expect(Math.abs(r.off158Min), r.day).toBeLessThan(Math.abs(r.off180Min));
    }
    expect(Math.abs(med(rows.map((r) => r.off158Min)))).toBeLessThan(10);
  });
});
