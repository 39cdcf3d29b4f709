import { z } from "zod";
import { MAX_METER_ENERGY_WH, MAX_READINGS_PER_SERIES } from "../limits.js";
import { idSchema, intListSchema, nonNegativeIntSchema } from "../schemas.js";

/**
 * Meter readings: the energy a DER's meter measured over one market interval, sent by the device itself
 * (the transaction is signed by the device key registered for the DER, so the transaction's signature is
 * the reading's signature). One reading per meter per interval, only for intervals that have ended.
 *
 * Sign convention: energyWh > 0 is energy delivered to the grid (export), energyWh < 0 energy taken from it.
 */
const meterEnergySchema = z.int().min(-MAX_METER_ENERGY_WH).max(MAX_METER_ENERGY_WH);

export const submitMeterReadingBodySchema = z.strictObject({
  /** The DER id: each DER has one meter. */
  der: idSchema,
  /** Market interval index (core/time.ts: interval k covers [k * L, (k + 1) * L) since the epoch). */
  interval: nonNegativeIntSchema,
  energyWh: meterEnergySchema,
});
export type SubmitMeterReadingBody = z.infer<typeof submitMeterReadingBodySchema>;

/** State record at "oracle/<der>/<interval>". */
export interface MeterReading {
  energyWh: number;
  submittedAtMs: number;
  height: number;
  txHash: string;
}

/**
 * A series of readings for consecutive intervals, as a smart meter uploads its day: `energyWh[i]` is the
 * reading of interval `firstInterval + i`. All intervals must lie in one reading day (`readingDayOf`), which
 * the transaction checks against the chain's interval length.
 */
export const submitMeterReadingsBodySchema = z.strictObject({
  der: idSchema,
  firstInterval: nonNegativeIntSchema,
  energyWh: intListSchema(-MAX_METER_ENERGY_WH, MAX_METER_ENERGY_WH, 1, MAX_READINGS_PER_SERIES),
});
export type SubmitMeterReadingsBody = z.infer<typeof submitMeterReadingsBodySchema>;

/** One SubmitMeterReadings transaction recorded in a day record: which intervals it covered, when, which tx. */
export interface MeterUpload {
  firstInterval: number;
  count: number;
  submittedAtMs: number;
  height: number;
  txHash: string;
}

/**
 * State record at "oracle/<der>/day/<day>": the readings of one DER in one reading day that came in series.
 * `energyWh[i]` is interval `firstInterval + i`; the array spans from the earliest to the latest interval
 * recorded so far (null for an interval no series has covered), so a day uploaded in one piece has no
 * nulls. `uploads` lists the series in order of arrival; each reading is found in exactly one of them.
 */
export interface MeterDayRecord {
  firstInterval: number;
  energyWh: (number | null)[];
  uploads: MeterUpload[];
}
