/**
 * Sunrise, sun transit and sunset: NREL SPA report (Reda & Andreas, NREL/TP-560-34302, 2008) Appendix
 * A.2, after Meeus, Astronomical Algorithms ch. 15. The sun's geocentric right ascension and declination
 * at 0 TT of the day before, the day and the day after are interpolated (eqs. A8-A9); sunrise and sunset
 * are where the geometric centre of the sun is at h0' = −(0.26667° + refraction at the horizon), i.e.
 * −0.8333° with the report's default 0.5667°.
 */
import { PlurigridError } from "../../core/errors.js";
import { julianDayFromUtcMs, MS_PER_DAY } from "./julian.js";
import { DEFAULT_ATMOS_REFRACT_DEG, geocentricSun, limitDegrees, SUN_RADIUS_DEG } from "./spa.js";

const D2R = Math.PI / 180;
const R2D = 180 / Math.PI;

export interface RiseSetSite {
  latitudeDeg: number;
  longitudeDeg: number;
  /** ΔT = TT − UT1, seconds. */
  deltaTS: number;
  /** Refraction at the horizon, degrees; default 0.5667 (so h0' = −0.8333°). */
  atmosRefractDeg?: number;
}

export type RiseSetKind = "normal" | "polarDay" | "polarNight";

export interface RiseTransitSet {
  /** Sun transit (local solar noon), UTC ms. */
  transitMs: number;
  /** Sunrise, UTC ms; null when the sun does not cross the horizon that day. */
  sunriseMs: number | null;
  sunsetMs: number | null;
  kind: RiseSetKind;
  /** Sun's topocentric-free (geocentric) altitude at transit, degrees (report eq. A16 for i = 0). */
  transitAltitudeDeg: number;
}

/** Difference of two right ascensions a − b brought into (−180, 180]: the daily change never exceeds ~1.1°. */
function wrapDelta(d: number): number {
  if (d > 180) return d - 360;
  if (d <= -180) return d + 360;
  return d;
}

function limit180(deg: number): number {
  const d = limitDegrees(deg);
  return d > 180 ? d - 360 : d;
}

/**
 * Internal: the report's interpolation set up for one UT day. With `nearNoon`, the transit is the one nearest
 * the site's mean solar noon of that UT day (m0 in [c - 1/2, c + 1/2), c = 1/2 - longitude/360) instead of
 * the one inside the UT day (eq. A3's [0, 1)): where the transit falls near 0 UT (longitudes near ±180°) the
 * UT day can hold two transits or none, and consecutive UT days must still give consecutive solar days.
 */
function setUp(dayStartMs: number, site: RiseSetSite, nearNoon = false) {
  if (dayStartMs % MS_PER_DAY !== 0) {
    throw new PlurigridError("SPA_RISE_SET_DAY", `day start ${dayStartMs} ms is not a UTC midnight`, {
      dayStartMs,
    });
  }
  const lat = site.latitudeDeg * D2R;
  const h0Prime = -(SUN_RADIUS_DEG + (site.atmosRefractDeg ?? DEFAULT_ATMOS_REFRACT_DEG));
  const jd0 = julianDayFromUtcMs(dayStartMs);
  const nu = geocentricSun(jd0, site.deltaTS).nuDeg; // A.2.1: apparent sidereal time at 0 UT
  // A.2.2: α and δ at 0 TT (ΔT = 0) of the previous, same and next day.
  const prev = geocentricSun(jd0 - 1, 0);
  const same = geocentricSun(jd0, 0);
  const next = geocentricSun(jd0 + 1, 0);
  const m0Raw = (same.alphaDeg - site.longitudeDeg - nu) / 360;
  const noon = 0.5 - site.longitudeDeg / 360;
  const m0 = nearNoon ? m0Raw - Math.floor(m0Raw - noon + 0.5) : limit01(m0Raw); // eq. A3
  const a = wrapDelta(same.alphaDeg - prev.alphaDeg);
  const b = wrapDelta(next.alphaDeg - same.alphaDeg);
  const ap = same.deltaDeg - prev.deltaDeg;
  const bp = next.deltaDeg - same.deltaDeg;
  const interp = (m: number) => {
    const n = m + site.deltaTS / 86_400; // eq. A7
    const alpha = same.alphaDeg + (n * (a + b + (b - a) * n)) / 2; // eq. A8
    const delta = same.deltaDeg + (n * (ap + bp + (bp - ap) * n)) / 2; // eq. A9
    const hPrime = limit180(nu + 360.985647 * m + site.longitudeDeg - alpha); // eqs. A6, A10
    const dr = delta * D2R;
    const hr = hPrime * D2R;
    const h = Math.asin(Math.sin(lat) * Math.sin(dr) + Math.cos(lat) * Math.cos(dr) * Math.cos(hr)) * R2D; // eq. A11
    return { delta: dr, hPrime, h };
  };
  // eqs. A13-A14: one Newton step on the altitude from the approximate time m.
  const event = (m: number) => {
    const e = interp(m);
    return m + (e.h - h0Prime) / (360 * Math.cos(e.delta) * Math.cos(lat) * Math.sin(e.hPrime * D2R));
  };
  const t = interp(m0);
  const cosH0 =
    (Math.sin(h0Prime * D2R) - Math.sin(lat) * Math.sin(same.deltaDeg * D2R)) /
    (Math.cos(lat) * Math.cos(same.deltaDeg * D2R)); // eq. A4
  return { m0, transitFrac: m0 - t.hPrime / 360 /* eq. A12 */, transitAltitudeDeg: t.h, cosH0, event };
}

