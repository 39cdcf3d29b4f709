import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Predicate } from "../market/types.js";
import { type Book, compileBook } from "./book.js";
import { referenceSolution } from "./solver.js";
import { book, chainNetwork, intent } from "./test-support/books.js";
import { validateSolution } from "./validate.js";

/**
 * The reference solver (market/ clearing) and the validity predicates are written independently; every
 * answer of the one must pass the other, on markets with and without a congested network and predicates.
 */

const ring = chainNetwork(6, 3, true);

const marketArb = (withNetwork: boolean, withPredicates: boolean) =>
  fc
    .array(
      fc.record({
        buy: fc.boolean(),
        q: fc.integer({ min: 1_000, max: 2_000_000 }),
        limit: fc.integer({ min: 1, max: 200_000 }),
        bus: fc.integer({ min: 1, max: 6 }),
        participant: fc.constantFrom("a", "b", "c", "d"),
        predicate: fc.option(
          fc.constantFrom<Predicate>(
            { kinds: ["pv"] },
            { exclude: ["a"] },
            { maxBusDistance: 2 },
            { sameIsland: true },
          ),
          { nil: undefined },
        ),
      }),
      { minLength: 2, maxLength: 14 },
    )
    .map((xs) =>
      book(
        xs.map((x, i) =>
          intent(i, x.buy ? "buy" : "sell", x.q, x.limit, {
            bus: x.bus,
            participant: x.participant,
            kind: x.buy ? null : i % 3 === 0 ? "wind" : "pv",
            predicates:
              withPredicates && x.predicate !== undefined && (x.buy || !("kinds" in x.predicate))
                ? [x.predicate]
                : [],
          }),
        ),
        withNetwork ? ring : undefined,
      ),
    );

async function roundTrip(b: Book) {
  const s = await referenceSolution(b);
  return { s, r: validateSolution(compileBook(b), s) };
}

describe("reference solver against the validity predicates", () => {
  for (const [name, net, preds] of [
    ["plain, no network", false, false],
    ["plain, congested ring", true, false],
    ["predicates, no network", false, true],
    ["predicates, congested ring", true, true],
  ] as const) {
    it(`its solutions are valid: ${name}`, async () => {
      let proven = 0;
      let provenCongested = 0;
      let traded = 0;
      await fc.assert(
        fc.asyncProperty(marketArb(net, preds), async (b) => {
          const { s, r } = await roundTrip(b);
          expect(r.ok ? "ok" : `${r.code}: ${r.message}`).toBe("ok");
          if (r.ok && r.provenOptimal) proven++;
          if (r.ok && r.provenOptimal && (s.certificate?.branchShadowPrices.length ?? 0) > 0)
            provenCongested++;
          if (s.fills.length > 0) traded++;
        }),
        { numRuns: 40 },
      );
      expect(traded).toBeGreaterThan(10);
      if (!preds) expect(proven).toBeGreaterThan(10);
      // The clearing's branch shadow prices prove congested optima too.
      if (net && !preds) expect(provenCongested).toBeGreaterThan(3);
    });
  }
});

describe("reference solver with the lifeline", () => {
  const life = { priceMicrosPerKWh: 100_000, baselineWhPerParticipant: 2_000 };
  const lifelineArb = (withNetwork: boolean, rateMw = 0) =>
    fc
      .array(
        fc.record({
          side: fc.integer({ min: 0, max: 2 }),
          q: fc.integer({ min: 100, max: 5_000 }),
          limit: fc.integer({ min: 50_000, max: 200_000 }),
          bus: fc.integer({ min: 1, max: 6 }),
          participant: fc.constantFrom("a", "b", "c"),
          priority: fc.constantFrom("critical" as const, "baseline" as const, "normal" as const),
          exclude: fc.boolean(),
        }),
        { minLength: 2, maxLength: 12 },
      )
      .map((xs) => ({
        ...book(
          xs.map((x, i) =>
            intent(i, x.side > 0 ? "buy" : "sell", x.q, x.side > 0 ? x.limit : x.limit - 40_000, {
              bus: x.bus,
              participant: x.participant,
              priority: x.side > 0 ? x.priority : "normal",
              predicates: x.exclude ? [{ exclude: ["a"] }] : [],
            }),
          ),
          withNetwork ? chainNetwork(6, rateMw, true) : undefined,
        ),
        lifeline: life,
      }));

  for (const [name, net, rate] of [
    ["no network", false, 0],
    ["uncongested ring", true, 0],
  ] as const) {
    it(`its solutions pass the lifeline predicate: ${name}`, async () => {
      let served = 0;
      await fc.assert(
        fc.asyncProperty(lifelineArb(net, rate), async (b) => {
          const { s, r } = await roundTrip(b);
          expect(r.ok ? "ok" : `${r.code}: ${r.message}`).toBe("ok");
          if (s.lifeline.length > 0) served++;
        }),
        { numRuns: 40 },
      );
      expect(served).toBeGreaterThan(5);
    });
  }

  it("a clearing that ignores the lifeline is refused in short islands", async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(lifelineArb(false), async (b) => {
        const s = await referenceSolution({ ...b, lifeline: undefined });
        const r = validateSolution(compileBook(b), s);
        if (!r.ok) {
          expect(r.code).toBe("SOLUTION_LIFELINE");
          refused++;
        }
      }),
      { numRuns: 40 },
    );
    expect(refused).toBeGreaterThan(3);
  });
});
