import { assert } from "../../core/errors.js";
import { getAccount, putAccount } from "../accounts/state.js";
import { getMeterReading } from "../oracle/state.js";
import type { StateOverlay } from "../overlay.js";
import type { ProtocolEvent } from "../seam.js";
import { defineTx, reject } from "../txdef.js";
import { countOf, seriesEntriesOf } from "./series.js";
import { type SettlementIntent, settle } from "./settlement.js";
import {
  daySettledKey,
  ESCROW_ACCOUNT,
  getIntent,
  getInterval,
  getWinner,
  intentKey,
  intervalKey,
  intervalsPerDay,
  intervalTimes,
  participantCountKey,
  participantSeriesKey,
  readMarketParams,
  seriesDayKey,
  seriesDayOf,
  seriesKey,
  settlementKey,
  solutionSeenKey,
  TREASURY_ACCOUNT,
  winnerKey,
} from "./state.js";
import {
  type MarketParams,
  type SeriesRecord,
  type SettledDer,
  type SettlementRecord,
  settleIntervalBodySchema,
} from "./types.js";

/** Settles interval t once its meter readings had time to arrive: market payments, imbalance, refunds. */
export const settleInterval = defineTx(settleIntervalBodySchema, (ctx, body) => {
  const { state, params } = ctx;
  const t = body.interval;
  const market = readMarketParams(state);
  const interval = getInterval(state, t);
  if (interval === undefined) {
    // A settled day's interval records are gone (closeDay); its intervals stay settled.
    if (state.get(daySettledKey(seriesDayOf(t, params.intervalMinutes))) !== undefined) {
      reject("MARKET_ALREADY_SETTLED", `interval ${t} is already settled (its day is closed)`);
    }
    reject("MARKET_UNKNOWN_INTERVAL", `interval ${t} has no intents to settle`);
  }
  const times = intervalTimes(t, params.intervalMinutes, market);
  if (ctx.timeMs < times.settleFromMs) {
    reject("MARKET_NOT_SETTLEABLE", `interval ${t} can be settled from ${times.settleFromMs}`, {
      interval: t,
      settleFromMs: times.settleFromMs,
    });
  }
  if (interval.settled) reject("MARKET_ALREADY_SETTLED", `interval ${t} is already settled`);

  const winner = interval.best === null ? undefined : getWinner(state, t);
  // The entries of the day's intent series, numbered after the singles (series.ts).
  const series = seriesEntriesOf(state, t, params.intervalMinutes);
  // Fill, price (NaN: none) and lifeline energy by intent number: the book was final when the winner was
  // accepted (after gate closure), so its numbers are below the count of singles and series slots.
  const count = interval.intents + series.length;
  const filled = new Float64Array(count);
  const price = new Float64Array(count).fill(Number.NaN);
  const lifeline = new Float64Array(count);
  if (winner !== undefined) {
    for (const [b, s, e] of winner.fills) {
      filled[b] += e;
      filled[s] += e;
    }
    for (const [i, p] of winner.prices) price[i] = p;
    for (const [i, e] of winner.lifeline ?? []) lifeline[i] = e;
  }
  const priceOf = (seq: number) => (Number.isNaN(price[seq]) ? null : price[seq]);
  const intents: SettlementIntent[] = [];
  const readings = new Map<string, number>();
  for (let seq = 0; seq < interval.intents; seq++) {
    const it = getIntent(state, t, seq);
    assert(it !== undefined, `intent ${seq} of interval ${t} exists`);
    if (it.status !== "open") continue;
    const filledWh = filled[seq];
    intents.push({
      seq,
      participant: it.participant,
      side: it.side,
      der: it.der,
      escrowMicros: it.escrowMicros,
      filledWh,
      price: priceOf(seq),
      lifelineWh: lifeline[seq],
    });
    if (it.der !== null && filledWh > 0 && !readings.has(it.der)) {
      const r = getMeterReading(state, it.der, t, params.intervalMinutes);
      if (r !== undefined) readings.set(it.der, r.energyWh);
    }
  }
  for (let j = 0; j < series.length; j++) {
    const e = series[j];
    if (e === null) continue;
    const seq = interval.intents + j;
    const filledWh = filled[seq];
    const der = e.record.der;
    intents.push({
      seq,
      participant: e.record.participant,
      side: e.record.side,
      der,
      escrowMicros: e.escrowMicros,
      filledWh,
      price: priceOf(seq),
      lifelineWh: lifeline[seq],
    });
    if (der !== null && filledWh > 0 && !readings.has(der)) {
      const r = getMeterReading(state, der, t, params.intervalMinutes);
      if (r !== undefined) readings.set(der, r.energyWh);
    }
  }
  const outcome = settle({
    intents,
    readings,
    imbalancePriceMicrosPerKWh: market.imbalancePriceMicrosPerKWh,
    regulatedPriceMicrosPerKWh: market.regulatedPriceMicrosPerKWh,
    balanceOf: (account) => getAccount(state, account).micros,
    treasury: TREASURY_ACCOUNT,
    escrow: ESCROW_ACCOUNT,
  });
  for (const [account, delta] of outcome.deltas) {
    const a = getAccount(state, account);
    const micros = a.micros + delta;
    // (The message is built only on failure: this runs for every account an interval settles.)
    if (!(micros >= 0 && Number.isSafeInteger(micros)))
      assert(false, `settlement leaves account ${account} in range`);
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
    derCount: outcome.ders.length,
    missingReadings: outcome.ders.filter((d) => d.measuredWh === null).length,
    unpaidDers: outcome.ders.filter((d) => d.flags.includes("unpaid")).length,
  };
  state.put(settlementKey(t), record);
  state.put(intervalKey(t), { ...interval, settled: true });
  // The winner's fills were kept for this settlement only; the solution itself stays in its block.
  if (winner !== undefined) state.delete(winnerKey(t));
  // This interval's day, and the day before (whose intervals may all have been settled before its last gate).
  const day = seriesDayOf(t, params.intervalMinutes);
  const closed = [day - 1, day].flatMap((d) =>
    closeDay(state, d, params.intervalMinutes, market, ctx.timeMs),
  );
  return [
    {
      type: "settlement",
      attributes: {
        interval: t,
        solution: record.solution ?? "",
        congestionRentMicros: record.congestionRentMicros,
        missingReadings: record.missingReadings,
        unpaidMicros: record.unpaidMicros,
      },
    },
    ...(outcome.ders.length > 0 ? [settledDersEvent(outcome.ders)] : []),
    ...closed,
  ];
});

