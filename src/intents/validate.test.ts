import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Predicate, SourceKind } from "../market/types.js";
import { type Book, type BookIntent, compileBook } from "./book.js";
import { buildMarketNetwork } from "./network.js";
import { type SolutionInput, solutionSchema } from "./schema.js";
import { book, chainNetwork, denseMarket, greedyUniform, intent } from "./test-support/books.js";
import { type ValidityResult, validateSolution } from "./validate.js";

const check = (b: Book, s: SolutionInput): ValidityResult =>
  validateSolution(compileBook(b), solutionSchema.parse(s));
const codeOf = (r: ValidityResult) => (r.ok ? "ok" : r.code);

/** Σ buys limit × fill − Σ sells limit × fill, by bigint, then /1000 half to even (independent of money.ts). */
function welfareByHand(b: Book, s: SolutionInput): number {
  const filled = new Map<number, bigint>();
  for (const [x, y, e] of s.fills) {
    filled.set(x, (filled.get(x) ?? 0n) + BigInt(e));
    filled.set(y, (filled.get(y) ?? 0n) + BigInt(e));
  }
  let total = 0n;
  for (const [seq, e] of filled) {
    const it = b.intents[seq] as BookIntent;
    total += (it.side === "buy" ? 1n : -1n) * BigInt(it.limitPrice) * e;
  }
  let q = total / 1000n;
  let r = total % 1000n;
  if (r < 0n) {
    q -= 1n;
    r += 1000n;
  }
  if (r > 500n || (r === 500n && q % 2n !== 0n)) q += 1n;
  return Number(q);
}

/** A two-bus market: cheap seller A at bus 1, buyer B and dearer seller C at bus 2, one branch 1 → 2. */
function twoBus(rateMw: number) {
  const network = buildMarketNetwork({
    busIds: [1, 2],
    branches: [{ fromBus: 1, toBus: 2, inService: true, xPu: 0.05, tap: 0, rateMw }],
  });
  const b = book(
    [
      intent(0, "sell", 1_000_000, 10, { bus: 1 }),
      intent(1, "buy", 1_000_000, 50, { bus: 2 }),
      intent(2, "sell", 1_000_000, 40, { bus: 2 }),
    ],
    network,
  );
  return b;
}

