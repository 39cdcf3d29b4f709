import { PlurigridError } from "../../core/errors.js";
import { MINUTES_PER_DAY } from "../../core/time.js";
import { readParams } from "../chain.js";
import type { StateOverlay } from "../overlay.js";
import type { MeterDayRecord, MeterReading } from "./types.js";

/** Key of a reading sent alone (SubmitMeterReading). */
export const meterReadingKey = (der: string, interval: number): string => `oracle/${der}/${interval}`;

/**
 * The key of each DER's latest day, kept: a settlement looks up every meter's day record each interval, and
 * a key string used again keeps its hash (a new one is hashed at every lookup). A bounded memo of a pure
 * function.
 */
const meterDayKeys = new Map<string, { day: number; key: string }>();

/**
 * Key of a DER's readings of one reading day sent in series (SubmitMeterReadings). DER ids contain no "/",
 * so "oracle/<der>/day/<day>" never collides with "oracle/<der>/<interval>".
 */
export const meterDayKey = (der: string, day: number): string => {
  const last = meterDayKeys.get(der);
  if (last !== undefined && last.day === day) return last.key;
  if (meterDayKeys.size >= 65_536) meterDayKeys.clear();
  const key = `oracle/${der}/day/${day}`;
  meterDayKeys.set(der, { day, key });
  return key;
};

/** Intervals in a reading day: 1440 / intervalMinutes (at least 1). */
export const intervalsPerReadingDay = (intervalMinutes: number): number =>
  Math.max(1, Math.floor(MINUTES_PER_DAY / intervalMinutes));

/** The reading day of interval t: floor(t / intervals per day), so day d holds intervals [d·n, (d+1)·n). */
export const readingDayOf = (t: number, intervalMinutes: number): number =>
  Math.floor(t / intervalsPerReadingDay(intervalMinutes));

export const getMeterDay = (s: StateOverlay, der: string, day: number) =>
  s.get<MeterDayRecord>(meterDayKey(der, day));

/** The reading of interval t inside a day record, with the upload it came from; undefined if none. */
export function readingInDay(record: MeterDayRecord, interval: number): MeterReading | undefined {
  const energyWh = record.energyWh[interval - record.firstInterval];
  if (energyWh === undefined || energyWh === null) return undefined;
  for (const u of record.uploads) {
    if (interval >= u.firstInterval && interval < u.firstInterval + u.count) {
      return { energyWh, submittedAtMs: u.submittedAtMs, height: u.height, txHash: u.txHash };
    }
  }
  throw new PlurigridError(
    "INTERNAL_INVARIANT",
    `reading of interval ${interval} has no upload in its day record`,
  );
}

/** The reading of a DER for an interval, whether it was sent alone or in a series; undefined if none. */
export function getMeterReading(
  s: StateOverlay,
  der: string,
  interval: number,
  /** The chain's interval length, when the caller has it (read from the state otherwise). */
  intervalMinutes = readParams(s).intervalMinutes,
): MeterReading | undefined {
  // A reading exists in one form only (each refuses an interval the other holds), so the order of the two
  // looks changes nothing; the day's uploads come first, being what a busy chain mostly holds.
  const record = getMeterDay(s, der, readingDayOf(interval, intervalMinutes));
  const inDay = record === undefined ? undefined : readingInDay(record, interval);
  return inDay ?? s.get<MeterReading>(meterReadingKey(der, interval));
}
