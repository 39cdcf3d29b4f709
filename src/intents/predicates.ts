import type { Predicate } from "../market/types.js";
import type { BookIntent, CompiledBook } from "./book.js";

/**
 * Evaluation of value predicates: an intent's predicates must all hold for every counterparty it trades
 * with. The language is closed (market/types.ts), so every node evaluates it identically:
 *
 * | predicate              | holds for counterparty c of intent i when                                      |
 * | ---------------------- | ------------------------------------------------------------------------------ |
 * | `{kinds: [...]}`       | c's DER kind is listed (a buyer's predicate about its seller)                  |
 * | `{maxCarbon: g}`       | c's DER has a registered carbon intensity ≤ g g/kWh (unregistered: fails)      |
 * | `{sameMicrogrid: true}`| i's and c's buses belong to the same microgrid (a bus in none: fails)          |
 * | `{sameIsland: true}`   | i's and c's buses are in the same island of the current topology              |
 * | `{maxBusDistance: n}`  | c's bus is at most n branches (or closed switches) from i's bus                |
 * | `{exclude: [ids]}`     | neither c's intent id nor c's participant is listed                            |
 *
 * Unknown facts never satisfy a predicate: a buyer asking for low carbon never trades with a seller whose
 * carbon intensity nobody registered.
 */

/** One side's broken predicate, as reported by a failed check. */
export interface BrokenPredicate {
  /** The intent whose predicate does not hold. */
  intent: number;
  counterparty: number;
  predicate: Predicate;
}

/** Whether one predicate of `self` holds for `other`. Distances come from the book's network. */
export function predicateHolds(
  p: Predicate,
  self: BookIntent,
  other: BookIntent,
  compiled: CompiledBook,
  excluded?: ReadonlySet<string>,
): boolean {
  if ("kinds" in p) return other.kind !== null && p.kinds.includes(other.kind);
  if ("maxCarbon" in p) return other.carbon !== null && other.carbon <= p.maxCarbon;
  if ("sameMicrogrid" in p) return self.microgrid !== null && self.microgrid === other.microgrid;
  if ("sameIsland" in p) {
    const a = compiled.island[self.seq];
    return a >= 0 && a === compiled.island[other.seq];
  }
  if ("maxBusDistance" in p) {
    if (self.bus === null || other.bus === null) return false;
    const net = compiled.book.network;
    if (net === undefined) return self.bus === other.bus;
    return net.distance(compiled.busIndex[self.seq], compiled.busIndex[other.seq], p.maxBusDistance) >= 0;
  }
  // exclude
  const set = excluded ?? new Set(p.exclude);
  return !set.has(other.id) && !set.has(other.participant);
}

/**
 * Checks fills against both sides' predicates. Each `exclude` list becomes a set once per intent, so a
 * solution's check costs O(fills × predicates per intent) plus one bounded breadth-first search per bus
 * that a `maxBusDistance` starts from.
 */
export class PredicateChecker {
  private readonly excludeSets = new Map<number, ReadonlySet<string>>();

  constructor(private readonly compiled: CompiledBook) {}

  /** The first predicate of buyer or seller that the pair breaks (buyer's first), or null. */
  check(buyer: number, seller: number): BrokenPredicate | null {
    const intents = this.compiled.book.intents;
    const b = intents[buyer] as BookIntent;
    const s = intents[seller] as BookIntent;
    const fromBuyer = this.firstBroken(b, s);
    if (fromBuyer !== null) return { intent: buyer, counterparty: seller, predicate: fromBuyer };
    const fromSeller = this.firstBroken(s, b);
    if (fromSeller !== null) return { intent: seller, counterparty: buyer, predicate: fromSeller };
    return null;
  }

  private firstBroken(self: BookIntent, other: BookIntent): Predicate | null {
    for (const p of self.predicates) {
      let set: ReadonlySet<string> | undefined;
      if ("exclude" in p) {
        set = this.excludeSets.get(self.seq);
        if (set === undefined) {
          // An intent has at most one exclude set in practice; several are merged (all must hold).
          const all = new Set<string>();
          for (const q of self.predicates) if ("exclude" in q) for (const id of q.exclude) all.add(id);
          set = all;
          this.excludeSets.set(self.seq, set);
        }
        if (set.has(other.id) || set.has(other.participant)) return p;
        continue;
      }
      if (!predicateHolds(p, self, other, this.compiled, set)) return p;
    }
    return null;
  }
}
