import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dataPath } from "../../core/data.js";
import { isPlurigridError } from "../../core/errors.js";
import { describeData } from "../../test-support/data.js";
import { surfaceIncidenceDeg } from "./incidence.js";
import { earthSunDistanceAu, type SpaInput, solarPosition, spaIntermediates } from "./spa.js";
import { B_TERMS, L_TERMS, NUTATION_ABCD, NUTATION_Y, R_TERMS } from "./spa-terms.js";

// biome-ignore lint/suspicious/noExplicitAny: reference JSON read from the shared data
const readJson = (name: string): any => JSON.parse(readFileSync(dataPath("solar", name), "utf8"));

/** One unit in the last printed decimal of a reference value (the report prints values to that digit). */
function lastDigit(value: number): number {
  const text = String(value);
  const decimals = text.includes("e")
    ? Number(text.split("e-")[1]) + (text.split("e")[0].split(".")[1]?.length ?? 0)
    : (text.split(".")[1]?.length ?? 0);
  return 10 ** -decimals;
}

const GOLDEN: Omit<SpaInput, "utcMs"> = {
  latitudeDeg: 39.742476,
  longitudeDeg: -105.1786,
  elevationM: 1830.14,
  pressureMbar: 820,
  temperatureC: 11,
  deltaTS: 67,
};

describe("SPA term tables (report Tables A4.2, A4.3)", () => {
  it("have the number of terms printed in the report", () => {
    expect(L_TERMS.map((s) => s.length)).toEqual([64, 34, 20, 7, 3, 1]);
    expect(B_TERMS.map((s) => s.length)).toEqual([5, 2]);
    expect(R_TERMS.map((s) => s.length)).toEqual([40, 10, 6, 2, 1]);
    expect(NUTATION_Y.length).toBe(63);
    expect(NUTATION_ABCD.length).toBe(63);
  });
});

