import { PlurigridError } from "../core/errors.js";
import { type Order, type Predicate, type Priority, SOURCE_KINDS, type SourceKind } from "../market/types.js";
import type { MarketNetwork } from "./network.js";

/**
 * The order book of one market interval as the validity predicates see it: every intent by its number,
 * located at a bus, with what its counterparties' predicates ask about it (participant, microgrid, island,
 * source kind and carbon intensity of a seller's DER).
 */
export interface BookIntent {
  /** Number of the intent within the interval (the protocol assigns them in order of arrival). */
  seq: number;
  /** The id a predicate's `exclude` names (the protocol uses the decimal form of `seq`). */
  id: string;
  participant: string;
  side: "buy" | "sell";
  quantityWh: number;
  minFillWh: number;
  limitPrice: number;
  /** External bus number, or null when the intent is not located (only outside the protocol). */
  bus: number | null;
  microgrid: string | null;
  /** Sellers: source kind of the DER (null: unknown). */
  kind: SourceKind | null;
  /** Sellers: registered carbon intensity of the DER, g/kWh (null: not registered). */
  carbon: number | null;
  priority: Priority;
  predicates: readonly Predicate[];
  /** True once the intent can no longer be filled (its expiry passed before the solution arrived). */
  expired?: boolean;
}

export interface Book {
  interval: number;
  intervalMinutes: number;
  /** Index = intent number; null for numbers that are cancelled (or otherwise not in the book). */
  intents: readonly (BookIntent | null)[];
  /** The network of the interval; without it there is no flow check, one island, and no bus distances. */
  network?: MarketNetwork;
  /** The lifeline rule of the market (absent: solutions may not declare lifeline parts). */
  lifeline?: BookLifeline;
}

/** Lifeline parameters (protocol market params): regulated price and per-participant baseline. */
export interface BookLifeline {
  priceMicrosPerKWh: number;
  baselineWhPerParticipant: number;
}

/** Flags of a compiled intent. */
export const PRESENT = 1;
export const BUY = 2;
export const HAS_PREDICATES = 4;
/** No predicates, no least fill, normal priority: the part of the market where one price per bus exists. */
export const PLAIN = 8;
export const EXPIRED = 16;

/** A book as flat typed arrays (one entry per intent number), for checks in linear time. */
export interface CompiledBook {
  readonly book: Book;
  readonly count: number;
  readonly flags: Uint8Array;
  readonly quantityWh: Float64Array;
  readonly minFillWh: Float64Array;
  readonly limitPrice: Float64Array;
  /** Bus index in the network (-1: not located or no network). */
  readonly busIndex: Int32Array;
  /** Island of the intent's bus (0 for every intent without a network, -1 when not located). */
  readonly island: Int32Array;
}

function bookInvalid(message: string, details: Record<string, unknown>): never {
  throw new PlurigridError("MARKET_BOOK_INVALID", message, details);
}

export function compileBook(book: Book): CompiledBook {
  const n = book.intents.length;
  const flags = new Uint8Array(n);
  const quantityWh = new Float64Array(n);
  const minFillWh = new Float64Array(n);
  const limitPrice = new Float64Array(n);
  const busIndex = new Int32Array(n).fill(-1);
  const island = new Int32Array(n).fill(-1);
  const net = book.network;
  for (let i = 0; i < n; i++) {
    const it = book.intents[i];
    if (it === null || it === undefined) continue;
    if (it.seq !== i)
      bookInvalid(`intent at position ${i} has number ${it.seq}`, { position: i, seq: it.seq });
    let f = PRESENT;
    if (it.side === "buy") f |= BUY;
    if (it.predicates.length > 0) f |= HAS_PREDICATES;
    if (it.predicates.length === 0 && it.minFillWh === 0 && it.priority === "normal") f |= PLAIN;
    if (it.expired) f |= EXPIRED;
    flags[i] = f;
    quantityWh[i] = it.quantityWh;
    minFillWh[i] = it.minFillWh;
    limitPrice[i] = it.limitPrice;
    if (it.bus !== null) {
      if (net === undefined) {
        island[i] = 0;
      } else {
        const b = net.busIndex(it.bus);
        if (b < 0)
          bookInvalid(`intent ${i} is at bus ${it.bus}, which is not in the network`, { bus: it.bus });
        busIndex[i] = b;
        island[i] = net.islandOfBus[b];
      }
    }
  }
  return { book, count: n, flags, quantityWh, minFillWh, limitPrice, busIndex, island };
}

/** The clearing's view of a book intent (market/types.ts `Order`). */
export function orderOf(it: BookIntent): Order {
  const order: Order = {
    id: it.id,
    side: it.side,
    quantityWh: it.quantityWh,
    minFillWh: it.minFillWh,
    limitPrice: it.limitPrice,
    participant: it.participant,
    priority: it.priority,
  };
  if (it.bus !== null) order.bus = it.bus;
  if (it.microgrid !== null) order.microgrid = it.microgrid;
  if (it.kind !== null) order.kind = it.kind;
  if (it.carbon !== null) order.carbon = it.carbon;
  if (it.predicates.length > 0) order.predicates = it.predicates.map((p) => ({ ...p }));
  return order;
}

/** Source kind of a DER kind of the registry (kinds the market does not distinguish are "other"). */
export function sourceKindOf(derKind: string): SourceKind {
  return (SOURCE_KINDS as readonly string[]).includes(derKind) ? (derKind as SourceKind) : "other";
}
