import { type BookIntent, type BookLifeline, BUY, type CompiledBook, EXPIRED, PRESENT } from "./book.js";
import { type InvalidSolution, invalidSolution } from "./codes.js";
import type { PredicateChecker } from "./predicates.js";

/**
 * The lifeline as a validity predicate (SOLUTION_LIFELINE). In an island whose offered energy (Σ sell
 * quantities of its open, unexpired intents) is below its demand (Σ buy quantities), critical loads and then
 * each household's baseline are served first at the regulated price R. A solution declares the lifeline part
 * of each intent it serves so (`lifeline`); the protocol checks:
 *
 * 1. parts only in short islands, only for eligible intents: buys of priority critical, or baseline when the
 *    baseline is above 0, with limit ≥ R; sells with limit ≤ R and no least fill (as in market/lifeline.ts);
 * 2. per island, lifeline energy bought = lifeline energy sold;
 * 3. per participant, baseline lifeline ≤ the baseline (`lifelineBaselineWh`);
 * 4. priority: no eligible seller keeps energy outside the lifeline (sold on the market, or not sold) while an
 *    eligible critical buyer, or a baseline buyer below its allowance, whose predicates and the seller's
 *    accept each other is not filled completely. (A priority buyer filled completely on the market is served;
 *    the regulated price applies to the parts a solution declares as lifeline.)
 *
 * Rule 4 is not applied when a branch is at its limit: then a priority buyer may be short because the network
 * cannot carry more to it, and telling that apart would take the network LP, not a check.
 *
 * The rule does not fix who gets which lifeline energy (any order that leaves no compatible priority buyer
 * short while eligible energy is left is valid). Cost: linear, plus (sellers with energy left) × (short
 * priority buyers) pair checks in short islands only.
 */
export function checkLifeline(
  compiled: CompiledBook,
  life: BookLifeline,
  filled: Float64Array,
  lifelineWh: Float64Array,
  checker: PredicateChecker,
  /** Some branch is at its limit: a priority buyer may be short because of the network. */
  congested = false,
): InvalidSolution | null {
  const { flags, island, quantityWh, limitPrice, minFillWh, count: n } = compiled;
  const intents = compiled.book.intents;
  const R = life.priceMicrosPerKWh;
  const islands = Math.max(1, compiled.book.network?.islandCount ?? 1);
  const demand = new Float64Array(islands);
  const supply = new Float64Array(islands);
  // Without a network every intent is in the one island, located or not.
  const net = compiled.book.network;
  const islandOf = net === undefined ? new Int32Array(n) : island;
  const live = (i: number) => (flags[i] & PRESENT) !== 0 && (flags[i] & EXPIRED) === 0 && islandOf[i] >= 0;
  for (let i = 0; i < n; i++) {
    if (!live(i)) continue;
    if ((flags[i] & BUY) !== 0) demand[islandOf[i]] += quantityWh[i];
    else supply[islandOf[i]] += quantityWh[i];
  }
  const priority = (i: number) => (intents[i] as BookIntent).priority;
  const eligible = (i: number): boolean => {
    if (!live(i) || !(supply[islandOf[i]] < demand[islandOf[i]])) return false;
    if ((flags[i] & BUY) === 0) return limitPrice[i] <= R && minFillWh[i] === 0;
    const p = priority(i);
    return (
      limitPrice[i] >= R && (p === "critical" || (p === "baseline" && life.baselineWhPerParticipant > 0))
    );
  };

  const bought = new Float64Array(islands);
  const sold = new Float64Array(islands);
  const baselineUsed = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const e = lifelineWh[i];
    if (e === 0) continue;
    if (!eligible(i)) {
      return invalidSolution(
        "SOLUTION_LIFELINE",
        `intent ${i} has a lifeline part, but the lifeline does not apply to it (island not short, priority, limit or least fill)`,
        { intent: i },
      );
    }
    if ((flags[i] & BUY) !== 0) {
      bought[islandOf[i]] += e;
      if (priority(i) === "baseline") {
        const who = (intents[i] as BookIntent).participant;
        const used = (baselineUsed.get(who) ?? 0) + e;
        if (used > life.baselineWhPerParticipant) {
          return invalidSolution(
            "SOLUTION_LIFELINE",
            `participant ${who} gets ${used} Wh of baseline lifeline, more than the baseline ${life.baselineWhPerParticipant} Wh`,
            { intent: i },
          );
        }
        baselineUsed.set(who, used);
      }
    } else sold[islandOf[i]] += e;
  }
  for (let k = 0; k < islands; k++) {
    if (bought[k] !== sold[k]) {
      return invalidSolution(
        "SOLUTION_LIFELINE",
        `island ${k}: ${bought[k]} Wh of lifeline bought, ${sold[k]} Wh sold`,
        { island: k },
      );
    }
  }

  // Priority: eligible energy left outside the lifeline while a compatible priority buyer is short.
  const short: number[] = [];
  for (let i = 0; i < n; i++) {
    if ((flags[i] & BUY) === 0 || !eligible(i) || filled[i] >= quantityWh[i]) continue;
    if (priority(i) === "baseline") {
      const who = (intents[i] as BookIntent).participant;
      if ((baselineUsed.get(who) ?? 0) >= life.baselineWhPerParticipant) continue;
    }
    short.push(i);
  }
  if (short.length === 0 || congested) return null;
  for (let s = 0; s < n; s++) {
    if ((flags[s] & BUY) !== 0 || !eligible(s) || lifelineWh[s] >= quantityWh[s]) continue;
    for (const b of short) {
      if (islandOf[b] !== islandOf[s] || checker.check(b, s) !== null) continue;
      return invalidSolution(
        "SOLUTION_LIFELINE",
        `seller ${s} keeps ${quantityWh[s] - lifelineWh[s]} Wh outside the lifeline (${filled[s] - lifelineWh[s]} Wh on the market) while ${priority(b)} buyer ${b} is short of it`,
        { seller: s, buyer: b },
      );
    }
  }
  return null;
}
