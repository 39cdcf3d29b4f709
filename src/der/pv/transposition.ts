/**
 * Plane-of-array (POA) irradiance from the horizontal components: beam + sky diffuse + ground reflected.
 * Irradiance in W/m², angles in degrees; surface azimuth east of north (180 = south), tilt from horizontal.
 *
 * - Isotropic sky: B. Y. H. Liu and R. C. Jordan, Solar Energy 7(2):53-74, 1963 — DHI·(1 + cos β)/2.
 * - Hay–Davies: J. E. Hay and J. A. Davies, "Calculation of the solar radiation incident on an inclined
 *   surface", Proc. First Canadian Solar Radiation Data Workshop, 1980 — the anisotropy index AI = DNI/DNI₀
 *   splits the diffuse into a circumsolar part that follows the beam (DHI·AI·Rb) and an isotropic rest
 *   (DHI·(1 − AI)·(1 + cos β)/2). Rb = cos θ / cos z with cos z floored at cos 89° so that the ratio stays
 *   bounded at sunrise and sunset (the same floor as in Duffie & Beckman's worked examples and pvlib).
 * - Ground reflected, isotropic: GHI·ρ·(1 − cos β)/2.
 */
import { cosIncidence } from "../solar/incidence.js";

const D2R = Math.PI / 180;
/** cos 89°: the floor of cos z in the beam ratio Rb. */
const COS_Z_MIN = Math.cos(89 * D2R);

export type SkyModel = "isotropic" | "haydavies";

export interface PoaInput {
  surfaceTiltDeg: number;
  surfaceAzimuthDeg: number;
  /** Solar zenith (refraction-corrected apparent zenith is what irradiance follows). */
  solarZenithDeg: number;
  solarAzimuthDeg: number;
  dniWm2: number;
  ghiWm2: number;
  dhiWm2: number;
  /** Extraterrestrial normal irradiance (needed by Hay–Davies). */
  dniExtraWm2: number;
  /** Ground reflectance; 0.2 when unknown (grass, concrete; fresh snow is ~0.8). */
  albedo?: number;
}

export interface Poa {
  globalWm2: number;
  beamWm2: number;
  skyDiffuseWm2: number;
  groundDiffuseWm2: number;
  /** Angle of incidence of the beam on the surface, degrees. */
  aoiDeg: number;
}

/** Sky diffuse on the tilted plane by the chosen model (never negative). */
export function skyDiffuseWm2(model: SkyModel, i: PoaInput, cosAoi: number): number {
  const dhi = Math.max(i.dhiWm2, 0);
  const iso = (1 + Math.cos(i.surfaceTiltDeg * D2R)) / 2;
  if (model === "isotropic") return dhi * iso;
  const ai = i.dniExtraWm2 > 0 ? Math.min(Math.max(i.dniWm2, 0) / i.dniExtraWm2, 1) : 0;
  const rb = Math.max(cosAoi, 0) / Math.max(Math.cos(i.solarZenithDeg * D2R), COS_Z_MIN);
  return dhi * (ai * rb + (1 - ai) * iso);
}

/** POA irradiance and its components. With the sun below the horizon the beam and circumsolar are 0. */
export function poaIrradiance(i: PoaInput, model: SkyModel = "haydavies"): Poa {
  const cosAoi = cosIncidence(i.solarZenithDeg, i.solarAzimuthDeg, i.surfaceTiltDeg, i.surfaceAzimuthDeg);
  const sunUp = i.solarZenithDeg < 90;
  const beamWm2 = sunUp ? Math.max(i.dniWm2 * cosAoi, 0) : 0;
  const skyDiffuse = sunUp ? skyDiffuseWm2(model, i, cosAoi) : skyDiffuseWm2("isotropic", i, cosAoi);
  const groundDiffuseWm2 =
    (Math.max(i.ghiWm2, 0) * (i.albedo ?? 0.2) * (1 - Math.cos(i.surfaceTiltDeg * D2R))) / 2;
  return {
    globalWm2: beamWm2 + skyDiffuse + groundDiffuseWm2,
    beamWm2,
    skyDiffuseWm2: skyDiffuse,
    groundDiffuseWm2,
    aoiDeg: Math.acos(Math.min(1, Math.max(-1, cosAoi))) / D2R,
  };
}