describeData("SPA against the NREL published example (2003-10-17, Golden CO)", () => {
  const ref = readJson("spa_reference_nrel_2003-10-17.json");
  const inputs = {
    ...GOLDEN,
    utcMs: Date.parse(ref.inputs.utc_datetime),
    latitudeDeg: ref.inputs.latitude_deg,
    longitudeDeg: ref.inputs.longitude_deg,
    elevationM: ref.inputs.elevation_m,
    pressureMbar: ref.inputs.pressure_mbar,
    temperatureC: ref.inputs.temperature_C,
    deltaTS: ref.inputs.delta_t_s,
    deltaUt1S: ref.inputs.delta_ut1_s,
    atmosRefractDeg: ref.inputs.atmos_refract_deg,
  };
  const r = spaIntermediates(inputs);

  it("gives zenith and azimuth within 1e-4 degrees", () => {
    const out = ref.expected_outputs;
    expect(Math.abs(r.apparentZenithDeg - out.topocentric_zenith_deg)).toBeLessThan(1e-4);
    expect(Math.abs(r.azimuthDeg - out.topocentric_azimuth_deg_eastward_from_north)).toBeLessThan(1e-4);
    expect(Math.abs(r.astronomersAzimuthDeg - out.topocentric_azimuth_deg_westward_from_south)).toBeLessThan(
      1e-4,
    );
  });

  it("gives the surface incidence angle within 1e-4 degrees", () => {
    // SPA convention: slope 30°, azimuth rotation −10° from south (negative toward east) = 170° east of north.
    const aoi = surfaceIncidenceDeg(
      r.apparentZenithDeg,
      r.azimuthDeg,
      30,
      180 + ref.inputs.surface_azimuth_rotation_deg,
    );
    expect(Math.abs(aoi - ref.expected_outputs.surface_incidence_deg)).toBeLessThan(1e-4);
  });

  it("reproduces every listed intermediate value to its last printed digit", () => {
    const iv = ref.intermediate_values_pvlib_test_spa;
    const pairs: [string, number, number][] = [
      ["JD", r.jd, iv.JD],
      ["JDE", r.jde, iv.JDE],
      ["L", r.lDeg, iv.L_deg],
      ["B", r.bDeg, iv.B_deg],
      ["R", r.rAu, iv.R_AU],
      ["Theta", r.thetaDeg, iv.Theta_geocentric_longitude_deg],
      ["beta", r.betaDeg, iv.beta_geocentric_latitude_deg],
      ["X0", r.x0Deg, iv.X0_mean_elongation_moon_deg],
      ["X1", r.x1Deg, iv.X1_mean_anomaly_sun_deg],
      ["X2", r.x2Deg, iv.X2_mean_anomaly_moon_deg],
      ["X3", r.x3Deg, iv.X3_moon_argument_latitude_deg],
      ["X4", r.x4Deg, iv.X4_moon_ascending_node_longitude_deg],
      ["delta_psi", r.deltaPsiDeg, iv.delta_psi_deg],
      ["delta_epsilon", r.deltaEpsilonDeg, iv.delta_epsilon_deg],
      ["epsilon0", r.epsilon0Arcsec, iv.epsilon0_mean_obliquity_arcsec],
      ["epsilon", r.epsilonDeg, iv.epsilon_deg],
      ["delta_tau", r.deltaTauDeg, iv.delta_tau_aberration_deg],
      ["lambda", r.lambdaDeg, iv.lambda_apparent_sun_longitude_deg],
      ["nu0", r.nu0Deg, iv.nu0_mean_sidereal_time_deg],
      ["nu", r.nuDeg, iv.nu_apparent_sidereal_time_deg],
      ["alpha", r.alphaDeg, iv.alpha_geocentric_right_ascension_deg],
      ["delta", r.deltaDeg, iv.delta_geocentric_declination_deg],
      ["H", r.hourAngleDeg, iv.H_local_hour_angle_deg],
      ["xi", r.xiDeg, iv.xi_equatorial_horizontal_parallax_deg],
      ["delta_alpha", r.deltaAlphaDeg, iv.delta_alpha_parallax_right_ascension_deg],
      ["alpha_prime", r.alphaPrimeDeg, iv.alpha_prime_topocentric_right_ascension_deg],
      ["delta_prime", r.deltaPrimeDeg, iv.delta_prime_topocentric_declination_deg],
      ["H_prime", r.hourAnglePrimeDeg, iv.H_prime_topocentric_hour_angle_deg],
      ["e0", r.elevationDeg, iv.e0_elevation_without_refraction_deg],
      ["delta_e", r.refractionDeg, iv.delta_e_refraction_correction_deg],
      ["e", r.apparentElevationDeg, iv.e_topocentric_elevation_deg],
      ["theta", r.apparentZenithDeg, iv.theta_topocentric_zenith_deg],
      ["theta0", r.zenithDeg, iv.theta0_zenith_without_refraction_deg],
      ["Gamma", r.astronomersAzimuthDeg, iv.Gamma_astronomers_azimuth_deg],
      ["Phi", r.azimuthDeg, iv.Phi_topocentric_azimuth_deg],
      ["EoT", r.equationOfTimeMin, iv.equation_of_time_min],
      ["EoT 5dp", r.equationOfTimeMin, iv.equation_of_time_min_5dp_from_pvlib_get_solarposition],
    ];
    const misses = pairs.filter(([, got, want]) => !(Math.abs(got - want) <= lastDigit(want)));
    expect(misses).toEqual([]);
  });

  it("gives the Julian centuries and millennia of the printed (6-decimal) JD and JDE", () => {
    // JC, JCE, JME are printed from JD and JDE rounded to 1e-6 day: compare at that resolution.
    const iv = ref.intermediate_values_pvlib_test_spa;
    const dayTol = 0.5e-6;
    expect(Math.abs(r.jc - iv.JC)).toBeLessThan(dayTol / 36525);
    expect(Math.abs(r.jce - iv.JCE)).toBeLessThan(dayTol / 36525);
    expect(Math.abs(r.jme - iv.JME)).toBeLessThan(dayTol / 365250);
  });
});

