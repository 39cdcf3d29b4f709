/**
 * Timestamps of the reference files, to UTC milliseconds. Civil dates go through Date.UTC, which is pure
 * arithmetic on the proleptic Gregorian calendar (no time zone database, no clock).
 */
import { type At, parseError } from "./text.js";

const MS_PER_HOUR = 3_600_000;

function checkCivil(
  at: At,
  raw: string,
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  hourMax = 23,
) {
  const dim = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > dim || h > hourMax || mi > 59 || s > 59) {
    throw parseError(at, "no such date or time", raw);
  }
  if (h === 24 && (mi !== 0 || s !== 0)) throw parseError(at, "hour 24 is only valid as 24:00", raw);
}

const ISO_OFFSET = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})$/;

/** "2016-07-01 00:00:00-07:00", "2016-07-01T00:00:00Z": an ISO 8601 instant with an explicit offset. */
export function parseIsoWithOffset(raw: string, at: At): number {
  const m = ISO_OFFSET.exec(raw.trim());
  if (!m) throw parseError(at, "expected YYYY-MM-DD HH:MM[:SS] with an offset (Z or ±HH:MM)", raw);
  const [y, mo, d, h, mi] = m.slice(1, 6).map(Number);
  const s = m[6] === undefined ? 0 : Number(m[6]);
  checkCivil(at, raw, y, mo, d, h, mi, s);
  const off =
    m[7] === "Z"
      ? 0
      : (m[7][0] === "-" ? -1 : 1) * (Number(m[7].slice(1, 3)) + Number(m[7].slice(4, 6)) / 60);
  return Date.UTC(y, mo - 1, d, h, mi, s) - off * MS_PER_HOUR;
}

const ISO_NAIVE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

/** "2022-01-02 00:01:00" in a fixed local standard time UTC+offsetHours. */
export function parseIsoLocal(raw: string, offsetHours: number, at: At): number {
  const m = ISO_NAIVE.exec(raw.trim());
  if (!m) throw parseError(at, "expected YYYY-MM-DD HH:MM[:SS] (local standard time)", raw);
  const [y, mo, d, h, mi] = m.slice(1, 6).map(Number);
  const s = m[6] === undefined ? 0 : Number(m[6]);
  checkCivil(at, raw, y, mo, d, h, mi, s);
  return Date.UTC(y, mo - 1, d, h, mi, s) - offsetHours * MS_PER_HOUR;
}

const US_DATE_TIME = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/** "1/2/2022 0:15" (M/D/YYYY H:MM) in a fixed local standard time UTC+offsetHours. */
export function parseUsLocal(raw: string, offsetHours: number, at: At): number {
  const m = US_DATE_TIME.exec(raw.trim());
  if (!m) throw parseError(at, "expected M/D/YYYY H:MM (local standard time)", raw);
  const [mo, d, y, h, mi] = m.slice(1, 6).map(Number);
  const s = m[6] === undefined ? 0 : Number(m[6]);
  checkCivil(at, raw, y, mo, d, h, mi, s);
  return Date.UTC(y, mo - 1, d, h, mi, s) - offsetHours * MS_PER_HOUR;
}

/**
 * TMY3 date "MM/DD/YYYY" and hour-ending time "HH:MM" (01:00 … 24:00) in local standard time
 * UTC+offsetHours → the UTC instant at the END of the hour. "24:00" is midnight ending that date.
 */
export function parseTmy3End(date: string, time: string, offsetHours: number, at: At, year?: number): number {
  const dm = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(date.trim());
  if (!dm) throw parseError({ ...at, field: "Date (MM/DD/YYYY)" }, "expected MM/DD/YYYY", date);
  const tm = /^(\d{2}):(\d{2})$/.exec(time.trim());
  if (!tm) throw parseError({ ...at, field: "Time (HH:MM)" }, "expected HH:MM", time);
  const [mo, d, y0] = dm.slice(1).map(Number);
  const [h, mi] = tm.slice(1).map(Number);
  if (h === 0 && mi === 0)
    throw parseError({ ...at, field: "Time (HH:MM)" }, "hour-ending times run 01:00…24:00", time);
  checkCivil({ ...at, field: "Date (MM/DD/YYYY)" }, `${date} ${time}`, y0, mo, d, h, mi, 0, 24);
  return Date.UTC(year ?? y0, mo - 1, d, h, mi) - offsetHours * MS_PER_HOUR;
}
