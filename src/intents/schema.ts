import { z } from "zod";
import { canonicalString } from "../core/canonical.js";
import { isAccountId } from "../core/keys.js";
import { type Predicate, SOURCE_KINDS } from "../market/types.js";
import {
  MAX_BUS_DISTANCE,
  MAX_BUS_PRICES,
  MAX_CARBON_G_PER_KWH,
  MAX_CERTIFICATE_BRANCHES,
  MAX_CERTIFICATE_ISLANDS,
  MAX_CERTIFICATE_VALUE,
  MAX_EXCLUDE_IDS,
  MAX_EXCLUDED_ID_CHARS,
  MAX_FILLS_PER_SOLUTION,
  MAX_INTENT_WH,
  MAX_INTENTS_PER_INTERVAL,
  MAX_PREDICATES_BYTES,
  MAX_PREDICATES_PER_INTENT,
  MAX_PRICE_MICROS_PER_KWH,
} from "./limits.js";

/**
 * The intent and solution languages as zod schemas: one schema is both the check at the boundary and the
 * type inside. Everything is integers (Wh, micro-units per kWh) except certificate duals, which are finite
 * numbers (they are prices of constraints, never amounts of money).
 */

const distinct = <T>(items: readonly T[]) => new Set(items).size === items.length;

/** Ids of DERs (as in the registry: no "/", bounded, so they can be parts of state keys). */
export const derIdSchema = z
  .string()
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "expected letters, digits, '.', '_', ':' or '-'");
/** External bus number (MATPOWER BUS_I). */
export const busIdSchema = z.int().positive().max(2_147_483_647);
export const priceSchema = z.int().min(0).max(MAX_PRICE_MICROS_PER_KWH);
export const energyWhSchema = z.int().min(1).max(MAX_INTENT_WH);
/** Number of an intent within its interval, assigned by the protocol in order of arrival. */
export const intentSeqSchema = z
  .int()
  .min(0)
  .max(MAX_INTENTS_PER_INTERVAL - 1);

export const sourceKindSchema = z.enum(SOURCE_KINDS);

/**
 * One value predicate (market/types.ts `Predicate`): a closed language of atoms, data not code. An intent
 * carries a list of them that must ALL hold for every counterparty it trades with.
 */
export const predicateSchema = z.union([
  z.strictObject({
    kinds: z
      .array(sourceKindSchema)
      .min(1)
      .max(SOURCE_KINDS.length)
      .refine(distinct, { message: "kinds must not repeat" }),
  }),
  z.strictObject({ sameMicrogrid: z.literal(true) }),
  z.strictObject({ sameIsland: z.literal(true) }),
  z.strictObject({ maxBusDistance: z.int().min(0).max(MAX_BUS_DISTANCE) }),
  z.strictObject({
    exclude: z
      .array(z.string().min(1).max(MAX_EXCLUDED_ID_CHARS))
      .min(1)
      .max(MAX_EXCLUDE_IDS)
      .refine(distinct, { message: "excluded ids must not repeat" }),
  }),
  z.strictObject({ maxCarbon: z.int().min(0).max(MAX_CARBON_G_PER_KWH) }),
]);

export const predicatesSchema = z
  .array(predicateSchema)
  .max(MAX_PREDICATES_PER_INTENT)
  .refine((list) => canonicalString(list).length <= MAX_PREDICATES_BYTES, {
    message: `predicates must encode to at most ${MAX_PREDICATES_BYTES} bytes`,
  });

/** Predicates that speak about the seller's energy, so only a buyer can state them. */
export function isBuyerOnlyPredicate(p: Predicate): boolean {
  return "kinds" in p || "maxCarbon" in p;
}

export const sideSchema = z.enum(["buy", "sell"]);
export const prioritySchema = z.enum(["critical", "baseline", "normal"]);

/** When an intent stops being fillable: at a protocol time (ms), or at the start of an interval. */
export const expirySchema = z.union([
  z.strictObject({ timeMs: z.int().nonnegative() }),
  z.strictObject({ interval: z.int().nonnegative() }),
]);
export type Expiry = z.infer<typeof expirySchema>;

/** The terms of an intent as its participant signs them (the body of SubmitIntent). */
export const intentTermsSchema = z
  .strictObject({
    /** Market interval of delivery (core/time.ts: interval k covers [k·L, (k+1)·L) since the epoch). */
    interval: z.int().nonnegative(),
    side: sideSchema,
    /** Most energy to trade over the interval, Wh. */
    quantityWh: energyWhSchema,
    /** Least acceptable fill, Wh: 0 = any partial fill, equal to quantityWh = all-or-none. */
    minFillWh: z.int().min(0).max(MAX_INTENT_WH).default(0),
    /** Buyers: the most they pay; sellers: the least they accept. Micro-units per kWh. */
    limitPrice: priceSchema,
    /** The DER that delivers (sell) or takes (buy) the energy; its bus locates the intent. Sells need one. */
    der: derIdSchema.optional(),
    /** Connection point of a buyer without a registered DER (external bus number). */
    bus: busIdSchema.optional(),
    expiry: expirySchema.optional(),
    predicates: predicatesSchema.default([]),
    priority: prioritySchema.default("normal"),
  })
  .refine((t) => t.minFillWh <= t.quantityWh, {
    message: "minFillWh must not exceed quantityWh",
    path: ["minFillWh"],
  })
  .refine((t) => t.side === "buy" || !t.predicates.some(isBuyerOnlyPredicate), {
    message: "kinds and maxCarbon describe the seller's energy: only a buy intent can state them",
    path: ["predicates"],
  })
  .refine((t) => t.side === "buy" || t.priority === "normal", {
    message: "priority classes (critical, baseline) are for buy intents",
    path: ["priority"],
  })
  .refine((t) => t.der === undefined || t.bus === undefined, {
    message: "give der or bus, not both: a DER's bus is its registered one",
    path: ["bus"],
  });
