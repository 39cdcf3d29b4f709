/**
 * The NREL Solar Position Algorithm (SPA): I. Reda and A. Andreas, "Solar position algorithm for solar
 * radiation applications", Solar Energy 76(5):577-589, 2004, and NREL/TP-560-34302 (revised 2008), with
 * the corrigendum in Solar Energy 81(6):838, 2007. Uncertainty ±0.0003° for the years −2000..6000.
 *
 * Every step below carries the number of its equation in the 2008 report (§3.1 … §3.14), so that the
 * intermediate values can be compared with the report's worked example (spa.test.ts does).
 */
import { PlurigridError } from "../../core/errors.js";
import { JD_J2000, julianDayFromUtcMs } from "./julian.js";
import { B_TERMS, type EarthTerm, L_TERMS, NUTATION_ABCD, NUTATION_Y, R_TERMS } from "./spa-terms.js";

const D2R = Math.PI / 180;
const R2D = 180 / Math.PI;
/** Apparent radius of the sun's disk, degrees (report §A.2, used for sunrise/sunset and refraction). */
export const SUN_RADIUS_DEG = 0.26667;
/** Refraction at sunrise/sunset assumed by the report (eq. 42 cut-off and §A.2). */
export const DEFAULT_ATMOS_REFRACT_DEG = 0.5667;

export interface SpaInput {
  /** The instant, UTC milliseconds since the Unix epoch. */
  utcMs: number;
  latitudeDeg: number;
  /** East positive. */
  longitudeDeg: number;
  elevationM: number;
  /** Annual mean local pressure, millibar (hPa): only the refraction correction uses it. */
  pressureMbar: number;
  /** Annual mean local temperature, °C: only the refraction correction uses it. */
  temperatureC: number;
  /** ΔT = TT − UT1, seconds (see deltaTSeconds). */
  deltaTS: number;
  /** ΔUT1 = UT1 − UTC, seconds (IERS); default 0. */
  deltaUt1S?: number;
  /** Atmospheric refraction at sunrise/sunset, degrees; default 0.5667. */
  atmosRefractDeg?: number;
}

/** Every intermediate quantity of the report's §3, in its units (degrees unless named otherwise). */
export interface SpaIntermediates {
  jd: number;
  jc: number;
  jde: number;
  jce: number;
  jme: number;
  lDeg: number;
  bDeg: number;
  rAu: number;
  thetaDeg: number;
  betaDeg: number;
  x0Deg: number;
  x1Deg: number;
  x2Deg: number;
  x3Deg: number;
  x4Deg: number;
  deltaPsiDeg: number;
  deltaEpsilonDeg: number;
  epsilon0Arcsec: number;
  epsilonDeg: number;
  deltaTauDeg: number;
  lambdaDeg: number;
  nu0Deg: number;
  nuDeg: number;
  alphaDeg: number;
  deltaDeg: number;
  hourAngleDeg: number;
  xiDeg: number;
  deltaAlphaDeg: number;
  alphaPrimeDeg: number;
  deltaPrimeDeg: number;
  hourAnglePrimeDeg: number;
  /** Topocentric elevation without refraction (e0). */
  elevationDeg: number;
  /** Refraction correction Δe. */
  refractionDeg: number;
  /** Topocentric elevation with refraction (e). */
  apparentElevationDeg: number;
  /** Topocentric zenith without refraction (θ0 = 90 − e0). */
  zenithDeg: number;
  /** Topocentric zenith with refraction (θ = 90 − e). */
  apparentZenithDeg: number;
  /** Astronomers' azimuth Γ, westward from south. */
  astronomersAzimuthDeg: number;
  /** Azimuth Φ, eastward from north (navigators'). */
  azimuthDeg: number;
  /** Equation of time, minutes (report §A.1). */
  equationOfTimeMin: number;
}

export interface SolarPosition {
  zenithDeg: number;
  apparentZenithDeg: number;
  azimuthDeg: number;
  elevationDeg: number;
  apparentElevationDeg: number;
  equationOfTimeMin: number;
}

/** [0, 360). */
export function limitDegrees(deg: number): number {
  const d = deg % 360;
  return d < 0 ? d + 360 : d;
}

// The term tables flattened once into typed arrays: [A, B, C] triples per series.
function flatten(series: readonly (readonly EarthTerm[])[]): Float64Array[] {
  return series.map((terms) => Float64Array.from(terms.flat()));
}
const L_FLAT = flatten(L_TERMS);
const B_FLAT = flatten(B_TERMS);
const R_FLAT = flatten(R_TERMS);
const NUT_Y = Float64Array.from(NUTATION_Y.flat());
const NUT_ABCD = Float64Array.from(NUTATION_ABCD.flat());

