import { intervalLengthMs, intervalOf } from "../../core/time.js";
import { daySettledKey } from "../market/state.js";
import { getDer } from "../registry/state.js";
import type { TxContext } from "../txdef.js";
import { defineTx, reject } from "../txdef.js";
import {
  getMeterDay,
  getMeterReading,
  intervalsPerReadingDay,
  meterDayKey,
  meterReadingKey,
  readingDayOf,
} from "./state.js";
import { type MeterDayRecord, submitMeterReadingBodySchema, submitMeterReadingsBodySchema } from "./types.js";

/** The checks a reading or a series shares: the meter exists, its device key signed, the intervals are due. */
function checkMeterAndIntervals(ctx: TxContext, derId: string, first: number, last: number): void {
  const { state, params } = ctx;
  const der = getDer(state, derId);
  if (der === undefined) reject("ORACLE_UNKNOWN_METER", `no DER ${derId} is registered`, { der: derId });
  if (der.deviceAccount !== ctx.sender) {
    reject("ORACLE_WRONG_KEY", `readings of ${derId} must be signed by its registered device key`, {
      der: derId,
      expected: der.deviceAccount,
    });
  }
  // A reading covers a whole interval, so it can only exist once the interval is over. (An end beyond the
  // exact integer range is far in the future and compares as such.)
  const endMs = (last + 1) * intervalLengthMs(params.intervalMinutes);
  if (!(endMs <= ctx.timeMs)) {
    reject("ORACLE_FUTURE_INTERVAL", `interval ${last} has not ended at protocol time ${ctx.timeMs}`, {
      interval: last,
      timeMs: ctx.timeMs,
    });
  }
  const oldest = intervalOf(ctx.timeMs, params.intervalMinutes) - params.meterReadingMaxAgeIntervals;
  if (first < oldest) {
    reject("ORACLE_STALE_INTERVAL", `interval ${first} is older than the oldest accepted, ${oldest}`, {
      interval: first,
      oldest,
    });
  }
}

/** Records a DER's meter reading for an interval that has ended (relative to the block's protocol time). */
export const submitMeterReading = defineTx(submitMeterReadingBodySchema, (ctx, body) => {
  const { state } = ctx;
  checkMeterAndIntervals(ctx, body.der, body.interval, body.interval);
  if (getMeterReading(state, body.der, body.interval) !== undefined) {
    reject("ORACLE_DUPLICATE", `${body.der} already has a reading for interval ${body.interval}`, {
      der: body.der,
      interval: body.interval,
    });
  }
  state.put(meterReadingKey(body.der, body.interval), {
    energyWh: body.energyWh,
    submittedAtMs: ctx.timeMs,
    height: ctx.height,
    txHash: ctx.txHash,
  });
  return [
    {
      type: "meter_reading",
      attributes: { der: body.der, interval: body.interval, energyWh: body.energyWh },
    },
  ];
});

/**
 * Records a DER's readings for consecutive intervals of one reading day in one transaction (a smart meter's
 * daily or 6-hourly upload). They go into the DER's record of that day ("oracle/<der>/day/<day>"), merged
 * with earlier series of the same day; any interval that already has a reading, alone or in a series,
 * refuses the whole transaction.
 */
export const submitMeterReadings = defineTx(submitMeterReadingsBodySchema, (ctx, body) => {
  const { state, params } = ctx;
  const first = body.firstInterval;
  const count = body.energyWh.length;
  const last = first + count - 1;
  checkMeterAndIntervals(ctx, body.der, first, last);
  const day = readingDayOf(first, params.intervalMinutes);
  if (readingDayOf(last, params.intervalMinutes) !== day) {
    const perDay = intervalsPerReadingDay(params.intervalMinutes);
    reject(
      "ORACLE_SERIES_SPANS_DAYS",
      `intervals ${first}..${last} span two reading days (a day holds intervals [${day * perDay}, ${(day + 1) * perDay}))`,
      { der: body.der, firstInterval: first, lastInterval: last, day, intervalsPerDay: perDay },
    );
  }
  const record = getMeterDay(state, body.der, day);
  for (let t = first; t <= last; t++) {
    const taken =
      state.get(meterReadingKey(body.der, t)) !== undefined ||
      (record !== undefined && (record.energyWh[t - record.firstInterval] ?? null) !== null);
    if (taken) {
      reject("ORACLE_DUPLICATE", `${body.der} already has a reading for interval ${t}`, {
        der: body.der,
        interval: t,
      });
    }
  }
  const upload = {
    firstInterval: first,
    count,
    submittedAtMs: ctx.timeMs,
    height: ctx.height,
    txHash: ctx.txHash,
  };
  let next: MeterDayRecord;
  if (record === undefined) {
    next = { firstInterval: first, energyWh: [...body.energyWh], uploads: [upload] };
  } else {
    const lo = Math.min(record.firstInterval, first);
    const hi = Math.max(record.firstInterval + record.energyWh.length - 1, last);
    const energyWh: (number | null)[] = new Array(hi - lo + 1).fill(null);
    record.energyWh.forEach((e, i) => {
      energyWh[record.firstInterval - lo + i] = e;
    });
    body.energyWh.forEach((e, i) => {
      energyWh[first - lo + i] = e;
    });
    next = { firstInterval: lo, energyWh, uploads: [...record.uploads, upload] };
  }
  state.put(meterDayKey(body.der, day), next);
  const pruned = pruneOldDays(ctx, body.der, day);
  const attributes: Record<string, string | number> = { der: body.der, firstInterval: first, count };
  if (pruned.length > 0) attributes.prunedDays = pruned.join(",");
  return [{ type: "meter_readings", attributes }];
});

/** How many reading days before an upload's day it looks at for records to drop. */
const PRUNE_LOOKBACK_DAYS = 7;

/**
 * Drops this DER's day records that nothing reads any more: days whose every interval is older than the
 * oldest reading accepted (so no reading for them can arrive again: ORACLE_STALE_INTERVAL, not a duplicate)
 * and that the market has marked settled (market/day-settled). The readings stay in their blocks. A meter's
 * upload is what drops its own old days, so the state keeps a few days of readings, not the whole history.
 */
function pruneOldDays(ctx: TxContext, der: string, day: number): number[] {
  const { state, params } = ctx;
  const perDay = intervalsPerReadingDay(params.intervalMinutes);
  const oldest = intervalOf(ctx.timeMs, params.intervalMinutes) - params.meterReadingMaxAgeIntervals;
  const pruned: number[] = [];
  for (let d = day - 1; d >= Math.max(0, day - PRUNE_LOOKBACK_DAYS); d--) {
    if ((d + 1) * perDay > oldest) continue; // a reading for it could still arrive
    if (state.get(daySettledKey(d)) === undefined) continue;
    if (getMeterDay(state, der, d) === undefined) continue;
    state.delete(meterDayKey(der, d));
    pruned.push(d);
  }
  return pruned;
}

export const oracleTxTypes = {
  SubmitMeterReading: submitMeterReading,
  SubmitMeterReadings: submitMeterReadings,
} as const;
