import { z } from "zod";
import { MAX_INTENT_WH, MAX_INTENTS_PER_INTERVAL, MAX_PRICE_MICROS_PER_KWH } from "../../intents/limits.js";
import {
  busIdSchema,
  derIdSchema,
  intentSeqSchema,
  intentTermsSchema,
  isBuyerOnlyPredicate,
  predicatesSchema,
  prioritySchema,
  sideSchema,
  solutionSchema,
} from "../../intents/schema.js";
import type { Predicate, Priority, Side, SourceKind } from "../../market/types.js";
import { intListSchema } from "../schemas.js";
import { MAX_SERIES_INTERVALS, MAX_SOLUTION_PART_CHARS, MAX_SOLUTION_PARTS } from "./limits.js";

/**
 * The market module: intents as signed transactions, solutions and their validity predicates, winner
 * selection and settlement. The intent and solution languages themselves live in intents/schema.ts.
 *
 * Timeline of interval t (L = interval length; all times are block times, never a clock):
 *
 *   intents, cancels      solutions                         delivery         meter readings   settlement
 *   ───────────────────┬──────────────────────┬───────────┬───────────────┬───────────────┬──────────►
 *                  gate closure           deadline     start(t)        end(t)   end(t) + settlementDelay
 *               start(t) − gateClosure   gate closure + solutionDeadline
 */

const priceSchema = z.int().min(0).max(MAX_PRICE_MICROS_PER_KWH);

/** Market parameters, fixed at genesis (genesis `params.market`); stored at "market/params". */
export const marketParamsSchema = z
  .strictObject({
    /**
     * k of k-pricing for the uniform rule, in millionths: the price is k·(marginal bid) + (1 − k)·(marginal
     * ask). The reference solver uses it; validity only asks that prices be competitive.
     */
    kPricingPpm: z.int().min(0).max(1_000_000).default(500_000),
    /** What a deviation from the schedule pays (shortfall) or earns (surplus), micro-units per kWh. */
    imbalancePriceMicrosPerKWh: priceSchema.default(300_000),
    /** The regulated price of lifeline energy, micro-units per kWh. */
    regulatedPriceMicrosPerKWh: priceSchema.default(150_000),
    /** Baseline energy per household (participant) served first when an island is short, Wh per interval. */
    lifelineBaselineWh: z.int().min(0).max(MAX_INTENT_WH).default(500),
    /** Intents and cancellations for interval t close this many minutes before t starts. */
    gateClosureMinutes: z.int().min(1).max(1440).default(15),
    /** Solutions for t are accepted from gate closure for this many minutes (at most gateClosureMinutes). */
    solutionDeadlineMinutes: z.int().min(1).max(1440).default(5),
    /** Settlement of t is possible this many minutes after t ends (the window for its meter readings). */
    settlementDelayMinutes: z.int().min(0).max(10_080).default(15),
  })
  .refine((p) => p.solutionDeadlineMinutes <= p.gateClosureMinutes, {
    message:
      "solutionDeadlineMinutes must not exceed gateClosureMinutes: the winner is known before delivery",
    path: ["solutionDeadlineMinutes"],
  });
export type MarketParams = z.output<typeof marketParamsSchema>;

/** SubmitIntent: the signed terms of one intent (intents/schema.ts). */
export const submitIntentBodySchema = intentTermsSchema;
export type SubmitIntentBody = z.output<typeof submitIntentBodySchema>;

/**
 * SubmitIntentSeries: one participant's intents for consecutive intervals of one series day, signed once (a
 * home energy manager's day-ahead plan). Entry i is an intent for interval firstInterval + i with the common
 * terms and its own quantity and limit; a quantity of 0 places no intent for that interval. Every entry is
 * filled, settled and cancelled like a SubmitIntent of the same terms; the whole series is stored as one
 * record, so a day of intents costs one state key instead of one per interval.
 */
export const submitIntentSeriesBodySchema = z
  .strictObject({
    firstInterval: z.int().nonnegative(),
    side: sideSchema,
    /** Wh per interval, 0 = no intent in that interval. */
    quantitiesWh: intListSchema(0, MAX_INTENT_WH, 1, MAX_SERIES_INTERVALS),
    /** Micro-units per kWh, one per interval (the same length as quantitiesWh). */
    limitPrices: intListSchema(0, MAX_PRICE_MICROS_PER_KWH, 1, MAX_SERIES_INTERVALS),
    der: derIdSchema.optional(),
    bus: busIdSchema.optional(),
    predicates: predicatesSchema.default([]),
    priority: prioritySchema.default("normal"),
  })
  .refine((b) => b.limitPrices.length === b.quantitiesWh.length, {
    message: "limitPrices must have one price per entry of quantitiesWh",
    path: ["limitPrices"],
  })
  .refine((b) => b.quantitiesWh.some((q) => q > 0), {
    message: "a series needs at least one quantity above 0",
    path: ["quantitiesWh"],
  })
  .refine((b) => b.side === "buy" || !b.predicates.some(isBuyerOnlyPredicate), {
    message: "kinds and maxCarbon describe the seller's energy: only a buy series can state them",
    path: ["predicates"],
  })
  .refine((b) => b.side === "buy" || b.priority === "normal", {
    message: "priority classes (critical, baseline) are for buy intents",
    path: ["priority"],
  })
  .refine((b) => b.der === undefined || b.bus === undefined, {
    message: "give der or bus, not both: a DER's bus is its registered one",
    path: ["bus"],
  });
export type SubmitIntentSeriesBody = z.output<typeof submitIntentSeriesBodySchema>;

