import { MS_PER_MINUTE } from "../../core/time.js";
import { MAX_INTENTS_PER_INTERVAL, MAX_INTENTS_PER_PARTICIPANT } from "../../intents/limits.js";
import { buyerPaysMicros } from "../../market/money.js";
import { defineTx, reject, type TxContext } from "../txdef.js";
import { checkPlacement, holdEscrow, locatedTerms, locateIntent, moveMicros } from "./locate.js";
import { countOf, entryEscrowMicros, submitIntentSeries } from "./series.js";
import { settleInterval } from "./settle-tx.js";
import { submitSolution, submitSolutionPart } from "./solution-tx.js";
import {
  EMPTY_INTERVAL,
  ESCROW_ACCOUNT,
  getIntent,
  getInterval,
  intentKey,
  intervalKey,
  intervalTimes,
  participantCountKey,
  participantSeriesKey,
  readMarketParams,
  seriesDayKey,
  seriesDayOf,
  seriesKey,
} from "./state.js";
import {
  cancelIntentBodySchema,
  type IntentRecord,
  type SeriesRecord,
  submitIntentBodySchema,
} from "./types.js";

/** Places an intent for interval t: checked against the registry, the gate closure and the bounds; buys escrow. */
export const submitIntent = defineTx(submitIntentBodySchema, (ctx, body) => {
  const { state, params, sender } = ctx;
  const t = body.interval;
  checkPlacement(ctx, t, t);
  const loc = locateIntent(ctx, body, body.quantityWh);

  let expiresAtMs: number | null = null;
  if (body.expiry !== undefined) {
    expiresAtMs =
      "timeMs" in body.expiry
        ? body.expiry.timeMs
        : body.expiry.interval * params.intervalMinutes * MS_PER_MINUTE;
    if (!(expiresAtMs > ctx.timeMs)) {
      reject(
        "MARKET_EXPIRED",
        `the intent expires at ${expiresAtMs}, not after protocol time ${ctx.timeMs}`,
        {
          expiresAtMs,
        },
      );
    }
  }

  const interval = getInterval(state, t) ?? EMPTY_INTERVAL;
  // The series of t's day are numbered after the singles (series.ts): they count against both limits.
  const day = seriesDayOf(t, params.intervalMinutes);
  if (interval.intents + countOf(state, seriesDayKey(day)) >= MAX_INTENTS_PER_INTERVAL) {
    reject("MARKET_INTERVAL_FULL", `interval ${t} already holds ${MAX_INTENTS_PER_INTERVAL} intents`, {
      interval: t,
    });
  }
  const mine = state.get<{ intents: number }>(participantCountKey(t, sender))?.intents ?? 0;
  if (mine + countOf(state, participantSeriesKey(day, sender)) >= MAX_INTENTS_PER_PARTICIPANT) {
    reject(
      "MARKET_TOO_MANY_INTENTS",
      `a participant may place ${MAX_INTENTS_PER_PARTICIPANT} intents per interval`,
      {
        interval: t,
      },
    );
  }

  // The most the buyer can pay, plus one micro-unit: a fill paid in two parts (lifeline and market) is
  // rounded up twice.
  const escrowMicros = body.side === "buy" ? buyerPaysMicros(body.quantityWh, body.limitPrice) + 1 : 0;
  holdEscrow(ctx, escrowMicros, `a buy of ${body.quantityWh} Wh at up to ${body.limitPrice} per kWh`);

  const seq = interval.intents;
  const record: IntentRecord = {
    ...locatedTerms(ctx, body, loc),
    quantityWh: body.quantityWh,
    minFillWh: body.minFillWh,
    limitPrice: body.limitPrice,
    expiresAtMs,
    escrowMicros,
    status: "open",
    submittedAtMs: ctx.timeMs,
    txHash: ctx.txHash,
  };
  state.put(intentKey(t, seq), record);
  state.put(intervalKey(t), { ...interval, intents: seq + 1 });
  state.put(participantCountKey(t, sender), { intents: mine + 1 });
  return [{ type: "intent", attributes: { interval: t, intent: seq, side: body.side, escrowMicros } }];
});

/** Withdraws an open intent (or series entry) before its gate closes, refunding its escrow. */
export const cancelIntent = defineTx(cancelIntentBodySchema, (ctx, body) => {
  const { state, params } = ctx;
  const t = body.interval;
  const times = intervalTimes(t, params.intervalMinutes, readMarketParams(state));
  if (body.series !== undefined) return cancelSeriesEntry(ctx, t, body.series, times.gateClosureMs);
  const seq = body.intent as number;
  const it = getIntent(state, t, seq);
  if (it === undefined) {
    reject("MARKET_UNKNOWN_INTENT", `interval ${t} has no intent ${seq}`, { interval: t, intent: seq });
  }
  if (it.participant !== ctx.sender)
    reject("MARKET_NOT_INTENT_OWNER", "only its participant can cancel an intent");
  if (it.status !== "open") reject("MARKET_ALREADY_CANCELLED", `intent ${seq} is already cancelled`);
  if (ctx.timeMs >= times.gateClosureMs) {
    reject("MARKET_GATE_CLOSED", `the gate of interval ${t} closed at ${times.gateClosureMs}`, {
      interval: t,
    });
  }
  moveMicros(ctx, ESCROW_ACCOUNT, it.participant, it.escrowMicros);
  state.put(intentKey(t, seq), { ...it, status: "cancelled" });
  return [
    { type: "intent_cancelled", attributes: { interval: t, intent: seq, refundMicros: it.escrowMicros } },
  ];
});

function cancelSeriesEntry(ctx: TxContext, t: number, slot: number, gateClosureMs: number) {
  const { state, params } = ctx;
  const key = seriesKey(seriesDayOf(t, params.intervalMinutes), slot);
  const rec = state.get<SeriesRecord>(key);
  const i = rec === undefined ? -1 : t - rec.firstInterval;
  if (rec === undefined || i < 0 || i >= rec.quantitiesWh.length || rec.quantitiesWh[i] === 0) {
    reject("MARKET_UNKNOWN_INTENT", `series ${slot} places no intent in interval ${t}`, {
      interval: t,
      series: slot,
    });
  }
  if (rec.participant !== ctx.sender)
    reject("MARKET_NOT_INTENT_OWNER", "only its participant can cancel an intent");
  if (rec.cancelled.includes(i)) {
    reject("MARKET_ALREADY_CANCELLED", `series ${slot} is already cancelled in interval ${t}`);
  }
  if (ctx.timeMs >= gateClosureMs) {
    reject("MARKET_GATE_CLOSED", `the gate of interval ${t} closed at ${gateClosureMs}`, { interval: t });
  }
  const refund = entryEscrowMicros(rec.side, rec.quantitiesWh[i], rec.limitPrices[i]);
  moveMicros(ctx, ESCROW_ACCOUNT, rec.participant, refund);
  state.put(key, { ...rec, cancelled: [...rec.cancelled, i].sort((a, b) => a - b) });
  return [{ type: "intent_cancelled", attributes: { interval: t, series: slot, refundMicros: refund } }];
}

export const marketTxTypes = {
  SubmitIntent: submitIntent,
  SubmitIntentSeries: submitIntentSeries,
  CancelIntent: cancelIntent,
  SubmitSolution: submitSolution,
  SubmitSolutionPart: submitSolutionPart,
  SettleInterval: settleInterval,
} as const;
