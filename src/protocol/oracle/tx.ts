import { intervalLengthMs, intervalOf } from "../../core/time.js";
import { getDer } from "../registry/state.js";
import { defineTx, reject } from "../txdef.js";
import { getMeterReading, meterReadingKey } from "./state.js";
import { submitMeterReadingBodySchema } from "./types.js";

/** Records a DER's meter reading for an interval that has ended (relative to the block's protocol time). */
export const submitMeterReading = defineTx(submitMeterReadingBodySchema, (ctx, body) => {
  const { state, params } = ctx;
  const der = getDer(state, body.der);
  if (der === undefined)
    reject("ORACLE_UNKNOWN_METER", `no DER ${body.der} is registered`, { der: body.der });
  if (der.deviceAccount !== ctx.sender) {
    reject("ORACLE_WRONG_KEY", `readings of ${body.der} must be signed by its registered device key`, {
      der: body.der,
      expected: der.deviceAccount,
    });
  }
  // A reading covers a whole interval, so it can only exist once the interval is over. (An end beyond the
  // exact integer range is far in the future and compares as such.)
  const endMs = (body.interval + 1) * intervalLengthMs(params.intervalMinutes);
  if (!(endMs <= ctx.timeMs)) {
    reject(
      "ORACLE_FUTURE_INTERVAL",
      `interval ${body.interval} has not ended at protocol time ${ctx.timeMs}`,
      {
        interval: body.interval,
        timeMs: ctx.timeMs,
      },
    );
  }
  const oldest = intervalOf(ctx.timeMs, params.intervalMinutes) - params.meterReadingMaxAgeIntervals;
  if (body.interval < oldest) {
    reject(
      "ORACLE_STALE_INTERVAL",
      `interval ${body.interval} is older than the oldest accepted, ${oldest}`,
      {
        interval: body.interval,
        oldest,
      },
    );
  }
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

export const oracleTxTypes = { SubmitMeterReading: submitMeterReading } as const;