function polarKind(cosH0: number): RiseSetKind {
  if (Math.abs(cosH0) <= 1) return "normal";
  // The sun stays above (cos H0 < −1) or below (cos H0 > 1) the horizon all day.
  return cosH0 < -1 ? "polarDay" : "polarNight";
}

/**
 * The report's A.2 exactly as NREL's reference implementation and web calculator apply it: the approximate
 * times m0, m1, m2 are each reduced to [0, 1) of the UT day starting at `dayStartMs` (eq. A5), so every
 * event falls in that UT day. West of Greenwich the sunset found this way can be that of the previous
 * local evening (NREL's published example at UTC−7 prints the sunset of 2003-10-16 for the date
 * 2003-10-17); use `riseTransitSetLocalDay` for the events of one local date.
 */
export function riseTransitSetSpa(dayStartMs: number, site: RiseSetSite): RiseTransitSet {
  const s = setUp(dayStartMs, site);
  const transitMs = dayStartMs + s.transitFrac * MS_PER_DAY;
  const kind = polarKind(s.cosH0);
  if (kind !== "normal") {
    return { transitMs, sunriseMs: null, sunsetMs: null, kind, transitAltitudeDeg: s.transitAltitudeDeg };
  }
  const h0Deg = Math.acos(s.cosH0) * R2D;
  return {
    transitMs,
    sunriseMs: dayStartMs + s.event(limit01(s.m0 - h0Deg / 360)) * MS_PER_DAY,
    sunsetMs: dayStartMs + s.event(limit01(s.m0 + h0Deg / 360)) * MS_PER_DAY,
    kind,
    transitAltitudeDeg: s.transitAltitudeDeg,
  };
}

/**
 * One solar day: the transit nearest the site's mean solar noon of the UT day starting at `dayStartMs`
 * (inside that day except near longitude ±180°), the sunrise just before it and the sunset just after it
 * (m1, m2 not reduced to [0, 1), so they may fall on the neighbouring UT dates).
 */
export function riseTransitSetSolarDay(dayStartMs: number, site: RiseSetSite): RiseTransitSet {
  const s = setUp(dayStartMs, site, true);
  const transitMs = dayStartMs + s.transitFrac * MS_PER_DAY;
  const kind = polarKind(s.cosH0);
  if (kind !== "normal") {
    return { transitMs, sunriseMs: null, sunsetMs: null, kind, transitAltitudeDeg: s.transitAltitudeDeg };
  }
  const h0Deg = Math.acos(s.cosH0) * R2D;
  return {
    transitMs,
    sunriseMs: dayStartMs + s.event(s.m0 - h0Deg / 360) * MS_PER_DAY,
    sunsetMs: dayStartMs + s.event(s.m0 + h0Deg / 360) * MS_PER_DAY,
    kind,
    transitAltitudeDeg: s.transitAltitudeDeg,
  };
}

/**
 * Sunrise, transit and sunset that fall on a local civil date (local standard time = UTC + timezoneHours).
 * Each is taken from the solar days around that date; an event is null when none falls on the date
 * (polar day or night, or near the polar circles when the sun rises only every other date).
 */
export function riseTransitSetLocalDay(
  date: { year: number; month: number; day: number },
  timezoneHours: number,
  site: RiseSetSite,
): { transitMs: number | null; sunriseMs: number | null; sunsetMs: number | null } {
  const localStartMs = Date.UTC(date.year, date.month - 1, date.day) - timezoneHours * 3_600_000;
  const localEndMs = localStartMs + MS_PER_DAY;
  const utDay = Math.floor(localStartMs / MS_PER_DAY) * MS_PER_DAY;
  const pick = (values: (number | null)[]) =>
    values.find((v) => v !== null && v >= localStartMs && v < localEndMs) ?? null;
  const days = [-1, 0, 1, 2].map((k) => riseTransitSetSolarDay(utDay + k * MS_PER_DAY, site));
  return {
    transitMs: pick(days.map((d) => d.transitMs)),
    sunriseMs: pick(days.map((d) => d.sunriseMs)),
    sunsetMs: pick(days.map((d) => d.sunsetMs)),
  };
}

function limit01(x: number): number {
  return x - Math.floor(x);
}