/**
 * Marks day d settled once every interval of it with intents is settled (each series entry's escrow went
 * back through its interval's settlement) and its last gate has closed (nothing can be placed for it any
 * more), and removes the day's series records and per-interval records (interval, intents and their
 * counts, solutions seen, settlement), which nothing reads again: a SettleInterval for the day is refused
 * as MARKET_ALREADY_SETTLED by the mark, intents and solutions by their closed windows. Everything stays in
 * the blocks; the state stops carrying a day that is over (a year would otherwise keep every series and
 * ~300 records a day). The mark lets the meters' uploads drop their old day records (oracle/tx.ts).
 */
function closeDay(
  state: StateOverlay,
  day: number,
  intervalMinutes: number,
  market: MarketParams,
  timeMs: number,
): ProtocolEvent[] {
  if (day < 0 || state.get(daySettledKey(day)) !== undefined) return [];
  const perDay = intervalsPerDay(intervalMinutes);
  const first = day * perDay;
  const last = first + perDay - 1;
  if (timeMs < intervalTimes(last, intervalMinutes, market).gateClosureMs) return [];
  for (let u = first; u <= last; u++) {
    const rec = getInterval(state, u);
    if (rec !== undefined && !rec.settled) return [];
  }
  state.put(daySettledKey(day), { settledAtMs: timeMs });
  const count = countOf(state, seriesDayKey(day));
  const participants = new Set<string>();
  for (let slot = 0; slot < count; slot++) {
    const rec = state.get<SeriesRecord>(seriesKey(day, slot));
    if (rec === undefined) continue;
    participants.add(rec.participant);
    state.delete(seriesKey(day, slot));
  }
  for (const p of participants) state.delete(participantSeriesKey(day, p));
  if (count > 0) state.delete(seriesDayKey(day));
  // And the day's per-interval records: each interval's record, its settlement record, its solutions'
  // records and its single intents with their per-participant counts (the winner went at settlement).
  for (let u = first; u <= last; u++) {
    const rec = getInterval(state, u);
    if (rec === undefined) continue;
    const owners = new Set<string>();
    for (let seq = 0; seq < rec.intents; seq++) {
      const it = getIntent(state, u, seq);
      if (it !== undefined) owners.add(it.participant);
      state.delete(intentKey(u, seq));
    }
    for (const p of owners) state.delete(participantCountKey(u, p));
    for (const h of rec.solutionHashes ?? []) state.delete(solutionSeenKey(u, h));
    state.delete(settlementKey(u));
    state.delete(intervalKey(u));
  }
  return [{ type: "day_settled", attributes: { day, series: count } }];
}