describeData("SPA against the pvlib reference cases", () => {
  const ref = readJson("solar_position_reference_pvlib.json");
  const byId = (id: string) => ref.cases.find((c: { id: string }) => c.id === id);

  for (const id of ["golden_2003-10-18_spa", "golden_2003-10-17_spa_repeat"]) {
    it(`${id}: elevation, apparent zenith, azimuth within the case tolerance`, () => {
      const c = byId(id);
      const p = solarPosition({
        utcMs: Date.parse(c.inputs.datetime),
        latitudeDeg: c.inputs.latitude,
        longitudeDeg: c.inputs.longitude,
        elevationM: c.inputs.elevation_m,
        pressureMbar: c.inputs.pressure_Pa / 100,
        temperatureC: c.inputs.temperature_C,
        deltaTS: c.inputs.delta_t_s,
        atmosRefractDeg: c.inputs.atmos_refract_deg,
      });
      const tol = Math.max(c.tolerance_deg, 1e-6);
      expect(Math.abs(p.elevationDeg - c.expected.elevation)).toBeLessThan(tol);
      expect(Math.abs(p.apparentZenithDeg - c.expected.apparent_zenith)).toBeLessThan(tol);
      expect(Math.abs(p.azimuthDeg - c.expected.azimuth)).toBeLessThan(tol);
      expect(Math.abs(p.apparentElevationDeg - c.expected.apparent_elevation)).toBeLessThan(tol);
    });
  }

  it("azimuth_delta_t_sensitivity: azimuth for ΔT = 67 s and 0 s within 1e-7 degrees", () => {
    const c = byId("azimuth_delta_t_sensitivity");
    for (const e of c.expected) {
      const p = solarPosition({
        utcMs: Date.parse(c.inputs.datetime),
        latitudeDeg: c.inputs.latitude,
        longitudeDeg: c.inputs.longitude,
        elevationM: c.inputs.elevation_m,
        pressureMbar: c.inputs.pressure_Pa / 100,
        temperatureC: c.inputs.temperature_C,
        deltaTS: e.delta_t_s,
        atmosRefractDeg: c.inputs.atmos_refract_deg,
      });
      expect(Math.abs(p.azimuthDeg - e.azimuth)).toBeLessThan(c.tolerance_deg);
    }
  });

  it("earth_sun_distance: radius vector within 1e-9 AU", () => {
    const c = byId("earth_sun_distance");
    for (const e of c.expected) {
      expect(Math.abs(earthSunDistanceAu(Date.parse(e.datetime), c.inputs.delta_t_s) - e.R_AU)).toBeLessThan(
        c.tolerance_AU,
      );
    }
  });
});

describe("SPA input checks and invariants", () => {
  const base: SpaInput = { ...GOLDEN, utcMs: Date.UTC(2020, 5, 1, 18) };

  it("names the field that is out of range", () => {
    for (const [field, value] of [
      ["latitudeDeg", 91],
      ["longitudeDeg", -180.5],
      ["pressureMbar", 6000],
      ["temperatureC", -300],
      ["deltaTS", 9000],
      ["utcMs", Date.UTC(6001, 0, 2)],
      ["elevationM", Number.NaN],
    ] as const) {
      try {
        spaIntermediates({ ...base, [field]: value });
        expect.unreachable(`${field} accepted`);
      } catch (e) {
        expect(isPlurigridError(e, "SPA_INPUT_OUT_OF_RANGE")).toBe(true);
        expect((e as { details: { field: string } }).details.field).toBe(field);
      }
    }
  });

  it("keeps angles in range, refraction non-negative, zenith = 90 − elevation (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }),
        fc.double({ min: -89.9, max: 89.9, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        (utcMs, latitudeDeg, longitudeDeg) => {
          const r = spaIntermediates({ ...base, utcMs, latitudeDeg, longitudeDeg });
          expect(r.azimuthDeg).toBeGreaterThanOrEqual(0);
          expect(r.azimuthDeg).toBeLessThan(360);
          expect(r.zenithDeg).toBeGreaterThanOrEqual(0);
          expect(r.zenithDeg).toBeLessThanOrEqual(180);
          expect(r.refractionDeg).toBeGreaterThanOrEqual(0);
          expect(r.apparentZenithDeg).toBeLessThanOrEqual(r.zenithDeg);
          expect(Math.abs(r.zenithDeg + r.elevationDeg - 90)).toBeLessThan(1e-9);
          expect(Math.abs(r.equationOfTimeMin)).toBeLessThan(17);
          expect(r.rAu).toBeGreaterThan(0.983);
          expect(r.rAu).toBeLessThan(1.017);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("puts the sun in the north at local noon south of the subsolar point's latitude band", () => {
    // At 50°S at local solar noon the sun is due north (azimuth 0/360) all year.
    const p = solarPosition({
      ...base,
      latitudeDeg: -50,
      longitudeDeg: 0,
      utcMs: Date.UTC(2021, 2, 1, 12, 12),
    });
    expect(Math.min(p.azimuthDeg, 360 - p.azimuthDeg)).toBeLessThan(1);
  });
});