describe("validity predicates: a crafted cheating solution is rejected with its own code", () => {
  const plain = book([
    intent(0, "buy", 1000, 50_000),
    intent(1, "sell", 1000, 30_000),
    intent(2, "buy", 500, 20_000),
    intent(3, "sell", 800, 45_000),
  ]);
  const good: SolutionInput = {
    interval: 7,
    fills: [[0, 1, 1000]],
    prices: [
      [0, 40_000],
      [1, 40_000],
    ],
    referencePrice: 40_000,
    busPrices: [],
  };

  it("accepts the honest solution, with its welfare", () => {
    const r = check(plain, good);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.welfareMicros).toBe(welfareByHand(plain, good));
      expect(r.welfareMicros).toBe(20_000); // (50,000 − 30,000) × 1 kWh
      expect(r.congestionRentMicros).toBe(0);
    }
  });

  it("a fill that breaks a predicate", () => {
    const b = book([
      intent(0, "buy", 1000, 50_000, { predicates: [{ kinds: ["wind"] }] }),
      intent(1, "sell", 1000, 30_000, { kind: "pv" }),
    ]);
    expect(codeOf(check(b, good))).toBe("SOLUTION_PREDICATE");
    const excluded = book([
      intent(0, "buy", 1000, 50_000, { participant: "alice" }),
      intent(1, "sell", 1000, 30_000, { predicates: [{ exclude: ["alice"] }] }),
    ]);
    expect(codeOf(check(excluded, good))).toBe("SOLUTION_PREDICATE");
    const carbon = book([
      intent(0, "buy", 1000, 50_000, { predicates: [{ maxCarbon: 100 }] }),
      intent(1, "sell", 1000, 30_000, { carbon: 450 }),
    ]);
    expect(codeOf(check(carbon, good))).toBe("SOLUTION_PREDICATE");
  });

  it("a fill that overloads a line", () => {
    // 1 MWh over 15 minutes is 4 MW on the only branch, rated 2 MW.
    const b = twoBus(2);
    const s: SolutionInput = {
      interval: 7,
      fills: [[1, 0, 1_000_000]],
      prices: [
        [0, 40],
        [1, 40],
      ],
      referencePrice: 40,
      busPrices: [],
    };
    const r = check(b, s);
    expect(codeOf(r)).toBe("SOLUTION_LINE_LIMIT");
    if (!r.ok) expect(r.details.flowMw).toBeCloseTo(4, 9);
    // Half of it is exactly at the limit, which is allowed.
    expect(codeOf(check(b, { ...s, fills: [[1, 0, 500_000]] }))).not.toBe("SOLUTION_LINE_LIMIT");
  });

  it("paying a seller below its limit, charging a buyer above its limit", () => {
    expect(
      codeOf(
        check(plain, {
          ...good,
          prices: [
            [0, 29_000],
            [1, 29_000],
          ],
        }),
      ),
    ).toBe("SOLUTION_SELLER_LIMIT");
    expect(
      codeOf(
        check(plain, {
          ...good,
          prices: [
            [0, 51_000],
            [1, 51_000],
          ],
        }),
      ),
    ).toBe("SOLUTION_BUYER_LIMIT");
  });

  it("a false optimality certificate", () => {
    expect(
      check(plain, { ...good, certificate: { energyPrices: [[1, 40_000]], branchShadowPrices: [] } }).ok,
    ).toBe(true);
    // At 55,000 the filled buyer (limit 50,000) would be out of the money: not a dual of this solution.
    expect(
      codeOf(check(plain, { ...good, certificate: { energyPrices: [[1, 55_000]], branchShadowPrices: [] } })),
    ).toBe("SOLUTION_BAD_CERTIFICATE");
    // At 19,000 the filled seller (limit 30,000) would be out of the money.
    expect(
      codeOf(check(plain, { ...good, certificate: { energyPrices: [[1, 19_000]], branchShadowPrices: [] } })),
    ).toBe("SOLUTION_BAD_CERTIFICATE");
  });

  it("quantities, least fills, budget, competitiveness, expiry, unknown intents", () => {
    expect(codeOf(check(plain, { ...good, fills: [[0, 1, 1001]] }))).toBe("SOLUTION_QUANTITY");
    expect(
      codeOf(
        check(plain, {
          ...good,
          fills: [
            [0, 1, 600],
            [0, 3, 600],
          ],
          prices: [
            [0, 45_000],
            [1, 45_000],
            [3, 45_000],
          ],
        }),
      ),
    ).toBe("SOLUTION_QUANTITY");
    const aon = book([intent(0, "buy", 1000, 50_000, { minFillWh: 1000 }), intent(1, "sell", 600, 30_000)]);
    expect(codeOf(check(aon, { ...good, fills: [[0, 1, 600]] }))).toBe("SOLUTION_MIN_FILL");
    // Buyer pays 35,000, seller receives 45,000: both within limits, but the market runs a deficit.
    expect(
      codeOf(
        check(plain, {
          ...good,
          prices: [
            [0, 35_000],
            [1, 45_000],
          ],
        }),
      ),
    ).toBe("SOLUTION_BUDGET");
    // A reference price of 10,000 leaves the rejected buyer (limit 20,000) strictly in the money.
    expect(codeOf(check(plain, { ...good, referencePrice: 10_000 }))).toBe("SOLUTION_NOT_COMPETITIVE");
    // At 48,000 the accepted seller is fine but the rejected seller (limit 45,000) is in the money.
    expect(codeOf(check(plain, { ...good, referencePrice: 48_000 }))).toBe("SOLUTION_NOT_COMPETITIVE");
    const expired = book([
      intent(0, "buy", 1000, 50_000),
      intent(1, "sell", 1000, 30_000, { expired: true }),
    ]);
    expect(codeOf(check(expired, good))).toBe("SOLUTION_EXPIRED");
    const cancelled = book([intent(0, "buy", 1000, 50_000), null]);
    expect(codeOf(check(cancelled, good))).toBe("SOLUTION_UNKNOWN_INTENT");
    expect(codeOf(check(plain, { ...good, fills: [[0, 9, 10]] }))).toBe("SOLUTION_UNKNOWN_INTENT");
  });

  it("malformed solutions", () => {
    expect(codeOf(check(plain, { ...good, interval: 8 }))).toBe("SOLUTION_MALFORMED");
    expect(codeOf(check(plain, { ...good, fills: [[1, 0, 10]] }))).toBe("SOLUTION_MALFORMED");
    expect(
      codeOf(
        check(plain, {
          ...good,
          fills: [
            [0, 3, 10],
            [0, 1, 10],
          ],
        }),
      ),
    ).toBe("SOLUTION_MALFORMED");
    expect(codeOf(check(plain, { ...good, prices: [[0, 40_000]] }))).toBe("SOLUTION_MALFORMED");
    expect(
      codeOf(
        check(plain, {
          ...good,
          prices: [
            [0, 40_000],
            [1, 40_000],
            [2, 40_000],
          ],
        }),
      ),
    ).toBe("SOLUTION_MALFORMED");
    expect(codeOf(check(plain, { ...good, busPrices: [[1, 5]] }))).toBe("SOLUTION_MALFORMED");
  });

  it("a fill across islands", () => {
    const net = buildMarketNetwork({
      busIds: [1, 2, 3],
      branches: [
        { fromBus: 1, toBus: 2, inService: true, xPu: 0.1, tap: 0, rateMw: 0 },
        { fromBus: 2, toBus: 3, inService: false, xPu: 0.1, tap: 0, rateMw: 0 },
      ],
    });
    const b = book(
      [intent(0, "buy", 1000, 50_000, { bus: 3 }), intent(1, "sell", 1000, 30_000, { bus: 1 })],
      net,
    );
    expect(codeOf(check(b, good))).toBe("SOLUTION_NO_PATH");
  });
});

