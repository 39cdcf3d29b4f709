import { PlurigridError } from "./errors.js";

/**
 * Market time. Instants are integer milliseconds since the Unix epoch in UTC (POSIX time: no leap seconds).
 * Market intervals are integer indices counted from the epoch: interval k covers [k * L, (k + 1) * L) for an
 * interval length L that divides a day, so every UTC midnight is an interval boundary. The default, 15
 * minutes, is the imbalance settlement period of the European electricity markets (EU 2017/2195, Art. 53).
 *
 * Nothing here reads a clock: "now" always comes from the caller (in the protocol, from the ordered log).
 */

export const DEFAULT_INTERVAL_MINUTES = 15;
export const MS_PER_MINUTE = 60_000;
export const MINUTES_PER_DAY = 1440;
export const MS_PER_DAY = MINUTES_PER_DAY * MS_PER_MINUTE;

// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the instants with a four-digit year.
const MIN_FORMATTABLE_MS = -62_167_219_200_000;
const MAX_FORMATTABLE_MS = 253_402_300_799_999;

function timeInvalid(message: string, details: Record<string, unknown>): never {
  throw new PlurigridError("TIME_INVALID", message, details);
}

function checkMs(utcMs: number, what = "time (ms)"): number {
  if (!Number.isSafeInteger(utcMs))
    timeInvalid(`${what} must be an integer number of milliseconds`, { utcMs });
  return utcMs;
}

/** Interval length in ms; TIME_BAD_INTERVAL unless `intervalMinutes` is a positive integer dividing 1440. */
export function intervalLengthMs(intervalMinutes: number = DEFAULT_INTERVAL_MINUTES): number {
  if (!Number.isInteger(intervalMinutes) || intervalMinutes <= 0 || MINUTES_PER_DAY % intervalMinutes !== 0) {
    throw new PlurigridError(
      "TIME_BAD_INTERVAL",
      `interval length must be a whole number of minutes dividing a day (1440), got ${intervalMinutes}`,
      { intervalMinutes },
    );
  }
  return intervalMinutes * MS_PER_MINUTE;
}

/** Index of the interval containing `utcMs` (floor, so instants before 1970 get negative indices). */
export function intervalOf(utcMs: number, intervalMinutes: number = DEFAULT_INTERVAL_MINUTES): number {
  const length = intervalLengthMs(intervalMinutes);
  return Math.floor(checkMs(utcMs) / length);
}

function checkIndex(index: number, length: number): number {
  const startMs = index * length;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(startMs + length)) {
    timeInvalid(`interval index ${index} is outside the representable range`, { index });
  }
  return startMs;
}

/** First millisecond of interval `index` (inclusive). */
export function intervalStartMs(index: number, intervalMinutes: number = DEFAULT_INTERVAL_MINUTES): number {
  return checkIndex(index, intervalLengthMs(intervalMinutes));
}

/** End of interval `index` (exclusive): the start of the next one. */
export function intervalEndMs(index: number, intervalMinutes: number = DEFAULT_INTERVAL_MINUTES): number {
  const length = intervalLengthMs(intervalMinutes);
  return checkIndex(index, length) + length;
}

// Civil-date conversions after H. Hinnant, "chrono-Compatible Low-Level Date Algorithms" (proleptic
// Gregorian calendar, eras of 400 years = 146097 days; exact integer arithmetic, no Date object).
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z$/;

/**
 * Milliseconds since the epoch of an ISO 8601 / RFC 3339 UTC timestamp of the form 2024-06-01T12:15:00Z,
 * optionally with 1 to 3 fractional digits (…:00.250Z). Anything else, including offsets other than "Z",
 * impossible dates and leap seconds, throws TIME_INVALID.
 */
export function parseUtcMs(text: string): number {
  const m = typeof text === "string" ? ISO_UTC.exec(text) : null;
  if (!m) {
    timeInvalid(
      `not a UTC timestamp of the form 2024-06-01T12:15:00Z: ${JSON.stringify(String(text)).slice(0, 60)}`,
      {
        text: String(text).slice(0, 60),
      },
    );
  }
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, "0"));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    timeInvalid(`no such date: ${text}`, { text });
  }
  if (hour > 23 || minute > 59 || second > 59) timeInvalid(`no such time of day: ${text}`, { text });
  return daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/** The canonical UTC timestamp of an instant: 2024-06-01T12:15:00Z, with .sss only when the ms are not 0. */
export function formatUtcMs(utcMs: number): string {
  checkMs(utcMs);
  if (utcMs < MIN_FORMATTABLE_MS || utcMs > MAX_FORMATTABLE_MS) {
    timeInvalid(`time ${utcMs} ms is outside the years 0000-9999`, { utcMs });
  }
  const days = Math.floor(utcMs / MS_PER_DAY);
  const msOfDay = utcMs - days * MS_PER_DAY;
  const [year, month, day] = civilFromDays(days);
  const second = Math.floor(msOfDay / 1000);
  const ms = msOfDay % 1000;
  const time = `${pad(Math.floor(second / 3600), 2)}:${pad(Math.floor(second / 60) % 60, 2)}:${pad(second % 60, 2)}`;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${time}${ms === 0 ? "" : `.${pad(ms, 3)}`}Z`;
}
