import type { Locations, MarketGrid } from "./network.js";
import type { OrderTable } from "./orders.js";
import type { Order, Predicate } from "./types.js";

/**
 * Value predicates as the clearing evaluates them: an order's predicates must ALL hold for every
 * counterparty it trades with, and a pair may trade only when both sides' predicates hold. The meaning of
 * each atom is the one the protocol's validity predicates use (intents/predicates.ts):
 *
 * | predicate               | holds for counterparty c of order o when                                 |
 * | ----------------------- | ------------------------------------------------------------------------- |
 * | `{kinds: [...]}`        | c's `kind` is listed (unknown kind: fails)                               |
 * | `{maxCarbon: g}`        | c's `carbon` is known and ≤ g g/kWh                                       |
 * | `{sameMicrogrid: true}` | o and c name the same `microgrid` (none: fails)                           |
 * | `{sameIsland: true}`    | both are located (have a bus) and in the same island                      |
 * | `{maxBusDistance: n}`   | both have a bus, at most n branches apart (no network: the same bus)      |
 * | `{exclude: [ids]}`      | neither c's id nor c's participant is listed                              |
 */
export class PairRule {
  private readonly excluded: (ReadonlySet<string> | null)[];

  constructor(
    private readonly table: OrderTable,
    private readonly where: Locations,
    private readonly grid: MarketGrid | undefined,
  ) {
    this.excluded = table.orders.map((o) => {
      const ids = (o.predicates ?? []).flatMap((p) => ("exclude" in p ? p.exclude : []));
      return ids.length > 0 ? new Set(ids) : null;
    });
  }

  /** Whether buyer b and seller s may trade (both sides' predicates hold, same island). */
  allowed(b: number, s: number): boolean {
    const w = this.where;
    if (w.island[b] < 0 || w.island[b] !== w.island[s]) return false;
    return this.holdsAll(b, s) && this.holdsAll(s, b);
  }

  private holdsAll(self: number, other: number): boolean {
    const preds = this.table.orders[self].predicates;
    if (preds === undefined) return true;
    for (const p of preds) if (!this.holds(p, self, other)) return false;
    return true;
  }

  private holds(p: Predicate, self: number, other: number): boolean {
    const o: Order = this.table.orders[other];
    const me: Order = this.table.orders[self];
    if ("kinds" in p) return o.kind !== undefined && p.kinds.includes(o.kind);
    if ("maxCarbon" in p) return o.carbon !== undefined && o.carbon <= p.maxCarbon;
    if ("sameMicrogrid" in p) return me.microgrid !== undefined && me.microgrid === o.microgrid;
    if ("sameIsland" in p) {
      // Without a network every located order is in the one island.
      return (
        me.bus !== undefined && o.bus !== undefined && this.where.island[self] === this.where.island[other]
      );
    }
    if ("maxBusDistance" in p) {
      if (me.bus === undefined || o.bus === undefined) return false;
      if (this.grid === undefined) return me.bus === o.bus;
      return this.grid.distance(this.where.busIndex[self], this.where.busIndex[other], p.maxBusDistance) >= 0;
    }
    const set = this.excluded[self]!;
    return !set.has(o.id) && (o.participant === undefined || !set.has(o.participant));
  }
}

export function hasPredicates(o: Order): boolean {
  return o.predicates !== undefined && o.predicates.length > 0;
}