describe("optimality certificates on a congested network", () => {
  // Optimum: A sends 500 kWh (2 MW, the branch's rating) to B, C supplies B's other 500 kWh. A and C are
  // partly filled, so the bus prices are their limits: π1 = 10, π2 = 40. Injecting at bus 2 (taken at the
  // slack, bus 1) moves one unit against the branch (PTDF −1), so π2 = π1 + μ: μ = 30 on the branch.
  const b = twoBus(2);
  const optimum: SolutionInput = {
    interval: 7,
    fills: [
      [1, 0, 500_000],
      [1, 2, 500_000],
    ],
    prices: [
      [0, 10],
      [1, 40],
      [2, 40],
    ],
    referencePrice: 40,
    busPrices: [
      [1, 10],
      [2, 40],
    ],
  };

  it("proves the optimum with λ and μ, given at either bus", () => {
    for (const energyPrices of [[[1, 10]], [[2, 40]]] as [number, number][][]) {
      const r = check(b, { ...optimum, certificate: { energyPrices, branchShadowPrices: [[0, 30]] } });
      expect(r.ok && r.provenOptimal).toBe(true);
      if (r.ok) expect(r.congestionRentMicros).toBe(15_000); // 500 kWh × (40 − 10)
    }
    expect(check(b, optimum).ok && !(check(b, optimum) as { provenOptimal: boolean }).provenOptimal).toBe(
      true,
    );
  });

  it("refuses a wrong shadow price, a shadow price on a slack branch, and a suboptimal solution", () => {
    const wrongMu = check(b, {
      ...optimum,
      certificate: { energyPrices: [[1, 10]], branchShadowPrices: [[0, 20]] },
    });
    expect(codeOf(wrongMu)).toBe("SOLUTION_BAD_CERTIFICATE");
    const slack = twoBus(10);
    expect(
      codeOf(
        check(slack, { ...optimum, certificate: { energyPrices: [[1, 10]], branchShadowPrices: [[0, 30]] } }),
      ),
    ).toBe("SOLUTION_BAD_CERTIFICATE");
    // Only C serves B: valid, but A is rejected while cheaper than bus 1's certified price: not optimal.
    const worse: SolutionInput = {
      ...optimum,
      fills: [[1, 2, 1_000_000]],
      prices: [
        [1, 40],
        [2, 40],
      ],
      busPrices: [
        [1, 10],
        [2, 40],
      ],
    };
    expect(check(b, worse).ok).toBe(true);
    expect(
      codeOf(check(b, { ...worse, certificate: { energyPrices: [[2, 40]], branchShadowPrices: [] } })),
    ).toBe("SOLUTION_BAD_CERTIFICATE");
  });

  it("refuses a certificate for a book with value predicates", () => {
    const withPredicates = book([
      intent(0, "buy", 1000, 50_000, { predicates: [{ kinds: ["pv"] }] }),
      intent(1, "sell", 1000, 30_000),
    ]);
    const s: SolutionInput = {
      interval: 7,
      fills: [[0, 1, 1000]],
      prices: [
        [0, 40_000],
        [1, 40_000],
      ],
      referencePrice: 40_000,
      busPrices: [],
    };
    expect(check(withPredicates, s).ok).toBe(true);
    expect(
      codeOf(
        check(withPredicates, { ...s, certificate: { energyPrices: [[1, 40_000]], branchShadowPrices: [] } }),
      ),
    ).toBe("SOLUTION_BAD_CERTIFICATE");
  });
});