/** Report eqs. 9-11: Σ_i (Σ_j A cos(B + C·JME)) · JME^i / 1e8. */
function earthValue(series: Float64Array[], jme: number): number {
  let total = 0;
  let power = 1;
  for (const terms of series) {
    let s = 0;
    for (let k = 0; k < terms.length; k += 3) s += terms[k] * Math.cos(terms[k + 1] + terms[k + 2] * jme);
    total += s * power;
    power *= jme;
  }
  return total / 1e8;
}

/** Earth heliocentric longitude L, latitude B (degrees) and radius vector R (AU) at a JME (§3.2). */
export function earthHeliocentric(jme: number): { lDeg: number; bDeg: number; rAu: number } {
  return {
    lDeg: limitDegrees(earthValue(L_FLAT, jme) * R2D),
    bDeg: earthValue(B_FLAT, jme) * R2D,
    rAu: earthValue(R_FLAT, jme),
  };
}

/** Nutation in longitude and obliquity, degrees (§3.4, eqs. 15-23). */
export function nutation(jce: number): {
  x: [number, number, number, number, number];
  deltaPsiDeg: number;
  deltaEpsilonDeg: number;
} {
  const jce2 = jce * jce;
  const jce3 = jce2 * jce;
  const x: [number, number, number, number, number] = [
    297.85036 + 445267.11148 * jce - 0.0019142 * jce2 + jce3 / 189474, // eq. 15
    357.52772 + 35999.05034 * jce - 0.0001603 * jce2 - jce3 / 300000, // eq. 16
    134.96298 + 477198.867398 * jce + 0.0086972 * jce2 + jce3 / 56250, // eq. 17
    93.27191 + 483202.017538 * jce - 0.0036825 * jce2 + jce3 / 327270, // eq. 18
    125.04452 - 1934.136261 * jce + 0.0020708 * jce2 + jce3 / 450000, // eq. 19
  ];
  let sumPsi = 0;
  let sumEps = 0;
  for (let i = 0; i < NUTATION_Y.length; i++) {
    const k = i * 5;
    const arg =
      (x[0] * NUT_Y[k] +
        x[1] * NUT_Y[k + 1] +
        x[2] * NUT_Y[k + 2] +
        x[3] * NUT_Y[k + 3] +
        x[4] * NUT_Y[k + 4]) *
      D2R;
    const c = i * 4;
    sumPsi += (NUT_ABCD[c] + NUT_ABCD[c + 1] * jce) * Math.sin(arg); // eq. 20
    sumEps += (NUT_ABCD[c + 2] + NUT_ABCD[c + 3] * jce) * Math.cos(arg); // eq. 21
  }
  // Terms are in 0.0001″: divide by 36,000,000 for degrees (eqs. 22-23).
  return { x, deltaPsiDeg: sumPsi / 36_000_000, deltaEpsilonDeg: sumEps / 36_000_000 };
}

/** Geocentric quantities shared by the position and by sunrise/transit/sunset (§3.1-3.9). */
export interface Geocentric {
  jd: number;
  jc: number;
  jde: number;
  jce: number;
  jme: number;
  lDeg: number;
  bDeg: number;
  rAu: number;
  thetaDeg: number;
  betaDeg: number;
  x: [number, number, number, number, number];
  deltaPsiDeg: number;
  deltaEpsilonDeg: number;
  epsilon0Arcsec: number;
  epsilonDeg: number;
  deltaTauDeg: number;
  lambdaDeg: number;
  nu0Deg: number;
  nuDeg: number;
  alphaDeg: number;
  deltaDeg: number;
}

