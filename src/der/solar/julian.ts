/**
 * Julian dates and ΔT for the solar position algorithm.
 *
 * Time scales (Reda & Andreas 2008, §3.1): UTC instants come in as Unix milliseconds; UT1 = UTC + ΔUT1
 * (|ΔUT1| < 0.9 s, published by the IERS); terrestrial time TT = UT1 + ΔT. The Julian day (JD) is counted
 * in UT1, the Julian ephemeris day (JDE) in TT.
 */

export const MS_PER_DAY = 86_400_000;
/** Julian day of the Unix epoch, 1970-01-01T00:00:00 UT. */
export const JD_UNIX_EPOCH = 2440587.5;
/** Julian day of the J2000.0 epoch, 2000-01-01T12:00:00 TT. */
export const JD_J2000 = 2451545;

/** Julian day (UT1) of a UTC instant in Unix milliseconds, with UT1 − UTC = `deltaUt1S`. */
export function julianDayFromUtcMs(utcMs: number, deltaUt1S = 0): number {
  return utcMs / MS_PER_DAY + JD_UNIX_EPOCH + deltaUt1S / 86_400;
}

/** Unix milliseconds of a Julian day (inverse of `julianDayFromUtcMs` with ΔUT1 = 0). */
export function utcMsFromJulianDay(jd: number): number {
  return (jd - JD_UNIX_EPOCH) * MS_PER_DAY;
}

/**
 * Julian day of a calendar date and time of day (SPA report eq. 4, after Meeus, Astronomical Algorithms
 * ch. 7). Dates before 1582-10-15 are in the Julian calendar, later ones in the Gregorian calendar;
 * years are astronomical (1 BC = year 0). `day` may carry a fraction; the time of day is added to it.
 */
export function julianDayFromCalendar(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): number {
  const d = day + (hour + (minute + second / 60) / 60) / 24;
  let y = year;
  let m = month;
  if (m < 3) {
    y -= 1;
    m += 12;
  }
  const jd = Math.trunc(365.25 * (y + 4716)) + Math.trunc(30.6001 * (m + 1)) + d - 1524.5;
  // The Gregorian correction applies from JD 2299160.5 (1582-10-15) on (report eq. 4, B = 0 before).
  if (jd < 2299160.5) return jd;
  const a = Math.trunc(y / 100);
  return jd + 2 - a + Math.trunc(a / 4);
}

/**
 * ΔT = TT − UT1 in seconds for a year and month, from the polynomial expressions of F. Espenak and
 * J. Meeus, "Five Millennium Canon of Solar Eclipses: −1999 to +3000" (NASA/TP-2006-214141), as published
 * on the NASA eclipse web site. The decimal year is year + (month − 0.5)/12. Outside −1999..3000 the
 * long-term parabola is extrapolated; observed ΔT (IERS Bulletin A) should be preferred for recent dates.
 */
export function deltaTSeconds(year: number, month: number): number {
  const y = year + (month - 0.5) / 12;
  if (year < -500) return longTerm(y);
  if (year < 500) {
    const u = y / 100;
    return poly(u, [10583.6, -1014.41, 33.78311, -5.952053, -0.1798452, 0.022174192, 0.0090316521]);
  }
  if (year < 1600) {
    const u = (y - 1000) / 100;
    return poly(u, [1574.2, -556.01, 71.23472, 0.319781, -0.8503463, -0.005050998, 0.0083572073]);
  }
  if (year < 1700) {
    const t = y - 1600;
    return 120 - 0.9808 * t - 0.01532 * t * t + (t * t * t) / 7129;
  }
  if (year < 1800) {
    const t = y - 1700;
    return 8.83 + 0.1603 * t - 0.0059285 * t * t + 0.00013336 * t ** 3 - t ** 4 / 1174000;
  }
  if (year < 1860) {
    const t = y - 1800;
    return poly(
      t,
      [13.72, -0.332447, 0.0068612, 0.0041116, -0.00037436, 0.0000121272, -0.0000001699, 8.75e-10],
    );
  }
  if (year < 1900) {
    const t = y - 1860;
    return (
      7.62 + 0.5737 * t - 0.251754 * t * t + 0.01680668 * t ** 3 - 0.0004473624 * t ** 4 + t ** 5 / 233174
    );
  }
  if (year < 1920) {
    const t = y - 1900;
    return poly(t, [-2.79, 1.494119, -0.0598939, 0.0061966, -0.000197]);
  }
  if (year < 1941) {
    const t = y - 1920;
    return poly(t, [21.2, 0.84493, -0.0761, 0.0020936]);
  }
  if (year < 1961) {
    const t = y - 1950;
    return 29.07 + 0.407 * t - (t * t) / 233 + t ** 3 / 2547;
  }
  if (year < 1986) {
    const t = y - 1975;
    return 45.45 + 1.067 * t - (t * t) / 260 - t ** 3 / 718;
  }
  if (year < 2005) {
    const t = y - 2000;
    return poly(t, [63.86, 0.3345, -0.060374, 0.0017275, 0.000651814, 0.00002373599]);
  }
  if (year < 2050) {
    const t = y - 2000;
    return 62.92 + 0.32217 * t + 0.005589 * t * t;
  }
  if (year < 2150) return longTerm(y) - 0.5628 * (2150 - y);
  return longTerm(y);
}

function longTerm(y: number): number {
  const u = (y - 1820) / 100;
  return -20 + 32 * u * u;
}

/** c0 + c1·x + c2·x² + … by Horner's rule. */
function poly(x: number, c: readonly number[]): number {
  let acc = 0;
  for (let i = c.length - 1; i >= 0; i--) acc = acc * x + c[i];
  return acc;
}
