import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { dataPath } from "../../core/data.js";
import { isPlurigridError } from "../../core/errors.js";
import { describeData } from "../../test-support/data.js";
import { deltaTSeconds } from "../solar/julian.js";
import { solarPosition, spaIntermediates } from "../solar/spa.js";
import { parseMidcGhi, parseRmis, parseSurfrad } from "./measured.js";
import { parseTmy3 } from "./tmy3.js";

const HOUR = 3_600_000;
const text = (name: string) => readFileSync(dataPath("solar", name), "utf8");

describeData("TMY3 reader on Greensboro NC (723170)", () => {
  const tmy = parseTmy3(text("tmy3_723170TYA_greensboro_nc.csv"));

  it("reads the station line and 8760 hourly rows", () => {
    expect(tmy.station).toMatchObject({ usafId: "723170", state: "NC", timezoneHours: -5 });
    expect(tmy.station.latitudeDeg).toBe(36.1);
    expect(tmy.station.longitudeDeg).toBe(-79.95);
    expect(tmy.count).toBe(8760);
  });

  it("stamps each row with the END of its hour in local standard time (01:00 EST = 06:00 UTC)", () => {
    expect(new Date(tmy.endMs[0]).toISOString()).toBe("1988-01-01T06:00:00.000Z");
    // Within a month the rows are exactly one hour apart; the year jumps between months.
    let jumps = 0;
    for (let r = 1; r < tmy.count; r++) {
      if (tmy.sourceYear[r] !== tmy.sourceYear[r - 1]) jumps++;
      else expect(tmy.endMs[r] - tmy.endMs[r - 1]).toBe(HOUR);
    }
    expect(jumps).toBeGreaterThan(0);
    expect(jumps).toBeLessThanOrEqual(11);
  });

  it("gives the annual sums of the README (GHI 1566.2, DNI 1476.6, DHI 682.2 kWh/m²)", () => {
    const kwh = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / 1000;
    // The README prints one decimal: agree within one unit of it.
    expect(Math.abs(kwh(tmy.ghiWm2) - 1566.2)).toBeLessThan(0.1);
    expect(Math.abs(kwh(tmy.dniWm2) - 1476.6)).toBeLessThan(0.1);
    expect(Math.abs(kwh(tmy.dhiWm2) - 682.2)).toBeLessThan(0.1);
  });

  it("coerceYear relabels every row to one year, hour ending 24:00 on 31 Dec in the next year", () => {
    const one = parseTmy3(text("tmy3_723170TYA_greensboro_nc.csv"), { coerceYear: 2019 });
    expect(new Date(one.endMs[0]).toISOString()).toBe("2019-01-01T06:00:00.000Z");
    expect(new Date(one.endMs[8759]).toISOString()).toBe("2020-01-01T05:00:00.000Z");
    for (let r = 1; r < one.count; r++) expect(one.endMs[r] - one.endMs[r - 1]).toBe(HOUR);
  });

  it("night hours have no sun: GHI is 0 when the sun at mid-hour is well below the horizon", () => {
    for (let r = 0; r < tmy.count; r += 7) {
      const p = solarPosition({
        utcMs: tmy.endMs[r] - HOUR / 2,
        latitudeDeg: tmy.station.latitudeDeg,
        longitudeDeg: tmy.station.longitudeDeg,
        elevationM: tmy.station.elevationM,
        pressureMbar: 1000,
        temperatureC: 15,
        deltaTS: 67,
      });
      if (p.zenithDeg > 100) expect(tmy.ghiWm2[r]).toBe(0);
    }
  });

  it("ETR and ETRN columns match the SPA over each hour ending at the stamp (checks the time convention)", () => {
    const sun = (utcMs: number) =>
      spaIntermediates({
        utcMs,
        latitudeDeg: tmy.station.latitudeDeg,
        longitudeDeg: tmy.station.longitudeDeg,
        elevationM: tmy.station.elevationM,
        pressureMbar: 1000,
        temperatureC: 15,
        deltaTS: 60,
      });
    const cosZ = (z: number) => Math.cos((z * Math.PI) / 180);
    let hours = 0;
    for (let r = 0; r < tmy.count; r += 3) {
      const [a, m, b] = [HOUR, HOUR / 2, 0].map((back) => sun(tmy.endMs[r] - back));
      if (a.zenithDeg > 80 || b.zenithDeg > 80) continue;
      hours++;
      // TMY3 uses a solar constant of 1367 W/m²; the hour's mean cos z by Simpson's rule.
      const normal = 1367 / (m.rAu * m.rAu);
      const horizontal = (normal * (cosZ(a.zenithDeg) + 4 * cosZ(m.zenithDeg) + cosZ(b.zenithDeg))) / 6;
      expect(Math.abs(normal / tmy.etrnWm2[r] - 1)).toBeLessThan(0.002);
      // One hour off would be 15-30 % here.
      expect(Math.abs(horizontal / tmy.etrWm2[r] - 1)).toBeLessThan(0.01);
    }
    expect(hours).toBeGreaterThan(1000);
  });

  it("refuses a broken row with DER_DATA_PARSE naming the line and field", () => {
    const lines = text("tmy3_723170TYA_greensboro_nc.csv").split("\n");
    lines[4] = lines[4].replace(/^01\/01\/1988,03:00,/, "01/01/1988,03:00,x");
    try {
      parseTmy3(lines.join("\n"));
      expect.unreachable();
    } catch (e) {
      expect(isPlurigridError(e, "DER_DATA_PARSE")).toBe(true);
      expect((e as { details: { line: number; field: string } }).details).toMatchObject({
        line: 5,
        field: "ETR (W/m^2)",
      });
    }
  });
});