// ---- properties -------------------------------------------------------------------------------------

const plainBook = fc
  .array(
    fc.record({
      buy: fc.boolean(),
      q: fc.integer({ min: 1, max: 5_000 }),
      limit: fc.integer({ min: 0, max: 200_000 }),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .map((xs) => book(xs.map((x, i) => intent(i, x.buy ? "buy" : "sell", x.q, x.limit))));

/** λ of the greedy clearing: the partly filled intent's limit when there is one, else the uniform price. */
function greedyLambda(b: Book, s: SolutionInput, r: { filledWh: Float64Array }): number {
  for (const it of b.intents) {
    if (it === null) continue;
    const x = r.filledWh[it.seq];
    if (x > 0 && x < it.quantityWh) return it.limitPrice;
  }
  return s.prices.length > 0 ? s.prices[0][1] : s.referencePrice;
}

describe("validity predicates: properties", () => {
  it("a competitive uniform clearing is valid, balanced, and proven optimal by its price", () => {
    fc.assert(
      fc.property(plainBook, (b) => {
        const s = greedyUniform(b);
        const r = check(b, s);
        expect(codeOf(r)).toBe("ok");
        if (!r.ok) return;
        expect(r.buyerPaymentsMicros).toBeGreaterThanOrEqual(r.sellerReceiptsMicros);
        expect(r.congestionRentMicros).toBe(r.buyerPaymentsMicros - r.sellerReceiptsMicros);
        expect(r.welfareMicros).toBe(welfareByHand(b, s));
        const lambda = greedyLambda(b, s, r);
        const proven = check(b, {
          ...s,
          certificate: { energyPrices: [[1, lambda]], branchShadowPrices: [] },
        });
        expect(codeOf(proven)).toBe("ok");
      }),
      { numRuns: 200 },
    );
  });

  it("is deterministic: the same book and solution give the same verdict, built twice", () => {
    fc.assert(
      fc.property(plainBook, fc.integer({ min: 0, max: 1000 }), (b, bump) => {
        const s = greedyUniform(b);
        const tampered = { ...s, referencePrice: s.referencePrice + bump };
        const one = check(b, tampered);
        const two = check(structuredClone(b), structuredClone(tampered));
        expect(two).toEqual(one);
      }),
      { numRuns: 100 },
    );
  });

  it("never accepts a fill that breaks a predicate, a quantity, a least fill or a limit", () => {
    const kinds: SourceKind[] = ["pv", "wind", "battery", "diesel"];
    const predicate: fc.Arbitrary<Predicate> = fc.oneof(
      fc.record({ kinds: fc.subarray(kinds, { minLength: 1 }) }),
      fc.constant({ sameMicrogrid: true as const }),
      fc.constant({ sameIsland: true as const }),
      fc.record({ maxBusDistance: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ exclude: fc.uniqueArray(fc.constantFrom("p0", "p1", "p2", "3", "4"), { minLength: 1 }) }),
      fc.record({ maxCarbon: fc.integer({ min: 0, max: 500 }) }),
    );
    const net = chainNetwork(6, 0);
    const arb = fc.record({
      intents: fc.array(
        fc.record({
          buy: fc.boolean(),
          q: fc.integer({ min: 1, max: 100 }),
          minFill: fc.integer({ min: 0, max: 100 }),
          limit: fc.integer({ min: 0, max: 100 }),
          bus: fc.integer({ min: 1, max: 6 }),
          microgrid: fc.constantFrom("m1", "m2", null),
          kind: fc.constantFrom(...kinds),
          carbon: fc.option(fc.integer({ min: 0, max: 600 })),
          predicates: fc.array(predicate, { maxLength: 2 }),
          participant: fc.constantFrom("p0", "p1", "p2", "p3"),
        }),
        { minLength: 2, maxLength: 8 },
      ),
      fills: fc.array(fc.tuple(fc.nat(7), fc.nat(7), fc.integer({ min: 1, max: 60 })), { maxLength: 6 }),
      price: fc.integer({ min: 0, max: 100 }),
    });
    let accepted = 0;
    fc.assert(
      fc.property(arb, ({ intents, fills, price }) => {
        const b = book(
          intents.map((x, i) =>
            intent(i, x.buy ? "buy" : "sell", x.q, x.limit, {
              minFillWh: Math.min(x.minFill, x.q),
              bus: x.bus,
              microgrid: x.microgrid,
              kind: x.buy ? null : x.kind,
              carbon: x.buy ? null : x.carbon,
              participant: x.participant,
              predicates: x.buy
                ? x.predicates
                : x.predicates.filter((p) => !("kinds" in p || "maxCarbon" in p)),
            }),
          ),
          net,
        );
        const seen = new Set<string>();
        const sorted = fills
          .filter(([x, y]) => x < intents.length && y < intents.length)
          .filter(([x, y]) => !seen.has(`${x},${y}`) && seen.add(`${x},${y}`))
          .sort((p, q) => p[0] - q[0] || p[1] - q[1]);
        const filledSet = new Set<number>();
        for (const [x, y] of sorted) filledSet.add(x).add(y);
        const s: SolutionInput = {
          interval: 7,
          fills: sorted,
          prices: [...filledSet].sort((x, y) => x - y).map((i) => [i, price]),
          referencePrice: price,
          busPrices: [],
        };
        const r = check(b, s);
        if (!r.ok) return;
        accepted++;
        // Independent re-check of everything an accepted solution promises.
        const total = new Map<number, number>();
        for (const [x, y, e] of sorted) {
          const bi = b.intents[x] as BookIntent;
          const si = b.intents[y] as BookIntent;
          expect(bi.side).toBe("buy");
          expect(si.side).toBe("sell");
          expect(holdsAll(bi, si)).toBe(true);
          expect(holdsAll(si, bi)).toBe(true);
          total.set(x, (total.get(x) ?? 0) + e);
          total.set(y, (total.get(y) ?? 0) + e);
        }
        for (const [i, e] of total) {
          const it = b.intents[i] as BookIntent;
          expect(e).toBeLessThanOrEqual(it.quantityWh);
          expect(e).toBeGreaterThanOrEqual(it.minFillWh);
          if (it.side === "buy") expect(price).toBeLessThanOrEqual(it.limitPrice);
          else expect(price).toBeGreaterThanOrEqual(it.limitPrice);
        }
      }),
      { numRuns: 2000 },
    );
    expect(accepted).toBeGreaterThan(50);
  });
});

/** The predicate language evaluated naively on the 6-bus chain (distance = |a − b|, one island). */
function holdsAll(self: BookIntent, other: BookIntent): boolean {
  return self.predicates.every((p) => {
    if ("kinds" in p) return other.kind !== null && p.kinds.includes(other.kind);
    if ("maxCarbon" in p) return other.carbon !== null && other.carbon <= p.maxCarbon;
    if ("sameMicrogrid" in p) return self.microgrid !== null && self.microgrid === other.microgrid;
    if ("sameIsland" in p) return true;
    if ("maxBusDistance" in p) return Math.abs((self.bus ?? 0) - (other.bus ?? 0)) <= p.maxBusDistance;
    return !p.exclude.includes(other.id) && !p.exclude.includes(other.participant);
  });
}

describe("validity predicates: many fills", () => {
  it("checks a dense solution with predicates on a network in one pass", () => {
    const { book: b, solution } = denseMarket(500, 20, {
      network: chainNetwork(50, 0, true),
      predicates: true,
    });
    expect(solution.fills.length).toBe(10_000);
    const r = check(b, solution);
    expect(codeOf(r)).toBe("ok");
    if (r.ok) expect(r.welfareMicros).toBe(welfareByHand(b, solution));
  });
});