/** Sun's apparent geocentric position and apparent sidereal time at a Julian day (UT1) and ΔT. */
export function geocentricSun(jd: number, deltaTS: number): Geocentric {
  const jde = jd + deltaTS / 86_400; // eq. 5
  const jc = (jd - JD_J2000) / 36525; // eq. 6
  const jce = (jde - JD_J2000) / 36525; // eq. 7
  const jme = jce / 10; // eq. 8
  const { lDeg, bDeg, rAu } = earthHeliocentric(jme);
  const thetaDeg = limitDegrees(lDeg + 180); // eq. 13
  const betaDeg = -bDeg; // eq. 14
  const { x, deltaPsiDeg, deltaEpsilonDeg } = nutation(jce);
  const u = jme / 10;
  // eq. 24 (Laskar 1986), arc seconds, valid for |U| < 1.
  const epsilon0Arcsec =
    84381.448 +
    u *
      (-4680.93 +
        u *
          (-1.55 +
            u *
              (1999.25 +
                u *
                  (-51.38 +
                    u * (-249.67 + u * (-39.05 + u * (7.12 + u * (27.87 + u * (5.79 + u * 2.45)))))))));
  const epsilonDeg = epsilon0Arcsec / 3600 + deltaEpsilonDeg; // eq. 25
  const deltaTauDeg = -20.4898 / (3600 * rAu); // eq. 26
  const lambdaDeg = thetaDeg + deltaPsiDeg + deltaTauDeg; // eq. 27
  const nu0Deg = limitDegrees(
    280.46061837 + 360.98564736629 * (jd - JD_J2000) + 0.000387933 * jc * jc - (jc * jc * jc) / 38710000,
  ); // eq. 28
  const eps = epsilonDeg * D2R;
  const nuDeg = nu0Deg + deltaPsiDeg * Math.cos(eps); // eq. 29
  const lam = lambdaDeg * D2R;
  const beta = betaDeg * D2R;
  const alphaDeg = limitDegrees(
    Math.atan2(Math.sin(lam) * Math.cos(eps) - Math.tan(beta) * Math.sin(eps), Math.cos(lam)) * R2D,
  ); // eq. 30
  const deltaDeg =
    Math.asin(Math.sin(beta) * Math.cos(eps) + Math.cos(beta) * Math.sin(eps) * Math.sin(lam)) * R2D; // eq. 31
  return {
    jd,
    jc,
    jde,
    jce,
    jme,
    lDeg,
    bDeg,
    rAu,
    thetaDeg,
    betaDeg,
    x,
    deltaPsiDeg,
    deltaEpsilonDeg,
    epsilon0Arcsec,
    epsilonDeg,
    deltaTauDeg,
    lambdaDeg,
    nu0Deg,
    nuDeg,
    alphaDeg,
    deltaDeg,
  };
}

/**
 * Refraction correction Δe in degrees (eq. 42, Sæmundsson's formula scaled by pressure and temperature);
 * zero when the sun without refraction is below −(sun radius + refraction at the horizon).
 */
export function refractionDeg(
  elevationDeg: number,
  pressureMbar: number,
  temperatureC: number,
  atmosRefractDeg = DEFAULT_ATMOS_REFRACT_DEG,
): number {
  if (elevationDeg < -(SUN_RADIUS_DEG + atmosRefractDeg)) return 0;
  return (
    ((pressureMbar / 1010) * (283 / (273 + temperatureC)) * 1.02) /
    (60 * Math.tan((elevationDeg + 10.3 / (elevationDeg + 5.11)) * D2R))
  );
}

/** Every intermediate value of the SPA for one instant and site. Checks the inputs (SPA_INPUT_*). */
export function spaIntermediates(input: SpaInput): SpaIntermediates {
  checkSpaInput(input);
  const g = geocentricSun(julianDayFromUtcMs(input.utcMs, input.deltaUt1S ?? 0), input.deltaTS);
  const lat = input.latitudeDeg * D2R;
  const hourAngleDeg = limitDegrees(g.nuDeg + input.longitudeDeg - g.alphaDeg); // eq. 32
  const xiDeg = 8.794 / (3600 * g.rAu); // eq. 33
  const u = Math.atan(0.99664719 * Math.tan(lat)); // eq. 34
  const x = Math.cos(u) + (input.elevationM / 6378140) * Math.cos(lat); // eq. 35
  const y = 0.99664719 * Math.sin(u) + (input.elevationM / 6378140) * Math.sin(lat); // eq. 36
  const xi = xiDeg * D2R;
  const h = hourAngleDeg * D2R;
  const delta = g.deltaDeg * D2R;
  const denom = Math.cos(delta) - x * Math.sin(xi) * Math.cos(h);
  const deltaAlpha = Math.atan2(-x * Math.sin(xi) * Math.sin(h), denom); // eq. 37
  const deltaPrime = Math.atan2((Math.sin(delta) - y * Math.sin(xi)) * Math.cos(deltaAlpha), denom); // eq. 39
  const deltaAlphaDeg = deltaAlpha * R2D;
  const hourAnglePrimeDeg = hourAngleDeg - deltaAlphaDeg; // eq. 40
  const hp = hourAnglePrimeDeg * D2R;
  const elevationDeg =
    Math.asin(Math.sin(lat) * Math.sin(deltaPrime) + Math.cos(lat) * Math.cos(deltaPrime) * Math.cos(hp)) *
    R2D; // eq. 41
  const dE = refractionDeg(elevationDeg, input.pressureMbar, input.temperatureC, input.atmosRefractDeg); // eq. 42
  const apparentElevationDeg = elevationDeg + dE; // eq. 43
  const astronomersAzimuthDeg = limitDegrees(
    Math.atan2(Math.sin(hp), Math.cos(hp) * Math.sin(lat) - Math.tan(deltaPrime) * Math.cos(lat)) * R2D,
  ); // eq. 45
  return {
    jd: g.jd,
    jc: g.jc,
    jde: g.jde,
    jce: g.jce,
    jme: g.jme,
    lDeg: g.lDeg,
    bDeg: g.bDeg,
    rAu: g.rAu,
    thetaDeg: g.thetaDeg,
    betaDeg: g.betaDeg,
    x0Deg: g.x[0],
    x1Deg: g.x[1],
    x2Deg: g.x[2],
    x3Deg: g.x[3],
    x4Deg: g.x[4],
    deltaPsiDeg: g.deltaPsiDeg,
    deltaEpsilonDeg: g.deltaEpsilonDeg,
    epsilon0Arcsec: g.epsilon0Arcsec,
    epsilonDeg: g.epsilonDeg,
    deltaTauDeg: g.deltaTauDeg,
    lambdaDeg: g.lambdaDeg,
    nu0Deg: g.nu0Deg,
    nuDeg: g.nuDeg,
    alphaDeg: g.alphaDeg,
    deltaDeg: g.deltaDeg,
    hourAngleDeg,
    xiDeg,
    deltaAlphaDeg,
    alphaPrimeDeg: g.alphaDeg + deltaAlphaDeg, // eq. 38
    deltaPrimeDeg: deltaPrime * R2D,
    hourAnglePrimeDeg,
    elevationDeg,
    refractionDeg: dE,
    apparentElevationDeg,
    zenithDeg: 90 - elevationDeg,
    apparentZenithDeg: 90 - apparentElevationDeg, // eq. 44
    astronomersAzimuthDeg,
    azimuthDeg: limitDegrees(astronomersAzimuthDeg + 180), // eq. 46
    equationOfTimeMin: equationOfTimeMin(g),
  };
}