describeData("measured irradiance readers", () => {
  it("SURFRAD Alamosa: 1440 UTC minutes, flagged values dropped, GHI ≈ DNI·cos z + DHI on good minutes", () => {
    const m = parseSurfrad(text("surfrad_alamosa_slv_20160101_1min.dat"));
    expect(m.count).toBe(1440);
    expect(m.longitudeDeg).toBeCloseTo(-105.92, 6);
    expect(new Date(m.timeMs[0]).toISOString()).toBe("2016-01-01T00:00:00.000Z");
    expect(m.timeMs[1439] - m.timeMs[0]).toBe(1439 * 60_000);
    let n = 0;
    let sumGhi = 0;
    let sumClosure = 0;
    for (let r = 0; r < m.count; r++) {
      const p = solarPosition({
        // SURFRAD's own zenith matches the middle of the minute before the stamp, with refraction.
        utcMs: m.timeMs[r] - 30_000,
        latitudeDeg: m.latitudeDeg,
        longitudeDeg: m.longitudeDeg,
        elevationM: m.elevationM,
        pressureMbar: 770,
        temperatureC: -5,
        deltaTS: deltaTSeconds(2016, 1),
      });
      // Refraction formulas differ by up to ~0.6° near the horizon; away from it they agree closely.
      const tol = p.apparentZenithDeg < 85 || p.zenithDeg > 95 ? 0.05 : 0.7;
      expect(Math.abs(p.apparentZenithDeg - m.fileZenithDeg![r])).toBeLessThan(tol);
      if (p.zenithDeg < 75 && m.ghiWm2[r] > 100 && !Number.isNaN(m.dniWm2[r] + m.dhiWm2[r])) {
        n++;
        sumGhi += m.ghiWm2[r];
        sumClosure += m.dniWm2[r] * Math.cos((p.zenithDeg * Math.PI) / 180) + m.dhiWm2[r];
      }
    }
    expect(n).toBeGreaterThan(200);
    expect(Math.abs(sumClosure / sumGhi - 1)).toBeLessThan(0.03);
  });

  it("RMIS 5-minute: local standard time UTC−7, pvlib's zenith reproduced by the SPA", () => {
    const m = parseRmis(text("nrel_rmis_5min_irradiance_201902.csv"));
    expect(m.count).toBe(1440);
    expect(new Date(m.timeMs[0]).toISOString()).toBe("2019-02-01T07:05:00.000Z");
    for (let r = 0; r < m.count; r += 11) {
      const p = solarPosition({
        utcMs: m.timeMs[r],
        latitudeDeg: m.latitudeDeg,
        longitudeDeg: m.longitudeDeg,
        elevationM: m.elevationM,
        pressureMbar: 820,
        temperatureC: 0,
        deltaTS: 69,
      });
      // The publisher's site coordinates are rounded (≈0.01°), which moves the sun by about as much.
      expect(Math.abs(p.zenithDeg - m.fileZenithDeg![r])).toBeLessThan(0.05);
    }
  });

  it("MIDC BMS 1-minute GHI: explicit −07:00 offset, 1440 rows, DNI/DHI absent (NaN)", () => {
    const m = parseMidcGhi(text("midc_bms_1min_ghi_20220120.csv"));
    expect(m.count).toBe(1440);
    expect(new Date(m.timeMs[0]).toISOString()).toBe("2022-01-20T07:00:00.000Z");
    expect(Number.isNaN(m.dniWm2[600])).toBe(true);
    expect(Math.max(...m.ghiWm2)).toBeGreaterThan(300);
  });
});

describe("measured irradiance readers on broken input", () => {
  it("name the line of a bad timestamp", () => {
    try {
      parseMidcGhi(",Global CMP22 (vent/cor) [W/m^2]\n2022-01-20 25:00:00-07:00,1\n");
      expect.unreachable();
    } catch (e) {
      expect(isPlurigridError(e, "DER_DATA_PARSE")).toBe(true);
      expect((e as { details: { line: number } }).details.line).toBe(2);
    }
  });
});