export type IntentTerms = z.output<typeof intentTermsSchema>;
export type IntentTermsInput = z.input<typeof intentTermsSchema>;

/** A signed intent as a whole: its participant (the signer's account id) and its terms. */
export const intentSchema = z.object({
  participant: z.string().refine(isAccountId, { message: "expected an account id" }),
  terms: intentTermsSchema,
});
export type Intent = z.output<typeof intentSchema>;

const dualSchema = z.number().min(-MAX_CERTIFICATE_VALUE).max(MAX_CERTIFICATE_VALUE);

/**
 * An optimality certificate: the dual prices of the network-constrained welfare LP. `energyPrices` gives
 * the energy price λ of each island at a bus of that island (the price there; the bus is the island's
 * reference for PTDF differences); `branchShadowPrices` gives μ for binding branches only (by branch
 * index, positive when the branch is at its limit in its from→to direction, negative in the other).
 * Micro-units per kWh.
 */
export const certificateSchema = z.strictObject({
  energyPrices: z
    .array(z.tuple([busIdSchema, dualSchema]))
    .min(1)
    .max(MAX_CERTIFICATE_ISLANDS),
  branchShadowPrices: z
    .array(z.tuple([z.int().nonnegative(), dualSchema]))
    .max(MAX_CERTIFICATE_BRANCHES)
    .default([]),
});
export type Certificate = z.output<typeof certificateSchema>;

/**
 * A list of integer tuples, checked by one loop instead of a schema per element: a solution carries up to
 * 100,000 fills, and a schema object per tuple costs more than all the validity predicates together. Each
 * position has its inclusive integer range.
 */
function intTuples<T extends number[]>(
  what: string,
  ranges: readonly (readonly [number, number])[],
  max: number,
) {
  return z.custom<T[]>().superRefine((value, ctx) => {
    const why = tupleProblem(value, ranges, max);
    if (why !== null) ctx.addIssue({ code: "custom", message: `${what}: ${why}` });
  });
}

function tupleProblem(
  value: unknown,
  ranges: readonly (readonly [number, number])[],
  max: number,
): string | null {
  if (!Array.isArray(value)) return "expected an array";
  if (value.length > max) return `at most ${max} entries`;
  const width = ranges.length;
  for (let i = 0; i < value.length; i++) {
    const t = value[i];
    if (!Array.isArray(t) || t.length !== width) return `entry ${i} must be a list of ${width} integers`;
    for (let k = 0; k < width; k++) {
      const x = t[k];
      if (!Number.isSafeInteger(x) || x < ranges[k][0] || x > ranges[k][1]) {
        return `entry ${i}, position ${k}: expected an integer in [${ranges[k][0]}, ${ranges[k][1]}]`;
      }
    }
  }
  return null;
}

const SEQ_RANGE = [0, MAX_INTENTS_PER_INTERVAL - 1] as const;
const PRICE_RANGE = [0, MAX_PRICE_MICROS_PER_KWH] as const;

/**
 * A solution for one interval (the body of SubmitSolution).
 * - `fills`: [buyer, seller, energyWh], intents by number, strictly ascending by (buyer, seller).
 * - `prices`: [intent, price] for every filled intent and no other, ascending by intent: what a buyer pays
 *   or a seller receives per kWh.
 * - `referencePrice` and `busPrices` ([bus, price], ascending by bus): the market price at each bus (the bus
 *   price where given, else the reference price), against which prices must be competitive.
 * - `lifeline` ([intent, Wh], ascending by intent): lifeline parts of fills, paid at the regulated price; the
 *   intent's `price` is then the price of the rest.
 * Order and uniqueness are validity predicates (validate.ts), not schema rules.
 */
export const solutionSchema = z.strictObject({
  interval: z.int().nonnegative(),
  fills: intTuples<[number, number, number]>(
    "fills",
    [SEQ_RANGE, SEQ_RANGE, [1, MAX_INTENT_WH]],
    MAX_FILLS_PER_SOLUTION,
  ),
  prices: intTuples<[number, number]>("prices", [SEQ_RANGE, PRICE_RANGE], MAX_INTENTS_PER_INTERVAL),
  referencePrice: priceSchema,
  busPrices: intTuples<[number, number]>(
    "busPrices",
    [[1, 2_147_483_647], PRICE_RANGE],
    MAX_BUS_PRICES,
  ).default([]),
  /** [intent, Wh]: the part of a filled intent served under the lifeline at the regulated price. */
  lifeline: intTuples<[number, number]>(
    "lifeline",
    [SEQ_RANGE, [1, MAX_INTENT_WH]],
    MAX_INTENTS_PER_INTERVAL,
  ).default([]),
  certificate: certificateSchema.optional(),
});
export type Solution = z.output<typeof solutionSchema>;
export type SolutionInput = z.input<typeof solutionSchema>;
