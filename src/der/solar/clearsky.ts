/**
 * Clear-sky irradiance models and the atmosphere helpers they need. Irradiance in W/m², angles in degrees.
 *
 * - Ineichen–Perez with Linke turbidity: P. Ineichen and R. Perez, "A new airmass independent formulation
 *   for the Linke turbidity coefficient", Solar Energy 73(3):151-157, 2002 (GHI eq. 8 and beam eq. 7 with
 *   the altitude factors fh1 = exp(−h/8000), fh2 = exp(−h/1250)); the optional enhancement factor
 *   exp(0.01·AM^1.8) is from R. Perez et al., Solar Energy 73(5):307-317, 2002.
 * - Haurwitz: B. Haurwitz, J. Meteorology 2:154-166 (1945) and 3:123-124 (1946); GHI only.
 * - Simplified Solis: P. Ineichen, "A broadband simplified version of the Solis clear sky model",
 *   Solar Energy 82:758-762, 2008.
 *
 * The constants and edge handling follow pvlib-python's implementation (BSD-3) so that the regression
 * values published with it are reproduced to ~1e-9 relative (clearsky.test.ts).
 */

const D2R = Math.PI / 180;

export interface ClearSky {
  ghiWm2: number;
  dniWm2: number;
  dhiWm2: number;
}

export interface IneichenInput {
  /** Refraction-corrected zenith, degrees. */
  apparentZenithDeg: number;
  /** Pressure-corrected (absolute) air mass; NaN when the sun is down, which gives 0 W/m². */
  airmassAbsolute: number;
  linkeTurbidity: number;
  /** Site altitude above sea level, m; default 0. */
  altitudeM?: number;
  /** Extraterrestrial normal irradiance, W/m²; default 1364 (as in pvlib). */
  dniExtraWm2?: number;
  perezEnhancement?: boolean;
}

/** Ineichen–Perez clear-sky GHI, DNI and DHI. */
export function ineichenPerez(input: IneichenInput): ClearSky {
  const h = input.altitudeM ?? 0;
  const i0 = input.dniExtraWm2 ?? 1364;
  const tl = input.linkeTurbidity;
  const am = input.airmassAbsolute;
  const cosZ = Math.max(Math.cos(input.apparentZenithDeg * D2R), 0);
  if (Number.isNaN(am)) return { ghiWm2: 0, dniWm2: 0, dhiWm2: 0 };
  const fh1 = Math.exp(-h / 8000);
  const fh2 = Math.exp(-h / 1250);
  const cg1 = 5.09e-5 * h + 0.868;
  const cg2 = 3.92e-5 * h + 0.0387;
  let g = Math.exp(-cg2 * am * (fh1 + fh2 * (tl - 1)));
  if (input.perezEnhancement === true) g *= Math.exp(0.01 * am ** 1.8);
  const ghi = cg1 * i0 * cosZ * Math.max(g, 0);
  // Beam coefficient b = 0.664 + 0.163/fh1 as printed in Ineichen & Perez 2002 (eq. 7).
  const b = 0.664 + 0.163 / fh1;
  const bnci = i0 * Math.max(b * Math.exp(-0.09 * am * (tl - 1)), 0);
  // The paper's empirical limit on the beam so that DHI stays non-negative (SE 73, 157 and 312).
  const ratio = (1 - (0.1 - 0.2 * Math.exp(-tl)) / (0.1 + 0.882 / fh1)) / cosZ;
  const bnci2 = ghi * Math.min(Math.max(ratio, 0), 1e20);
  const dni = Math.min(bnci, bnci2);
  return { ghiWm2: ghi, dniWm2: dni, dhiWm2: ghi - dni * cosZ };
}

/** Haurwitz clear-sky GHI: 1098·cos z·exp(−0.059/cos z), 0 when the sun is at or below the horizon. */
export function haurwitzGhi(apparentZenithDeg: number): number {
  const cosZ = Math.cos(apparentZenithDeg * D2R);
  return cosZ > 0 ? 1098 * cosZ * Math.exp(-0.059 / cosZ) : 0;
}

export interface SolisInput {
  apparentElevationDeg: number;
  /** Aerosol optical depth at 700 nm; default 0.1 (model derived for 0…0.45). */
  aod700?: number;
  /** Precipitable water, cm; default 1; values below 0.2 are raised to 0.2 (model limit). */
  precipitableWaterCm?: number;
  pressurePa?: number;
  dniExtraWm2?: number;
}

