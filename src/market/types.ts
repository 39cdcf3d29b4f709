/**
 * The market's view of intents and of a clearing outcome. Shared by the clearing mechanisms (market/),
 * the intents layer and validity predicates (intents/) and the protocol's market module.
 *
 * Units: energy in Wh over the interval (integers), prices in micro-units per kWh (integers), money in
 * micro-units (integers; energy × price / 1000 rounded with core/units' rule).
 */

export type Side = "buy" | "sell";

/** Source kinds a seller's energy can come from (DER kinds of the registry). */
export const SOURCE_KINDS = [
  "pv",
  "wind",
  "battery",
  "hydro",
  "chp",
  "diesel",
  "grid",
  "ev",
  "other",
] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** Priority classes: critical loads and the household baseline are served first when an island is short. */
export type Priority = "critical" | "baseline" | "normal";

/**
 * Value predicates: a small closed language, data not code, so every node evaluates them identically.
 * An intent's predicates must ALL hold for every counterparty it trades with.
 */
export type Predicate =
  /** Accepted source kinds of the seller (for buyers). */
  | { kinds: SourceKind[] }
  /** The counterparty is in the same microgrid. */
  | { sameMicrogrid: true }
  /** The counterparty is in the same island of the current topology. */
  | { sameIsland: true }
  /** The counterparty's bus is at most N branches away (in-service topology). */
  | { maxBusDistance: number }
  /** Never trade with these intent ids or participant ids. */
  | { exclude: string[] }
  /** The seller's registered carbon intensity is at most this, g/kWh (for buyers). */
  | { maxCarbon: number };

/** An intent as the market sees it (the signed protocol form carries more: signature, expiry, DER id). */
export interface Order {
  id: string;
  side: Side;
  /** Most energy to trade over the interval, Wh (> 0). */
  quantityWh: number;
  /** Least acceptable fill, Wh: 0 = any partial fill; equal to quantityWh = all-or-none. */
  minFillWh: number;
  /** Buyers: most they pay; sellers: least they accept. Micro-units per kWh. */
  limitPrice: number;
  participant?: string;
  /** External bus number (as in the MATPOWER case); required for network-constrained clearing. */
  bus?: number;
  microgrid?: string;
  /** Sellers: the source kind and carbon intensity (g/kWh) of the energy. */
  kind?: SourceKind;
  carbon?: number;
  priority?: Priority;
  predicates?: Predicate[];
}

/** One bilateral match: the seller delivers `energyWh` to the buyer (the basis for predicate checks). */
export interface Fill {
  buyer: string;
  seller: string;
  energyWh: number;
  /** Part of energyWh traded under the lifeline rule at `prices.lifeline`; absent when 0. */
  lifelineWh?: number;
}

export type ClearingStatus = "cleared" | "empty" | "infeasible";

export interface IntentOutcome {
  id: string;
  filledWh: number;
  /**
   * Price this intent pays (buy) or receives (sell), micro-units per kWh; null when not filled. With a
   * lifeline part, the price of the rest (`filledWh - lifelineWh`), or the lifeline price when all of it is.
   */
  price: number | null;
  /** Part of filledWh served under the lifeline rule at `prices.lifeline`; absent when 0. */
  lifelineWh?: number;
}

export interface ClearingResult {
  status: ClearingStatus;
  /** Σ over buys of limit × fill − Σ over sells of limit × fill, micro-units. */
  welfare: number;
  prices: { uniform?: number; buses?: { id: number; lmp: number }[]; lifeline?: number };
  /** One per input intent, in input order. */
  intents: IntentOutcome[];
  /** The bilateral matches behind the fills, sorted by (buyer, seller). */
  fills: Fill[];
  /** Why, when status is "infeasible" (the solver's words). */
  message?: string;
  /**
   * With a network: the shadow price of every binding branch limit, [branch index in the case, μ] in
   * micro-units per kWh, ascending by branch. μ = ∂welfare/∂limit: > 0 at the from→to limit, < 0 at the
   * to→from limit (the certificate's convention). Optional: added after the first version of this type.
   */
  branchShadowPrices?: [number, number][];
}

export type ClearingRule = "uniform" | "pay-as-bid";

/**
 * Lifeline (issue 5): when an island's offered supply is below its demand, critical and then baseline
 * buyers are served first at a regulated price, before the rest clears by price (rule in lifeline.ts).
 */
export interface LifelineOptions {
  /** Regulated price, micro-units per kWh. */
  priceMicrosPerKWh: number;
  /** Most baseline energy served under the lifeline per participant (the per-household baseline), Wh. */
  baselineWhPerParticipant?: number;
}