/** Equation of time in minutes, in [−20, 20] (report §A.1, eqs. A1-A2). */
export function equationOfTimeMin(g: Geocentric): number {
  const t = g.jme;
  const m = limitDegrees(
    280.4664567 +
      360007.6982779 * t +
      0.03032028 * t * t +
      t ** 3 / 49931 -
      t ** 4 / 15300 -
      t ** 5 / 2000000,
  );
  const e = 4 * (m - 0.0057183 - g.alphaDeg + g.deltaPsiDeg * Math.cos(g.epsilonDeg * D2R));
  if (e < -20) return e + 1440;
  if (e > 20) return e - 1440;
  return e;
}

/** Topocentric zenith (with and without refraction), azimuth east of north, and equation of time. */
export function solarPosition(input: SpaInput): SolarPosition {
  const r = spaIntermediates(input);
  return {
    zenithDeg: r.zenithDeg,
    apparentZenithDeg: r.apparentZenithDeg,
    azimuthDeg: r.azimuthDeg,
    elevationDeg: r.elevationDeg,
    apparentElevationDeg: r.apparentElevationDeg,
    equationOfTimeMin: r.equationOfTimeMin,
  };
}

/** Earth–sun distance in AU at a UTC instant (the radius vector R of eq. 11). */
export function earthSunDistanceAu(utcMs: number, deltaTS: number): number {
  const jde = julianDayFromUtcMs(utcMs) + deltaTS / 86_400;
  return earthHeliocentric((jde - JD_J2000) / 365250).rAu;
}

function bad(field: string, value: unknown, range: string): never {
  throw new PlurigridError("SPA_INPUT_OUT_OF_RANGE", `${field} = ${String(value)} is outside ${range}`, {
    field,
    value,
    range,
  });
}

const YEAR_MIN_MS = Date.UTC(-2000, 0, 1);
const YEAR_MAX_MS = Date.UTC(6001, 0, 1);

/** The input ranges of the SPA report (§3 and its reference implementation); SPA_INPUT_OUT_OF_RANGE. */
export function checkSpaInput(i: SpaInput): void {
  const within = (field: keyof SpaInput, lo: number, hi: number) => {
    const v = i[field];
    if (typeof v !== "number" || !Number.isFinite(v) || v < lo || v > hi) bad(field, v, `[${lo}, ${hi}]`);
  };
  within("utcMs", YEAR_MIN_MS, YEAR_MAX_MS - 1);
  within("latitudeDeg", -90, 90);
  within("longitudeDeg", -180, 180);
  within("elevationM", -6_500_000, Number.MAX_VALUE);
  within("pressureMbar", 0, 5000);
  within("temperatureC", -273, 6000);
  within("deltaTS", -8000, 8000);
  if (i.deltaUt1S !== undefined) within("deltaUt1S", -1, 1);
  if (i.atmosRefractDeg !== undefined) within("atmosRefractDeg", -5, 5);
}