/** Simplified Solis clear-sky GHI, DNI and DHI (Ineichen 2008, eqs. 1-9). */
export function simplifiedSolis(input: SolisInput): ClearSky {
  const aod = input.aod700 ?? 0.1;
  const w = Math.max(input.precipitableWaterCm ?? 1, 0.2);
  const lnP = Math.log((input.pressurePa ?? 101325) / 101325);
  const lnW = Math.log(w);
  const i0 = input.dniExtraWm2 ?? 1364;
  // Enhanced extraterrestrial irradiance I0' (eq. 3).
  const i0p =
    i0 * (0.12 * w ** 0.56 * aod * aod + 0.97 * w ** 0.032 * aod + 1.08 * w ** 0.0051 + 0.071 * lnP);
  const taub =
    (1.82 + 0.056 * lnW + 0.0071 * lnW * lnW) * aod +
    0.33 +
    0.045 * lnW +
    0.0096 * lnW * lnW +
    (0.0089 * w + 0.13) * lnP;
  const b = (0.00925 * aod * aod + 0.0148 * aod - 0.0172) * lnW - 0.7565 * aod * aod + 0.5057 * aod + 0.4557;
  const taug =
    (1.24 + 0.047 * lnW + 0.0061 * lnW * lnW) * aod +
    0.27 +
    0.043 * lnW +
    0.009 * lnW * lnW +
    (0.0079 * w + 0.1) * lnP;
  const g = -0.0147 * lnW - 0.3079 * aod * aod + 0.2846 * aod + 0.3798;
  // Diffuse optical depth: two coefficient sets, for aod700 below and from 0.05 on (eq. 8).
  const low = aod < 0.05;
  const td4 = low ? 86 * w - 13800 : -0.21 * w + 11.6;
  const td3 = low ? -3.11 * w + 79.4 : 0.27 * w - 20.7;
  const td2 = low ? -0.23 * w + 74.8 : -0.134 * w + 15.5;
  const td1 = low ? 0.092 * w - 8.86 : 0.0554 * w - 5.71;
  const td0 = low ? 0.0042 * w + 3.12 : 0.0057 * w + 2.94;
  const tdp = low ? -0.83 * (1 + aod) ** -17.2 : -0.71 * (1 + aod) ** -15;
  const taud = td4 * aod ** 4 + td3 * aod ** 3 + td2 * aod * aod + td1 * aod + td0 + tdp * lnP;
  const d = -0.337 * aod * aod + 0.63 * aod + 0.116 + lnP / (18 + 152 * aod);
  // A tiny positive sine at night gives 0 W/m² rather than NaN.
  const s = Math.max(1e-30, Math.sin(input.apparentElevationDeg * D2R));
  return {
    ghiWm2: i0p * Math.exp(-taug / s ** g) * s,
    dniWm2: i0p * Math.exp(-taub / s ** b),
    dhiWm2: i0p * Math.exp(-taud / s ** d),
  };
}

/**
 * Relative (sea-level) air mass of F. Kasten and A. T. Young, "Revised optical air mass tables and
 * approximation formula", Applied Optics 28(22):4735-4738, 1989. NaN when the zenith exceeds 90°.
 */
export function relativeAirmassKastenYoung(zenithDeg: number): number {
  if (!(zenithDeg <= 90)) return Number.NaN;
  return 1 / (Math.cos(zenithDeg * D2R) + 0.50572 * (6.07995 + (90 - zenithDeg)) ** -1.6364);
}

/** Absolute (pressure-corrected) air mass: relative air mass × p / 101325 Pa. */
export function absoluteAirmass(relativeAirmass: number, pressurePa = 101325): number {
  return (relativeAirmass * pressurePa) / 101325;
}

/** Standard-atmosphere pressure at an altitude (ICAO 1976 troposphere, as used by pvlib's alt2pres), Pa. */
export function altitudeToPressurePa(altitudeM: number): number {
  return 100 * ((44331.514 - altitudeM) / 11880.516) ** (1 / 0.1902632);
}

/**
 * Extraterrestrial normal irradiance from the Earth–sun distance in AU (inverse-square law). The default
 * solar constant 1361 W/m² is the TSI of G. Kopp and J. Lean, Geophys. Res. Lett. 38, L01706 (2011).
 */
export function extraterrestrialDniWm2(earthSunDistanceAu: number, solarConstantWm2 = 1361): number {
  return solarConstantWm2 / (earthSunDistanceAu * earthSunDistanceAu);
}