/** CancelIntent names a single intent by its number, or a series entry by its series (slot) and interval. */
export const cancelIntentBodySchema = z
  .strictObject({
    interval: z.int().nonnegative(),
    /** The intent's number within the interval (as reported by SubmitIntent's event). */
    intent: intentSeqSchema.optional(),
    /** The series' slot within its series day (as reported by SubmitIntentSeries's event). */
    series: z
      .int()
      .min(0)
      .max(MAX_INTENTS_PER_INTERVAL - 1)
      .optional(),
  })
  .refine((b) => (b.intent === undefined) !== (b.series === undefined), {
    message: "name either an intent or a series, not both",
    path: ["intent"],
  });
export type CancelIntentBody = z.output<typeof cancelIntentBodySchema>;

/** SubmitSolution: a whole solution in one transaction (intents/schema.ts). */
export const submitSolutionBodySchema = solutionSchema;
export type SubmitSolutionBody = z.output<typeof submitSolutionBodySchema>;

/**
 * SubmitSolutionPart: a solution too large for one transaction, as consecutive slices of its JSON text. Parts
 * arrive in order (part 0 starts a new upload and drops an unfinished one); the last part completes the
 * solution, which is then checked exactly like a SubmitSolution.
 */
export const submitSolutionPartBodySchema = z
  .strictObject({
    interval: z.int().nonnegative(),
    part: z
      .int()
      .min(0)
      .max(MAX_SOLUTION_PARTS - 1),
    parts: z.int().min(1).max(MAX_SOLUTION_PARTS),
    data: z.string().min(1).max(MAX_SOLUTION_PART_CHARS),
  })
  .refine((b) => b.part < b.parts, { message: "part must be below parts", path: ["part"] });
export type SubmitSolutionPartBody = z.output<typeof submitSolutionPartBodySchema>;

export const settleIntervalBodySchema = z.strictObject({ interval: z.int().nonnegative() });
export type SettleIntervalBody = z.output<typeof settleIntervalBodySchema>;

/** Who placed an intent, where it is and what it sells, as the protocol recorded them at submission. */
export interface LocatedTerms {
  participant: string;
  side: Side;
  der: string | null;
  bus: number;
  /** Microgrid of the bus when the intent was submitted. */
  microgrid: string | null;
  /** Sellers: source kind and registered carbon intensity of the DER (null: unknown). */
  kind: SourceKind | null;
  carbon: number | null;
  priority: Priority;
  predicates: Predicate[];
}

/** State record at "market/intent/<interval>/<seq>". */
export interface IntentRecord extends LocatedTerms {
  quantityWh: number;
  minFillWh: number;
  limitPrice: number;
  /** Protocol time from which the intent can no longer be filled (null: never before its interval). */
  expiresAtMs: number | null;
  /** Money held for a buy intent: ⌈quantity × limit / 1000⌉ + 1 micro-units (0 for sells). */
  escrowMicros: number;
  status: "open" | "cancelled";
  submittedAtMs: number;
  txHash: string;
}

/** State record at "market/series/<day>/<slot>": one SubmitIntentSeries, with what the protocol located. */
export interface SeriesRecord extends LocatedTerms {
  firstInterval: number;
  /** Wh per interval; an entry is set to 0 when it is cancelled (its escrow refunded). */
  quantitiesWh: number[];
  limitPrices: number[];
  /** Entries cancelled before their gate closed (indices into quantitiesWh, ascending). */
  cancelled: number[];
  submittedAtMs: number;
  txHash: string;
}

/** A valid solution, as remembered. */
export interface SolutionSummary {
  hash: string;
  solver: string;
  welfareMicros: number;
  provenOptimal: boolean;
  congestionRentMicros: number;
  submittedAtMs: number;
  height: number;
}

/** State record at "market/interval/<interval>". */
export interface IntervalRecord {
  /** Intent numbers handed out (cancelled ones included). */
  intents: number;
  /** Valid solutions received. */
  solutions: number;
  /** The best valid solution so far: highest welfare, ties to the lowest hash. */
  best: SolutionSummary | null;
  settled: boolean;
  /** Hashes of the valid solutions received, in order (their records go when the day is settled). */
  solutionHashes?: string[];
}

/** State record at "market/solution/<interval>": the content of the best solution. */
export interface WinnerRecord {
  hash: string;
  fills: [number, number, number][];
  prices: [number, number][];
  referencePrice: number;
  busPrices: [number, number][];
  /** [intent, Wh] served under the lifeline at the regulated price. */
  lifeline: [number, number][];
}

/** State record at "market/settlement/<interval>". */
export interface SettlementRecord {
  settledAtMs: number;
  /** Hash of the winning solution (null: no valid solution; intents were refunded). */
  solution: string | null;
  buyerPaymentsMicros: number;
  sellerReceiptsMicros: number;
  congestionRentMicros: number;
  refundsMicros: number;
  imbalanceChargesMicros: number;
  imbalanceCreditsMicros: number;
  /** Charges and credits that could not be paid (balance or treasury short). */
  unpaidMicros: number;
  /**
   * Scheduled DERs settled. Each one's schedule, reading, deviation, imbalance payment and flags is an event of
   * the settlement (`settled_ders`, see settledDersOf): per-DER history lives in the blocks, not in the state.
   */
  derCount: number;
  /** DERs without a reading (counted as no delivery), and DERs whose charge or credit was not paid in full. */
  missingReadings: number;
  unpaidDers: number;
}

export interface SettledDer {
  der: string;
  participant: string;
  scheduledWh: number;
  /** Meter reading, Wh (export > 0); null when missing (counted as 0: no delivery). */
  measuredWh: number | null;
  deviationWh: number;
  imbalanceMicros: number;
  flags: ("missing_reading" | "unpaid")[];
}
