import { hashTagged, toHex } from "../../core/hash.js";
import type { AccountId } from "../../core/keys.js";
import { intervalLengthMs, MS_PER_MINUTE } from "../../core/time.js";
import type { StateOverlay } from "../overlay.js";
import { reject } from "../txdef.js";
import type { IntentRecord, IntervalRecord, MarketParams, WinnerRecord } from "./types.js";

export const MARKET_PARAMS_KEY = "market/params";
/** Electrical data of the genesis network (reactances, taps, ratings) that the grid records do not keep. */
export const MARKET_NETWORK_KEY = "market/network";

/**
 * Interval keys of recent intervals: a block of day-ahead series reads each of the day's interval records
 * once per series (a thousand times), and a key string used again keeps its hash (a new one is hashed at
 * every lookup). A bounded memo of a pure function.
 */
const intervalKeys = new Map<number, string>();
export const intervalKey = (t: number): string => {
  let key = intervalKeys.get(t);
  if (key === undefined) {
    if (intervalKeys.size >= 4096) intervalKeys.clear();
    key = `market/interval/${t}`;
    intervalKeys.set(t, key);
  }
  return key;
};
export const intentKey = (t: number, seq: number): string => `market/intent/${t}/${seq}`;
export const participantCountKey = (t: number, participant: string): string =>
  `market/count/${t}/${participant}`;
export const winnerKey = (t: number): string => `market/solution/${t}`;
export const solutionSeenKey = (t: number, hash: string): string => `market/seen/${t}/${hash}`;
export const uploadKey = (t: number, solver: string): string => `market/upload/${t}/${solver}`;
export const uploadPartKey = (t: number, solver: string, part: number): string =>
  `market/upload/${t}/${solver}/${part}`;
export const settlementKey = (t: number): string => `market/settlement/${t}`;
/** Number of intent series of series day d: `{ series: n }`. */
export const seriesDayKey = (day: number): string => `market/series/${day}`;
/** Intent series `slot` of series day d (a SeriesRecord). */
export const seriesKey = (day: number, slot: number): string => `market/series/${day}/${slot}`;
/** Intent series a participant placed in series day d: `{ series: n }`. */
export const participantSeriesKey = (day: number, participant: string): string =>
  `market/series-count/${day}/${participant}`;

/**
 * `{ settledAtMs }` once every interval of day d with intents is settled and the day's last gate has closed:
 * nothing of the market reads the day's series or meter readings any more (settle-tx.ts, oracle/tx.ts).
 */
export const daySettledKey = (day: number): string => `market/day-settled/${day}`;

/** Intervals per series day: a UTC day (the interval length divides 1,440 minutes; genesis checks it). */
export const intervalsPerDay = (intervalMinutes: number): number =>
  Math.max(1, Math.floor(1440 / intervalMinutes));
/** The series day of interval t. */
export const seriesDayOf = (t: number, intervalMinutes: number): number =>
  Math.floor(t / intervalsPerDay(intervalMinutes));

/** State record at "market/network". */
export interface MarketNetworkRecord {
  baseMva: number;
  /** External bus numbers in network order. */
  busIds: number[];
  /** Per branch (genesis order): [reactance p.u., tap ratio (0 = 1), rating MW (0 = unlimited)]. */
  branches: [number, number, number][];
}

/** An account no key controls: its id is derived from a name, not from a public key, so nobody can sign for it. */
export function moduleAccountId(name: string): AccountId {
  return `pg1${toHex(hashTagged("plurigrid/module-account", new TextEncoder().encode(name)).subarray(0, 20))}` as AccountId;
}

/** Receives congestion rent and imbalance charges, pays imbalance credits. */
export const TREASURY_ACCOUNT = moduleAccountId("treasury");
/** Holds the money of open buy intents until settlement or cancellation. */
export const ESCROW_ACCOUNT = moduleAccountId("market-escrow");

export function readMarketParams(s: StateOverlay): MarketParams {
  const p = s.get<MarketParams>(MARKET_PARAMS_KEY);
  // A chain whose genesis predates the market module has none: its market transactions are refused.
  if (p === undefined) reject("MARKET_NOT_ENABLED", "this chain's genesis has no market parameters");
  return p;
}

export const getInterval = (s: StateOverlay, t: number) => s.get<IntervalRecord>(intervalKey(t));
export const getIntent = (s: StateOverlay, t: number, seq: number) => s.get<IntentRecord>(intentKey(t, seq));
export const getWinner = (s: StateOverlay, t: number) => s.get<WinnerRecord>(winnerKey(t));

export const EMPTY_INTERVAL: IntervalRecord = { intents: 0, solutions: 0, best: null, settled: false };

/** The market's times of interval t, ms (see types.ts). */
export interface IntervalTimes {
  startMs: number;
  endMs: number;
  gateClosureMs: number;
  deadlineMs: number;
  settleFromMs: number;
}

export function intervalTimes(t: number, intervalMinutes: number, p: MarketParams): IntervalTimes {
  const length = intervalLengthMs(intervalMinutes);
  const startMs = t * length;
  const gateClosureMs = startMs - p.gateClosureMinutes * MS_PER_MINUTE;
  return {
    startMs,
    endMs: startMs + length,
    gateClosureMs,
    deadlineMs: gateClosureMs + p.solutionDeadlineMinutes * MS_PER_MINUTE,
    settleFromMs: startMs + length + p.settlementDelayMinutes * MS_PER_MINUTE,
  };
}
