import { assert } from "../../core/errors.js";
import { intervalOf } from "../../core/time.js";
import { sourceKindOf } from "../../intents/book.js";
import { MAX_INTERVALS_AHEAD } from "../../intents/limits.js";
import type { SourceKind } from "../../market/types.js";
import { getAccount, putAccount } from "../accounts/state.js";
import { getBus } from "../grid/state.js";
import { getDer, getParticipant } from "../registry/state.js";
import { reject, type TxContext } from "../txdef.js";
import { ESCROW_ACCOUNT, intervalTimes, readMarketParams } from "./state.js";
import type { LocatedTerms } from "./types.js";

/**
 * What SubmitIntent and SubmitIntentSeries check first, in this order: the sender is a participant, the last
 * interval is within the horizon, the first interval's gate is open (the earliest gate: then all are).
 */
export function checkPlacement(ctx: TxContext, first: number, last: number): void {
  const { state, params, sender } = ctx;
  const market = readMarketParams(state);
  if (getParticipant(state, sender) === undefined) {
    reject("MARKET_NOT_PARTICIPANT", "only a registered participant can submit intents", { sender });
  }
  const current = intervalOf(ctx.timeMs, params.intervalMinutes);
  if (last > current + MAX_INTERVALS_AHEAD) {
    reject(
      "MARKET_INTERVAL_TOO_FAR",
      `interval ${last} is more than ${MAX_INTERVALS_AHEAD} intervals ahead`,
      {
        interval: last,
        current,
      },
    );
  }
  const times = intervalTimes(first, params.intervalMinutes, market);
  if (ctx.timeMs >= times.gateClosureMs) {
    reject("MARKET_GATE_CLOSED", `the gate of interval ${first} closed at ${times.gateClosureMs}`, {
      interval: first,
      gateClosureMs: times.gateClosureMs,
    });
  }
}

/** Moves a buy's escrow from the sender to the escrow account, or refuses with MARKET_INSUFFICIENT_FUNDS. */
export function holdEscrow(ctx: TxContext, escrowMicros: number, what: string): void {
  if (escrowMicros === 0) return;
  const have = getAccount(ctx.state, ctx.sender).micros;
  if (have < escrowMicros) {
    reject("MARKET_INSUFFICIENT_FUNDS", `${what} holds ${escrowMicros} micro-units; the balance is ${have}`, {
      escrowMicros,
      balance: have,
    });
  }
  moveMicros(ctx, ctx.sender, ESCROW_ACCOUNT, escrowMicros);
}

export function moveMicros(ctx: TxContext, from: string, to: string, amount: number): void {
  if (amount === 0) return;
  const a = getAccount(ctx.state, from);
  assert(a.micros >= amount, `account ${from} holds the ${amount} micro-units it sends`);
  putAccount(ctx.state, from, { ...a, micros: a.micros - amount });
  const b = getAccount(ctx.state, to);
  putAccount(ctx.state, to, { ...b, micros: b.micros + amount });
}

/** Where an intent is and what it sells, as the registry and the grid records say. */
export interface IntentLocation {
  bus: number;
  microgrid: string | null;
  kind: SourceKind | null;
  carbon: number | null;
}

/**
 * Location and source of an intent: the DER's registered bus, kind and carbon intensity (the sender must own
 * it, and it must be able to deliver or take `mostQuantityWh` in one interval), or a bare bus for a buyer.
 */
export function locateIntent(
  ctx: TxContext,
  body: { side: "buy" | "sell"; der?: string; bus?: number },
  mostQuantityWh: number,
): IntentLocation {
  const { state, params, sender } = ctx;
  let bus: number;
  let kind: SourceKind | null = null;
  let carbon: number | null = null;
  if (body.der !== undefined) {
    const der = getDer(state, body.der);
    if (der === undefined)
      reject("MARKET_UNKNOWN_DER", `no DER ${body.der} is registered`, { der: body.der });
    if (der.owner !== sender) {
      reject("MARKET_NOT_DER_OWNER", `DER ${body.der} belongs to another participant`, { der: body.der });
    }
    const mostWh = Math.floor((der.ratingW * params.intervalMinutes) / 60);
    if (mostQuantityWh > mostWh) {
      reject(
        "MARKET_EXCEEDS_RATING",
        `${mostQuantityWh} Wh is more than DER ${body.der} can deliver or take in one interval (${mostWh} Wh)`,
        { der: body.der, quantityWh: mostQuantityWh, mostWh },
      );
    }
    bus = der.bus;
    if (body.side === "sell") {
      kind = sourceKindOf(der.kind);
      carbon = typeof der.carbonGPerKWh === "number" ? der.carbonGPerKWh : null;
    }
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
  return { bus, microgrid: busRecord.microgrid, kind, carbon };
}

/** The terms every intent record keeps: who, which side, where, what it sells, and its predicates. */
export function locatedTerms(
  ctx: TxContext,
  body: {
    side: "buy" | "sell";
    der?: string;
    priority: LocatedTerms["priority"];
    predicates: LocatedTerms["predicates"];
  },
  loc: IntentLocation,
): LocatedTerms {
  return {
    participant: ctx.sender,
    side: body.side,
    der: body.der ?? null,
    bus: loc.bus,
    microgrid: loc.microgrid,
    kind: loc.kind,
    carbon: loc.carbon,
    priority: body.priority,
    predicates: body.predicates,
  };
}
