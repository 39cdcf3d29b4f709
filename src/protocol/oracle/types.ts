import { z } from "zod";
import { MAX_METER_ENERGY_WH } from "../limits.js";
import { idSchema, nonNegativeIntSchema } from "../schemas.js";

/**
 * Meter readings: the energy a DER's meter measured over one market interval, sent by the device itself
 * (the transaction is signed by the device key registered for the DER, so the transaction's signature is
 * the reading's signature). One reading per meter per interval, only for intervals that have ended.
 *
 * Sign convention: energyWh > 0 is energy delivered to the grid (export), energyWh < 0 energy taken from it.
 */
export const submitMeterReadingBodySchema = z.strictObject({
  /** The DER id: each DER has one meter. */
  der: idSchema,
  /** Market interval index (core/time.ts: interval k covers [k * L, (k + 1) * L) since the epoch). */
  interval: nonNegativeIntSchema,
  energyWh: z.int().min(-MAX_METER_ENERGY_WH).max(MAX_METER_ENERGY_WH),
});
export type SubmitMeterReadingBody = z.infer<typeof submitMeterReadingBodySchema>;

/** State record at "oracle/<der>/<interval>". */
export interface MeterReading {
  energyWh: number;
  submittedAtMs: number;
  height: number;
  txHash: string;
}
