import { MAX_INTENTS_PER_INTERVAL, MAX_INTENTS_PER_PARTICIPANT } from "../../intents/limits.js";
import { buyerPaysMicros } from "../../market/money.js";
import type { StateOverlay } from "../overlay.js";
import { defineTx, reject } from "../txdef.js";
import { checkPlacement, holdEscrow, locatedTerms, locateIntent } from "./locate.js";
import {
  EMPTY_INTERVAL,
  getInterval,
  intervalKey,
  participantCountKey,
  participantSeriesKey,
  seriesDayKey,
  seriesDayOf,
  seriesKey,
} from "./state.js";
import { type SeriesRecord, submitIntentSeriesBodySchema } from "./types.js";

/**
 * Intent series: a participant's intents for several intervals of one series day in one signed transaction.
 *
 * Numbering. The intents of interval t are numbered as the solution and the settlement see them: first the
 * single intents (SubmitIntent) in order of arrival, 0 … n − 1, then one number per series slot of t's day,
 * n + slot, whether or not that series places an intent in t (a hole otherwise). Singles and new series keep
 * arriving until t's gate closes, so the numbers of series entries are final from gate closure on — which is
 * when solutions are accepted. Every slot of the day counts against MAX_INTENTS_PER_INTERVAL.
 */

export const countOf = (s: StateOverlay, key: string): number =>
  s.get<{ series?: number; intents?: number }>(key)?.series ?? 0;

/** What a buy entry holds in escrow: the most it can pay, plus one micro-unit (as a single intent). */
export const entryEscrowMicros = (side: "buy" | "sell", quantityWh: number, limitPrice: number): number =>
  side === "buy" && quantityWh > 0 ? buyerPaysMicros(quantityWh, limitPrice) + 1 : 0;

/** An open series entry of interval t. */
export interface SeriesEntry {
  slot: number;
  record: SeriesRecord;
  quantityWh: number;
  limitPrice: number;
  escrowMicros: number;
}

/**
 * The series slots of t's day, in slot order: the open entry for t, or null where the slot places no intent
 * in t (outside its intervals, quantity 0 or cancelled).
 */
export function seriesEntriesOf(
  state: StateOverlay,
  t: number,
  intervalMinutes: number,
): (SeriesEntry | null)[] {
  const day = seriesDayOf(t, intervalMinutes);
  const slots = countOf(state, seriesDayKey(day));
  const keys = seriesKeysOf(day, slots);
  const out: (SeriesEntry | null)[] = [];
  for (let slot = 0; slot < slots; slot++) {
    const record = state.get<SeriesRecord>(keys[slot]);
    const i = record === undefined ? -1 : t - record.firstInterval;
    if (record === undefined || i < 0 || i >= record.quantitiesWh.length) {
      out.push(null);
      continue;
    }
    const quantityWh = record.quantitiesWh[i];
    if (quantityWh === 0 || record.cancelled.includes(i)) {
      out.push(null);
      continue;
    }
    const limitPrice = record.limitPrices[i];
    out.push({
      slot,
      record,
      quantityWh,
      limitPrice,
      escrowMicros: entryEscrowMicros(record.side, quantityWh, limitPrice),
    });
  }
  return out;
}

/**
 * The state keys of a day's series slots, kept for the last few days: every interval's book, solution and
 * settlement look up the same keys, and a string used again keeps its hash (a new one is hashed per lookup).
 */
const dayKeys = new Map<number, string[]>();
function seriesKeysOf(day: number, slots: number): string[] {
  let keys = dayKeys.get(day);
  if (keys === undefined) {
    if (dayKeys.size >= 4) dayKeys.delete(dayKeys.keys().next().value as number);
    keys = [];
    dayKeys.set(day, keys);
  }
  for (let slot = keys.length; slot < slots; slot++) keys.push(seriesKey(day, slot));
  return keys;
}

/** Places one intent per non-zero entry, for consecutive intervals of one series day; buys escrow their sum. */
export const submitIntentSeries = defineTx(submitIntentSeriesBodySchema, (ctx, body) => {
  const { state, params, sender } = ctx;
  const first = body.firstInterval;
  const last = first + body.quantitiesWh.length - 1;
  checkPlacement(ctx, first, last);
  const day = seriesDayOf(first, params.intervalMinutes);
  if (seriesDayOf(last, params.intervalMinutes) !== day) {
    reject("MARKET_SERIES_SPANS_DAYS", `intervals ${first} to ${last} lie in more than one series day`, {
      firstInterval: first,
      lastInterval: last,
    });
  }
  const loc = locateIntent(ctx, body, Math.max(...body.quantitiesWh));

  const slot = countOf(state, seriesDayKey(day));
  const mine = countOf(state, participantSeriesKey(day, sender));
  let escrowMicros = 0;
  for (let i = 0; i < body.quantitiesWh.length; i++) {
    if (body.quantitiesWh[i] === 0) continue;
    const t = first + i;
    const singles = (getInterval(state, t) ?? EMPTY_INTERVAL).intents;
    if (singles + slot >= MAX_INTENTS_PER_INTERVAL) {
      reject("MARKET_INTERVAL_FULL", `interval ${t} already holds ${MAX_INTENTS_PER_INTERVAL} intents`, {
        interval: t,
      });
    }
    const mineSingles = state.get<{ intents: number }>(participantCountKey(t, sender))?.intents ?? 0;
    if (mineSingles + mine >= MAX_INTENTS_PER_PARTICIPANT) {
      reject(
        "MARKET_TOO_MANY_INTENTS",
        `a participant may place ${MAX_INTENTS_PER_PARTICIPANT} intents per interval`,
        {
          interval: t,
        },
      );
    }
    escrowMicros += entryEscrowMicros(body.side, body.quantitiesWh[i], body.limitPrices[i]);
  }
  holdEscrow(ctx, escrowMicros, "the series' buys");
  const record: SeriesRecord = {
    ...locatedTerms(ctx, body, loc),
    firstInterval: first,
    quantitiesWh: body.quantitiesWh,
    limitPrices: body.limitPrices,
    cancelled: [],
    submittedAtMs: ctx.timeMs,
    txHash: ctx.txHash,
  };
  state.put(seriesKey(day, slot), record);
  state.put(seriesDayKey(day), { series: slot + 1 });
  state.put(participantSeriesKey(day, sender), { series: mine + 1 });
  // Every interval with an entry has a record, so that it can be solved and settled like any other.
  for (let i = 0; i < body.quantitiesWh.length; i++) {
    if (body.quantitiesWh[i] > 0 && getInterval(state, first + i) === undefined) {
      state.put(intervalKey(first + i), EMPTY_INTERVAL);
    }
  }
  return [
    {
      type: "intent_series",
      attributes: {
        firstInterval: first,
        intervals: body.quantitiesWh.length,
        day,
        series: slot,
        escrowMicros,
      },
    },
  ];
});
