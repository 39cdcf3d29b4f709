import fc from "fast-check";
import { paymentMicros } from "./money.js";
import type { ClearingResult, Order, Predicate, SourceKind } from "./types.js";

/** Random markets for the tests: small integers so that ties and rationing happen often. */

export interface MarketShape {
  maxOrders?: number;
  maxPrice?: number;
  maxQuantityWh?: number;
  /** Buses to place orders at (none: no bus). */
  buses?: readonly number[];
  predicates?: boolean;
  minFills?: boolean;
  priorities?: boolean;
}

const KINDS: SourceKind[] = ["pv", "wind", "battery", "diesel"];

function predicateArb(ids: readonly string[]): fc.Arbitrary<Predicate> {
  const names = [...ids, "p1", "p2"];
  return fc.oneof(
    fc.subarray(KINDS, { minLength: 1 }).map((kinds): Predicate => ({ kinds })),
    fc.constant<Predicate>({ sameMicrogrid: true }),
    fc.integer({ min: 0, max: 600 }).map((g): Predicate => ({ maxCarbon: g })),
    fc
      .subarray(names, { minLength: 1, maxLength: Math.min(3, names.length) })
      .map((exclude): Predicate => ({ exclude })),
  );
}

export function marketArb(shape: MarketShape = {}): fc.Arbitrary<Order[]> {
  const maxOrders = shape.maxOrders ?? 12;
  const maxPrice = shape.maxPrice ?? 50;
  const maxQ = shape.maxQuantityWh ?? 40;
  return fc.integer({ min: 0, max: maxOrders }).chain((count) => {
    const ids = Array.from({ length: count }, (_, i) => `o${(i * 7919) % 101}-${i}`);
    const one = (id: string) =>
      fc
        .record({
          side: fc.constantFrom<"buy" | "sell">("buy", "sell"),
          quantityWh: fc.integer({ min: 1, max: maxQ }),
          limitPrice: fc.integer({ min: 0, max: maxPrice }),
          minFrac: shape.minFills ? fc.constantFrom(0, 0, 0, 0.5, 1) : fc.constant(0),
          bus: shape.buses ? fc.constantFrom(...shape.buses) : fc.constant(undefined),
          participant: fc.constantFrom("p1", "p2", "p3", "p4"),
          microgrid: fc.constantFrom("m1", "m2", undefined),
          kind: fc.constantFrom<SourceKind | undefined>(...KINDS, undefined),
          carbon: fc.option(fc.integer({ min: 0, max: 800 }), { nil: undefined }),
          predicates: shape.predicates
            ? fc.oneof(
                fc.constant(undefined),
                fc.array(predicateArb(ids.filter((x) => x !== id)), { minLength: 1, maxLength: 2 }),
              )
            : fc.constant(undefined),
          priority: shape.priorities
            ? fc.constantFrom<"critical" | "baseline" | "normal">("critical", "baseline", "normal", "normal")
            : fc.constant("normal" as const),
        })
        .map((r): Order => {
          const o: Order = {
            id,
            side: r.side,
            quantityWh: r.quantityWh,
            minFillWh: Math.round(r.quantityWh * r.minFrac),
            limitPrice: r.limitPrice,
            participant: r.participant,
          };
          if (r.bus !== undefined) o.bus = r.bus;
          if (r.microgrid !== undefined) o.microgrid = r.microgrid;
          if (r.side === "sell" && r.kind !== undefined) o.kind = r.kind;
          if (r.side === "sell" && r.carbon !== undefined) o.carbon = r.carbon;
          let preds = r.predicates;
          if (preds !== undefined && r.side === "sell") {
            preds = preds.filter((p) => !("kinds" in p) && !("maxCarbon" in p));
          }
          if (preds !== undefined && preds.length > 0) o.predicates = preds;
          if (r.side === "buy" && r.priority !== "normal") o.priority = r.priority;
          return o;
        });
    return fc.tuple(...ids.map(one)) as fc.Arbitrary<Order[]>;
  });
}

/** Σ payments from the treasury's side: ≥ 0 is budget balance (what buyers pay covers sellers). */
export function treasury(orders: readonly Order[], r: ClearingResult): number {
  let total = 0;
  r.intents.forEach((o, i) => {
    total += paymentMicros(orders[i].side, o, r.prices.lifeline);
  });
  return total;
}

/** Per-order filled energy as the fills add up (buyer and seller sides). */
export function fillsByOrder(r: ClearingResult): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of r.fills) {
    m.set(f.buyer, (m.get(f.buyer) ?? 0) + f.energyWh);
    m.set(f.seller, (m.get(f.seller) ?? 0) + f.energyWh);
  }
  return m;
}
