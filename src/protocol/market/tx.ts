import { assert } from "../../core/errors.js";
import { hashObject, toHex } from "../../core/hash.js";
import { intervalOf, MS_PER_MINUTE } from "../../core/time.js";
import { compileBook, sourceKindOf } from "../../intents/book.js";
import {
  MAX_INTENTS_PER_INTERVAL,
  MAX_INTENTS_PER_PARTICIPANT,
  MAX_INTERVALS_AHEAD,
} from "../../intents/limits.js";
import { type Solution, solutionSchema } from "../../intents/schema.js";
import { validateSolution } from "../../intents/validate.js";
import { buyerPaysMicros } from "../../market/money.js";
import { getAccount, putAccount } from "../accounts/state.js";
import { getBus } from "../grid/state.js";
import { getMeterReading } from "../oracle/state.js";
import { getDer, getParticipant, hasRole } from "../registry/state.js";
import type { Der } from "../registry/types.js";
import { describeIssue } from "../schemas.js";
import type { ProtocolEvent } from "../seam.js";
import { defineTx, reject, type TxContext } from "../txdef.js";
import { loadBook } from "./book.js";
import { type SettlementIntent, settle } from "./settlement.js";
import {
  EMPTY_INTERVAL,
  ESCROW_ACCOUNT,
  getIntent,
  getInterval,
  getWinner,
  intentKey,
  intervalKey,
  intervalTimes,
  participantCountKey,
  readMarketParams,
  settlementKey,
  solutionSeenKey,
  TREASURY_ACCOUNT,
  uploadKey,
  uploadPartKey,
  winnerKey,
} from "./state.js";
import {
  cancelIntentBodySchema,
  type IntentRecord,
  type IntervalRecord,
  type SettlementRecord,
  type SolutionSummary,
  settleIntervalBodySchema,
  submitIntentBodySchema,
  submitSolutionBodySchema,
  submitSolutionPartBodySchema,
  type WinnerRecord,
} from "./types.js";

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

  const escrowMicros = body.side === "buy" ? buyerPaysMicros(body.quantityWh, body.limitPrice) : 0;
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
  const carbon = (der as (Der & { carbonGPerKWh?: number }) | undefined)?.carbonGPerKWh;
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

/** The sender may submit a solution for t now: it is a solver and t's solution window is open. */
function checkSolutionWindow(ctx: TxContext, t: number): void {
  if (!hasRole(ctx.state, ctx.sender, "solver")) {
    reject("MARKET_NOT_SOLVER", "only a participant with the solver role can submit solutions");
  }
  const times = intervalTimes(t, ctx.params.intervalMinutes, readMarketParams(ctx.state));
  if (ctx.timeMs < times.gateClosureMs) {
    reject(
      "MARKET_SOLUTION_EARLY",
      `solutions for interval ${t} open at its gate closure, ${times.gateClosureMs}`,
      {
        interval: t,
      },
    );
  }
  if (ctx.timeMs >= times.deadlineMs) {
    reject("MARKET_SOLUTION_LATE", `the deadline for solutions to interval ${t} was ${times.deadlineMs}`, {
      interval: t,
    });
  }
}

/** Runs every validity predicate; a valid solution is recorded, and becomes the best if it beats it. */
function acceptSolution(ctx: TxContext, solution: Solution): ProtocolEvent[] {
  const { state } = ctx;
  const t = solution.interval;
  const hash = toHex(hashObject("plurigrid/solution", solution));
  if (state.get(solutionSeenKey(t, hash)) !== undefined) {
    reject("MARKET_DUPLICATE_SOLUTION", `solution ${hash} was already submitted for interval ${t}`);
  }
  const book = loadBook(state, t, ctx.params, ctx.timeMs);
  const verdict = validateSolution(compileBook(book), solution);
  if (!verdict.ok) reject(verdict.code, verdict.message, verdict.details);

  const summary: SolutionSummary = {
    hash,
    solver: ctx.sender,
    welfareMicros: verdict.welfareMicros,
    provenOptimal: verdict.provenOptimal,
    congestionRentMicros: verdict.congestionRentMicros,
    submittedAtMs: ctx.timeMs,
    height: ctx.height,
  };
  state.put(solutionSeenKey(t, hash), summary);
  const interval: IntervalRecord = getInterval(state, t) ?? EMPTY_INTERVAL;
  const best = interval.best;
  const wins =
    best === null ||
    summary.welfareMicros > best.welfareMicros ||
    (summary.welfareMicros === best.welfareMicros && hash < best.hash);
  state.put(intervalKey(t), {
    ...interval,
    solutions: interval.solutions + 1,
    best: wins ? summary : best,
  });
  if (wins) {
    const content: WinnerRecord = {
      hash,
      fills: solution.fills,
      prices: solution.prices,
      referencePrice: solution.referencePrice,
      busPrices: solution.busPrices,
    };
    state.put(winnerKey(t), content);
  }
  return [
    {
      type: "solution",
      attributes: {
        interval: t,
        hash,
        welfareMicros: verdict.welfareMicros,
        provenOptimal: verdict.provenOptimal,
        best: wins,
      },
    },
  ];
}

/** A whole solution for interval t from a solver, inside t's solution window. */
export const submitSolution = defineTx(submitSolutionBodySchema, (ctx, body) => {
  checkSolutionWindow(ctx, body.interval);
  return acceptSolution(ctx, body);
});

