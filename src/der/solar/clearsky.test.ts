import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dataPath } from "../../core/data.js";
import { describeData } from "../../test-support/data.js";
import {
  absoluteAirmass,
  altitudeToPressurePa,
  extraterrestrialDniWm2,
  haurwitzGhi,
  ineichenPerez,
  relativeAirmassKastenYoung,
  simplifiedSolis,
} from "./clearsky.js";

const RTOL = 1e-6;
/** Relative agreement, with an absolute floor of 1e-9 W/m² for values that are exactly 0 in the reference. */
function close(got: number, want: number): boolean {
  return Math.abs(got - want) <= RTOL * Math.abs(want) + 1e-9;
}

describeData("clear-sky models against clearsky_reference_pvlib.json (1e-6 relative)", () => {
  const ref = JSON.parse(readFileSync(dataPath("solar", "clearsky_reference_pvlib.json"), "utf8"));
  const ip = ref.ineichen_perez;

  for (const perez of [false, true]) {
    it(`Ineichen–Perez series case (Phoenix 2014-06-24, TL 3${perez ? ", Perez enhancement" : ""})`, () => {
      const s = ip.series_case;
      const want = perez ? s.expected_perez_enhancement : s.expected;
      s.apparent_zenith.forEach((z: number, i: number) => {
        const am = s.airmass_absolute[i] ?? Number.NaN;
        const r = ineichenPerez({
          apparentZenithDeg: z,
          airmassAbsolute: am,
          linkeTurbidity: s.linke_turbidity,
          perezEnhancement: perez,
        });
        expect(close(r.ghiWm2, want.ghi[i]), `ghi ${i}: ${r.ghiWm2} vs ${want.ghi[i]}`).toBe(true);
        expect(close(r.dniWm2, want.dni[i]), `dni ${i}`).toBe(true);
        expect(close(r.dhiWm2, want.dhi[i]), `dhi ${i}`).toBe(true);
      });
    });
  }

  it("Ineichen–Perez scalar cases (default, dni_extra 1370, altitude 2000 m)", () => {
    for (const c of ip.scalar_cases) {
      const r = ineichenPerez({
        apparentZenithDeg: c.apparent_zenith,
        airmassAbsolute: c.airmass_absolute,
        linkeTurbidity: c.linke_turbidity,
        altitudeM: c.altitude,
        dniExtraWm2: c.dni_extra,
      });
      expect(close(r.ghiWm2, c.ghi)).toBe(true);
      expect(close(r.dniWm2, c.dni)).toBe(true);
      expect(close(r.dhiWm2, c.dhi)).toBe(true);
    }
  });

  it("Ineichen–Perez grid case (expected[i][j][k] = airmass i, zenith j, turbidity k)", () => {
    const g = ip.grid_case;
    let n = 0;
    g.airmass_absolute.forEach((am: number, i: number) => {
      g.apparent_zenith.forEach((z: number, j: number) => {
        g.linke_turbidity.forEach((tl: number, k: number) => {
          const r = ineichenPerez({ apparentZenithDeg: z, airmassAbsolute: am, linkeTurbidity: tl });
          expect(close(r.ghiWm2, g.ghi[i][j][k]), `ghi ${i}${j}${k}`).toBe(true);
          expect(close(r.dniWm2, g.dni[i][j][k]), `dni ${i}${j}${k}`).toBe(true);
          expect(close(r.dhiWm2, g.dhi[i][j][k]), `dhi ${i}${j}${k}`).toBe(true);
          n++;
        });
      });
    });
    expect(n).toBe(27);
  });

  it("Haurwitz at every listed apparent zenith", () => {
    const h = ref.haurwitz;
    h.apparent_zenith.forEach((z: number, i: number) => {
      expect(close(haurwitzGhi(z), h.ghi[i]), `z=${z}`).toBe(true);
    });
  });

  it("simplified Solis at every listed case", () => {
    for (const c of ref.simplified_solis.cases) {
      const r = simplifiedSolis({
        apparentElevationDeg: c.apparent_elevation,
        aod700: c.aod700,
        precipitableWaterCm: c.precipitable_water,
        pressurePa: c.pressure,
        dniExtraWm2: c.dni_extra,
      });
      const label = JSON.stringify(c);
      expect(close(r.ghiWm2, c.ghi), `ghi ${label} ${r.ghiWm2}`).toBe(true);
      expect(close(r.dniWm2, c.dni), `dni ${label}`).toBe(true);
      expect(close(r.dhiWm2, c.dhi), `dhi ${label}`).toBe(true);
    }
  });
});

describe("air mass and atmosphere helpers", () => {
  it("air mass is ~1 overhead, ~2 at 60°, grows toward the horizon, NaN below it", () => {
    expect(relativeAirmassKastenYoung(0)).toBeCloseTo(0.9997, 4);
    expect(relativeAirmassKastenYoung(60)).toBeCloseTo(1.9942, 3);
    expect(relativeAirmassKastenYoung(90)).toBeCloseTo(37.92, 1);
    expect(relativeAirmassKastenYoung(90.5)).toBeNaN();
    fc.assert(
      // The fitted formula is flat (not monotone to 1e-7) within a few degrees of the zenith.
      fc.property(
        fc.double({ min: 5, max: 89.9, noNaN: true }),
        fc.double({ min: 0.01, max: 0.09, noNaN: true }),
        (z, dz) => {
          expect(relativeAirmassKastenYoung(z + dz)).toBeGreaterThan(relativeAirmassKastenYoung(z));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("pressure is 101325 Pa at sea level and falls with altitude; absolute air mass scales with it", () => {
    expect(altitudeToPressurePa(0)).toBeCloseTo(101325, -1);
    expect(altitudeToPressurePa(1500)).toBeLessThan(86000);
    expect(absoluteAirmass(2, 50662.5)).toBeCloseTo(1, 12);
  });

  it("extraterrestrial DNI follows the inverse-square law", () => {
    expect(extraterrestrialDniWm2(1)).toBe(1361);
    expect(extraterrestrialDniWm2(0.983, 1366.1) / extraterrestrialDniWm2(1.017, 1366.1)).toBeCloseTo(
      (1.017 / 0.983) ** 2,
      12,
    );
  });

  it("Ineichen–Perez: GHI = DNI·cos z + DHI, all non-negative, zero with the sun down (property)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 89.5, noNaN: true }),
        fc.double({ min: 1.5, max: 7, noNaN: true }),
        fc.double({ min: 0, max: 4000, noNaN: true }),
        (z, tl, altitudeM) => {
          const am = absoluteAirmass(relativeAirmassKastenYoung(z), altitudeToPressurePa(altitudeM));
          const r = ineichenPerez({
            apparentZenithDeg: z,
            airmassAbsolute: am,
            linkeTurbidity: tl,
            altitudeM,
          });
          expect(r.ghiWm2).toBeGreaterThanOrEqual(0);
          expect(r.dniWm2).toBeGreaterThanOrEqual(0);
          expect(r.dhiWm2).toBeGreaterThanOrEqual(-1e-9);
          expect(Math.abs(r.dniWm2 * Math.cos((z * Math.PI) / 180) + r.dhiWm2 - r.ghiWm2)).toBeLessThan(1e-9);
        },
      ),
      { numRuns: 300 },
    );
    expect(
      ineichenPerez({ apparentZenithDeg: 100, airmassAbsolute: Number.NaN, linkeTurbidity: 3 }).ghiWm2,
    ).toBe(0);
  });
});