/**
 * The settled DERs as one event of their settlement, in columns, DER id order: each attribute a
 * comma-separated list with one item per DER (`measuredWh` empty where the reading is missing, `flags` the
 * DER's flags joined by "+"). DER and account ids hold no commas (schemas.ts). About 80 bytes a DER, where
 * one event per DER took 230: a thousand households settled every interval were most of a year's ledger.
 */
function settledDersEvent(ders: readonly SettledDer[]): ProtocolEvent {
  const column = (f: (d: SettledDer) => string | number) => ders.map(f).join(",");
  return {
    type: "settled_ders",
    attributes: {
      count: ders.length,
      der: column((d) => d.der),
      participant: column((d) => d.participant),
      scheduledWh: column((d) => d.scheduledWh),
      measuredWh: column((d) => (d.measuredWh === null ? "" : d.measuredWh)),
      deviationWh: column((d) => d.deviationWh),
      imbalanceMicros: column((d) => d.imbalanceMicros),
      flags: column((d) => d.flags.join("+")),
    },
  };
}

/** One attribute of the settled DERs of a SettleInterval's events, as text, in DER id order (one item per DER). */
export function settledDerColumn(events: readonly ProtocolEvent[], name: SettledDerColumn): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (e.type !== "settled_ders") continue;
    const items = String(e.attributes[name]).split(",");
    assert(items.length === Number(e.attributes.count), `settled_ders.${name} has one item per DER`);
    for (const x of items) out.push(x);
  }
  return out;
}

export type SettledDerColumn =
  | "der"
  | "participant"
  | "scheduledWh"
  | "measuredWh"
  | "deviationWh"
  | "imbalanceMicros"
  | "flags";

/** The settled DERs of a SettleInterval's events, in the settlement's order (DER id). */
export function settledDersOf(events: readonly ProtocolEvent[]): SettledDer[] {
  const [der, participant, scheduled, measured, deviation, imbalance, flags] = (
    ["der", "participant", "scheduledWh", "measuredWh", "deviationWh", "imbalanceMicros", "flags"] as const
  ).map((name) => settledDerColumn(events, name));
  return der.map((id, i) => ({
    der: id,
    participant: participant[i],
    scheduledWh: Number(scheduled[i]),
    measuredWh: measured[i] === "" ? null : Number(measured[i]),
    deviationWh: Number(deviation[i]),
    imbalanceMicros: Number(imbalance[i]),
    flags: flags[i] === "" ? [] : (flags[i].split("+") as SettledDer["flags"]),
  }));
}
