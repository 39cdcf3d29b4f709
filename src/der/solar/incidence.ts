const D2R = Math.PI / 180;
const R2D = 180 / Math.PI;

/**
 * Cosine of the angle of incidence of beam radiation on a tilted surface (SPA report eq. 47): the sun at
 * zenith z and azimuth Φ (east of north), the surface tilted by `slopeDeg` from horizontal and facing
 * `surfaceAzimuthDeg` (east of north, 180 = south). Not clipped: negative when the sun is behind the plane.
 */
export function cosIncidence(
  zenithDeg: number,
  azimuthDeg: number,
  slopeDeg: number,
  surfaceAzimuthDeg: number,
): number {
  const z = zenithDeg * D2R;
  const s = slopeDeg * D2R;
  return (
    Math.cos(z) * Math.cos(s) + Math.sin(s) * Math.sin(z) * Math.cos((azimuthDeg - surfaceAzimuthDeg) * D2R)
  );
}

/** Angle of incidence in degrees, [0, 180]. */
export function surfaceIncidenceDeg(
  zenithDeg: number,
  azimuthDeg: number,
  slopeDeg: number,
  surfaceAzimuthDeg: number,
): number {
  const c = cosIncidence(zenithDeg, azimuthDeg, slopeDeg, surfaceAzimuthDeg);
  return Math.acos(Math.min(1, Math.max(-1, c))) * R2D;
}
