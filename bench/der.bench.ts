import { readFileSync } from "node:fs";
import { dataPath } from "../src/core/data.js";
import { batterySchedule, batterySpec } from "../src/der/battery/battery.js";
import { parseOpsdCounters } from "../src/der/load/readers.js";
import { resampleEnergy } from "../src/der/load/resample.js";
import { pvFromTmy3, pvSystem } from "../src/der/pv/system.js";
import { sunPositions } from "../src/der/solar/points.js";
import { solarPosition } from "../src/der/solar/spa.js";
import { parseTmy3 } from "../src/der/weather/tmy3.js";
import { perSecond, type Suite } from "./harness.js";

/**
 * Device models: NREL SPA throughput (raw, and through the validated `plurigrid sun` path), a year of
 * hourly PV power from a TMY3 file (with the SPA alone over the same 8760 instants as the baseline),
 * a year of 15-minute battery steps, and reading + resampling a household counter file.
 */
export const derSuite: Suite = {
  name: "der",
  async run(ctx) {
    const n = 10_000;
    const t0 = Date.UTC(2024, 0, 1);
    const inputs = Array.from({ length: n }, (_, i) => ({
      utcMs: t0 + i * 3_153_600,
      latitudeDeg: -60 + ((i * 37) % 120),
      longitudeDeg: -180 + ((i * 53) % 360),
      elevationM: 100,
      pressureMbar: 1010,
      temperatureC: 15,
      deltaTS: 69,
    }));
    const points = inputs.map((p) => ({
      utc: new Date(p.utcMs).toISOString(),
      latitude: p.latitudeDeg,
      longitude: p.longitudeDeg,
      elevationM: p.elevationM,
      pressureMbar: p.pressureMbar,
      temperatureC: p.temperatureC,
      deltaT: p.deltaTS,
    }));
    const spaMs = await ctx.measure(
      `SPA solarPosition x${n}`,
      () => {
        for (const p of inputs) solarPosition(p);
      },
      { figure: perSecond(n) },
    );
    await ctx.measure(`sun points (schema + SPA) x${n}`, () => sunPositions(points), {
      figure: (ms) => `${perSecond(n)(ms)}; ${(ms / spaMs).toFixed(2)}x raw SPA`,
    });

    const tmy = parseTmy3(readFileSync(dataPath("solar", "tmy3_723170TYA_greensboro_nc.csv"), "utf8"), {
      coerceYear: 2019,
    });
    const base = {
      latitudeDeg: tmy.station.latitudeDeg,
      longitudeDeg: tmy.station.longitudeDeg,
      elevationM: tmy.station.elevationM,
      surfaceTiltDeg: 36,
      surfaceAzimuthDeg: 180,
      pdc0W: 5000,
      pac0W: 4200,
    };
    const sunOnly = await ctx.measure(`SPA alone at the 8760 TMY3 mid-hours`, () => {
      for (let r = 0; r < tmy.count; r++) {
        solarPosition({
          utcMs: tmy.endMs[r] - 1_800_000,
          latitudeDeg: base.latitudeDeg,
          longitudeDeg: base.longitudeDeg,
          elevationM: base.elevationM,
          pressureMbar: tmy.pressureMbar[r],
          temperatureC: tmy.dryBulbC[r],
          deltaTS: 69,
        });
      }
    });
    for (const skyModel of ["haydavies", "isotropic"] as const) {
      const system = pvSystem({ ...base, skyModel });
      await ctx.measure(`PV year, hourly TMY3 (${skyModel})`, () => pvFromTmy3(system, tmy), {
        figure: (ms) => `${perSecond(tmy.count)(ms)} hours; ${(ms / sunOnly).toFixed(2)}x the SPA alone`,
      });
    }

    const spec = batterySpec({
      capacityWh: 13_500,
      chargePowerMaxW: 5_000,
      dischargePowerMaxW: 5_000,
      chargeEfficiencyPpm: 950_000,
      dischargeEfficiencyPpm: 950_000,
      degradationMicrosPerKWh: 30_000,
    });
    const quarters = 35_040;
    const powers = Array.from({ length: quarters }, (_, k) =>
      Math.round(6_000 * Math.sin((k * Math.PI) / 48)),
    );
    await ctx.measure(
      `battery year of 15-min steps x${quarters}`,
      () => batterySchedule(spec, { socWh: 6_000, throughputWh: 0 }, powers, 900),
      { figure: perSecond(quarters) },
    );

    const opsd = readFileSync(
      dataPath("load", "opsd_household_konstanz_60min_cumulative_kwh_2016-03_2017-01.csv"),
      "utf8",
    );
    await ctx.measure("OPSD counters: read 13 x 8089 + resample to 15 min", () => {
      const t = parseOpsdCounters(opsd);
      for (const s of t.series.values()) resampleEnergy(s, 15);
    });
  },
};