/** One slice of a large solution's JSON text; the last slice completes and checks it. */
export const submitSolutionPart = defineTx(submitSolutionPartBodySchema, (ctx, body) => {
  const { state, sender } = ctx;
  const t = body.interval;
  checkSolutionWindow(ctx, t);
  const headerKey = uploadKey(t, sender);
  let header = state.get<{ parts: number; received: number }>(headerKey);
  if (body.part === 0) {
    if (header !== undefined)
      for (let i = 0; i < header.received; i++) state.delete(uploadPartKey(t, sender, i));
    header = { parts: body.parts, received: 0 };
  } else if (header === undefined || header.parts !== body.parts || header.received !== body.part) {
    reject(
      "MARKET_UPLOAD_OUT_OF_ORDER",
      `part ${body.part} of ${body.parts} does not follow the upload so far (${header === undefined ? "none" : `${header.received} of ${header.parts}`})`,
      { part: body.part },
    );
  }
  if (body.part < body.parts - 1) {
    state.put(uploadPartKey(t, sender, body.part), { data: body.data });
    state.put(headerKey, { parts: body.parts, received: body.part + 1 });
    return [{ type: "solution_part", attributes: { interval: t, part: body.part, parts: body.parts } }];
  }
  const pieces: string[] = [];
  for (let i = 0; i < body.part; i++) {
    const piece = state.get<{ data: string }>(uploadPartKey(t, sender, i));
    assert(piece !== undefined, `upload part ${i} is stored`);
    pieces.push(piece.data);
    state.delete(uploadPartKey(t, sender, i));
  }
  pieces.push(body.data);
  state.delete(headerKey);
  let json: unknown;
  try {
    json = JSON.parse(pieces.join(""));
  } catch (e) {
    reject("SOLUTION_MALFORMED", `the uploaded solution is not JSON: ${(e as Error).message}`);
  }
  const parsed = solutionSchema.safeParse(json);
  if (!parsed.success) reject("SOLUTION_MALFORMED", describeIssue("solution", parsed.error));
  if (parsed.data.interval !== t) {
    reject("SOLUTION_MALFORMED", `the uploaded solution is for interval ${parsed.data.interval}, not ${t}`);
  }
  return acceptSolution(ctx, parsed.data);
});

/** Settles interval t once its meter readings had time to arrive: market payments, imbalance, refunds. */
export const settleInterval = defineTx(settleIntervalBodySchema, (ctx, body) => {
  const { state, params } = ctx;
  const t = body.interval;
  const market = readMarketParams(state);
  const interval = getInterval(state, t);
  if (interval === undefined) reject("MARKET_UNKNOWN_INTERVAL", `interval ${t} has no intents to settle`);
  const times = intervalTimes(t, params.intervalMinutes, market);
  if (ctx.timeMs < times.settleFromMs) {
    reject("MARKET_NOT_SETTLEABLE", `interval ${t} can be settled from ${times.settleFromMs}`, {
      interval: t,
      settleFromMs: times.settleFromMs,
    });
  }
  if (interval.settled) reject("MARKET_ALREADY_SETTLED", `interval ${t} is already settled`);

  const winner = interval.best === null ? undefined : getWinner(state, t);
  const filled = new Map<number, number>();
  const price = new Map<number, number>();
  if (winner !== undefined) {
    for (const [b, s, e] of winner.fills) {
      filled.set(b, (filled.get(b) ?? 0) + e);
      filled.set(s, (filled.get(s) ?? 0) + e);
    }
    for (const [i, p] of winner.prices) price.set(i, p);
  }
  const intents: SettlementIntent[] = [];
  const readings = new Map<string, number>();
  for (let seq = 0; seq < interval.intents; seq++) {
    const it = getIntent(state, t, seq);
    assert(it !== undefined, `intent ${seq} of interval ${t} exists`);
    if (it.status !== "open") continue;
    const filledWh = filled.get(seq) ?? 0;
    intents.push({
      seq,
      participant: it.participant,
      side: it.side,
      der: it.der,
      escrowMicros: it.escrowMicros,
      filledWh,
      price: price.get(seq) ?? null,
    });
    if (it.der !== null && filledWh > 0 && !readings.has(it.der)) {
      const r = getMeterReading(state, it.der, t);
      if (r !== undefined) readings.set(it.der, r.energyWh);
    }
  }
  const outcome = settle({
    intents,
    readings,
    imbalancePriceMicrosPerKWh: market.imbalancePriceMicrosPerKWh,
    balanceOf: (account) => getAccount(state, account).micros,
    treasury: TREASURY_ACCOUNT,
    escrow: ESCROW_ACCOUNT,
  });
  for (const [account, delta] of outcome.deltas) {
    const a = getAccount(state, account);
    const micros = a.micros + delta;
    assert(micros >= 0 && Number.isSafeInteger(micros), `settlement leaves account ${account} in range`);
    putAccount(state, account, { ...a, micros });
  }
  const record: SettlementRecord = {
    settledAtMs: ctx.timeMs,
    solution: winner?.hash ?? null,
    buyerPaymentsMicros: outcome.buyerPaymentsMicros,
    sellerReceiptsMicros: outcome.sellerReceiptsMicros,
    congestionRentMicros: outcome.congestionRentMicros,
    refundsMicros: outcome.refundsMicros,
    imbalanceChargesMicros: outcome.imbalanceChargesMicros,
    imbalanceCreditsMicros: outcome.imbalanceCreditsMicros,
    unpaidMicros: outcome.unpaidMicros,
    ders: outcome.ders,
  };
  state.put(settlementKey(t), record);
  state.put(intervalKey(t), { ...interval, settled: true });
  const missing = outcome.ders.filter((d) => d.measuredWh === null).length;
  return [
    {
      type: "settlement",
      attributes: {
        interval: t,
        solution: record.solution ?? "",
        congestionRentMicros: record.congestionRentMicros,
        missingReadings: missing,
        unpaidMicros: record.unpaidMicros,
      },
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
