import { assert } from "../../core/errors.js";
import { intervalOf, MS_PER_MINUTE } from "../../core/time.js";
import { sourceKindOf } from "../../intents/book.js";
import {
  MAX_INTENTS_PER_INTERVAL,
  MAX_INTENTS_PER_PARTICIPANT,
  MAX_INTERVALS_AHEAD,
} from "../../intents/limits.js";
import { buyerPaysMicros } from "../../market/money.js";
import { getAccount, putAccount } from "../accounts/state.js";
import { getBus } from "../grid/state.js";
import { getDer, getParticipant } from "../registry/state.js";
import type { Der } from "../registry/types.js";
import { defineTx, reject, type TxContext } from "../txdef.js";
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
  readMarketParams,
} from "./state.js";
import { cancelIntentBodySchema, type IntentRecord, submitIntentBodySchema } from "./types.js";

function moveMicros(ctx: TxContext, from: string, to: string, amount: number): void {
  if (amount === 0) return;
  const a = getAccount(ctx.state, from);
  assert(a.micros >= amount, `account ${from} holds the ${amount} micro-units it sends`);
  putAccount(ctx.state, from, { ...a, micros: a.micros - amount });
  const b = getAccount(ctx.state, to);
  putAccount(ctx.state, to, { ...b, micros: b.micros + amount });
}

/** Places an intent for interval t: checked against the registry, the gate closure and the bounds; buys escrow. */
export const submitIntent = defineTx(submitIntentBodySchema, (ctx, body) => {
  const { state, params, sender } = ctx;
  const market = readMarketParams(state);
  if (getParticipant(state, sender) === undefined) {
    reject("MARKET_NOT_PARTICIPANT", "only a registered participant can submit intents", { sender });
  }
  const t = body.interval;
  const current = intervalOf(ctx.timeMs, params.intervalMinutes);
  if (t > current + MAX_INTERVALS_AHEAD) {
    reject("MARKET_INTERVAL_TOO_FAR", `interval ${t} is more than ${MAX_INTERVALS_AHEAD} intervals ahead`, {
      interval: t,
      current,
    });
  }
  const times = intervalTimes(t, params.intervalMinutes, market);
  if (ctx.timeMs >= times.gateClosureMs) {
    reject("MARKET_GATE_CLOSED", `the gate of interval ${t} closed at ${times.gateClosureMs}`, {
      interval: t,
      gateClosureMs: times.gateClosureMs,
    });
  }

  // Location and source: the DER's registered bus, kind and carbon intensity, or a bare bus for a buyer.
  let der: Der | undefined;
  let bus: number;
  if (body.der !== undefined) {
    der = getDer(state, body.der);
    if (der === undefined)
      reject("MARKET_UNKNOWN_DER", `no DER ${body.der} is registered`, { der: body.der });
    if (der.owner !== sender) {
      reject("MARKET_NOT_DER_OWNER", `DER ${body.der} belongs to another participant`, { der: body.der });
    }
    const mostWh = Math.floor((der.ratingW * params.intervalMinutes) / 60);
    if (body.quantityWh > mostWh) {
      reject(
        "MARKET_EXCEEDS_RATING",
        `${body.quantityWh} Wh is more than DER ${body.der} can deliver or take in one interval (${mostWh} Wh)`,
        { der: body.der, quantityWh: body.quantityWh, mostWh },
      );
    }
    bus = der.bus;
  } else {
    if (body.side === "sell")
      reject("MARKET_SELL_NEEDS_DER", "a sell intent must name the DER that delivers");
    if (body.bus === undefined) {
      reject("MARKET_NOT_LOCATED", "a buy intent needs a DER or a bus: the network must know where it is");
    }
    bus = body.bus;
  }
  const busRecord = getBus(state, bus);
  if (busRecord === undefined) reject("MARKET_UNKNOWN_BUS", `bus ${bus} is not in the network`, { bus });

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
  if (interval.intents >= MAX_INTENTS_PER_INTERVAL) {
    reject("MARKET_INTERVAL_FULL", `interval ${t} already holds ${MAX_INTENTS_PER_INTERVAL} intents`, {
      interval: t,
    });
  }
  const mine = state.get<{ intents: number }>(participantCountKey(t, sender))?.intents ?? 0;
  if (mine >= MAX_INTENTS_PER_PARTICIPANT) {
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
  if (escrowMicros > 0) {
    const have = getAccount(state, sender).micros;
    if (have < escrowMicros) {
      reject(
        "MARKET_INSUFFICIENT_FUNDS",
        `a buy of ${body.quantityWh} Wh at up to ${body.limitPrice} per kWh holds ${escrowMicros} micro-units; the balance is ${have}`,
        { escrowMicros, balance: have },
      );
    }
    moveMicros(ctx, sender, ESCROW_ACCOUNT, escrowMicros);
  }

  const seq = interval.intents;
  const carbon = der?.carbonGPerKWh;
  const record: IntentRecord = {
    participant: sender,
    side: body.side,
    quantityWh: body.quantityWh,
    minFillWh: body.minFillWh,
    limitPrice: body.limitPrice,
    der: body.der ?? null,
    bus,
    microgrid: busRecord.microgrid,
    kind: der !== undefined && body.side === "sell" ? sourceKindOf(der.kind) : null,
    carbon: der !== undefined && body.side === "sell" && typeof carbon === "number" ? carbon : null,
    priority: body.priority,
    predicates: body.predicates,
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

/** Withdraws an open intent before its gate closes, refunding its escrow. */
export const cancelIntent = defineTx(cancelIntentBodySchema, (ctx, body) => {
  const { state, params } = ctx;
  const it = getIntent(state, body.interval, body.intent);
  if (it === undefined) {
    reject("MARKET_UNKNOWN_INTENT", `interval ${body.interval} has no intent ${body.intent}`, { ...body });
  }
  if (it.participant !== ctx.sender)
    reject("MARKET_NOT_INTENT_OWNER", "only its participant can cancel an intent");
  if (it.status !== "open") reject("MARKET_ALREADY_CANCELLED", `intent ${body.intent} is already cancelled`);
  const times = intervalTimes(body.interval, params.intervalMinutes, readMarketParams(state));
  if (ctx.timeMs >= times.gateClosureMs) {
    reject("MARKET_GATE_CLOSED", `the gate of interval ${body.interval} closed at ${times.gateClosureMs}`, {
      interval: body.interval,
    });
  }
  moveMicros(ctx, ESCROW_ACCOUNT, it.participant, it.escrowMicros);
  state.put(intentKey(body.interval, body.intent), { ...it, status: "cancelled" });
  return [
    {
      type: "intent_cancelled",
      attributes: { interval: body.interval, intent: body.intent, refundMicros: it.escrowMicros },
    },
  ];
});

export const marketTxTypes = {
  SubmitIntent: submitIntent,
  CancelIntent: cancelIntent,
  SubmitSolution: submitSolution,
  SubmitSolutionPart: submitSolutionPart,
  SettleInterval: settleInterval,
} as const;
