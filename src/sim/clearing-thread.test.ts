import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { highsSolver } from "../grid/lp/highs.js";
import type { BookIntent } from "../intents/book.js";
import { buildMarketNetwork, type MarketNetworkInput } from "../intents/network.js";
import { referenceSolution } from "../intents/solver.js";
import { book, intent } from "../intents/test-support/books.js";
import { type Predicate, SOURCE_KINDS } from "../market/types.js";
import { ClearingThread, packBook, unpackBook } from "./clearing-thread.js";

const intentArb: fc.Arbitrary<BookIntent | null> = fc.option(
  fc
    .record({
      seq: fc.nat(5000),
      otherId: fc.boolean(),
      participant: fc.constantFrom("a", "b", "pg1f13", "household-7"),
      buy: fc.boolean(),
      quantityWh: fc.integer({ min: 1, max: 10_000_000 }),
      minFillWh: fc.nat(1000),
      limitPrice: fc.nat(5_000_000),
      bus: fc.option(fc.integer({ min: 1, max: 200 }), { nil: null }),
      microgrid: fc.option(fc.constantFrom("north", "south"), { nil: null }),
      kind: fc.option(fc.constantFrom(...SOURCE_KINDS), { nil: null }),
      carbon: fc.option(fc.nat(900), { nil: null }),
      priority: fc.constantFrom("critical" as const, "baseline" as const, "normal" as const),
      predicates: fc.constantFrom<Predicate[]>(
        [],
        [{ kinds: ["pv"] }],
        [{ exclude: ["a"] }, { sameIsland: true }],
      ),
      expired: fc.constantFrom(undefined, true, false),
    })
    .map(
      (x): BookIntent => ({
        seq: x.seq,
        id: x.otherId ? `order-${x.seq}` : String(x.seq),
        participant: x.participant,
        side: x.buy ? "buy" : "sell",
        quantityWh: x.quantityWh,
        minFillWh: x.minFillWh,
        limitPrice: x.limitPrice,
        bus: x.bus,
        microgrid: x.microgrid,
        kind: x.kind,
        carbon: x.carbon,
        priority: x.priority,
        predicates: x.predicates,
        expired: x.expired,
      }),
    ),
  { nil: null },
);

describe("books in columns for the clearing thread", () => {
  it("unpack(pack(book)) is the book, field by field", () => {
    fc.assert(
      fc.property(
        fc.array(intentArb, { maxLength: 40 }),
        fc.option(fc.record({ priceMicrosPerKWh: fc.nat(), baselineWhPerParticipant: fc.nat() }), {
          nil: undefined,
        }),
        (intents, lifeline) => {
          const b = {
            interval: 42,
            intervalMinutes: 15,
            intents,
            ...(lifeline ? { lifeline: { ...lifeline } } : {}),
          };
          // Through a structured clone, as the thread receives it.
          const back = unpackBook(structuredClone(packBook(b)));
          expect(back).toStrictEqual(b);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("the clearing thread", () => {
  const input: MarketNetworkInput = {
    busIds: [1, 2, 3],
    branches: [
      { fromBus: 1, toBus: 2, inService: true, xPu: 0.05, tap: 0, rateMw: 1 },
      { fromBus: 2, toBus: 3, inService: true, xPu: 0.05, tap: 0, rateMw: 0 },
    ],
  };
  const network = { key: "three-buses", input: () => input };
  // 1 MW over 15 minutes: the branch 1–2 carries at most 250 kWh, so bus 1's cheap seller is congested out.
  const intents = [
    intent(0, "buy", 400_000, 300_000, { bus: 3 }),
    intent(1, "sell", 600_000, 50_000, { bus: 1 }),
    null,
    intent(3, "sell", 300_000, 200_000, { bus: 2, participant: "p1" }),
    intent(4, "buy", 100_000, 120_000, { bus: 2 }),
  ];
  let thread: ClearingThread;
  beforeAll(() => {
    thread = new ClearingThread();
  });
  afterAll(async () => {
    await thread.close();
  });

  it("answers with the solution the reference solver gives on this thread", async () => {
    const { network: _, ...plain } = book(intents);
    const here = await referenceSolution(
      { ...plain, network: buildMarketNetwork(input) },
      { rule: "uniform", kPricingPpm: 500_000, solver: await highsSolver() },
    );
    const there = await thread.solve(plain, network, { rule: "uniform", kPricingPpm: 500_000 });
    expect(there).toStrictEqual(here);
    expect(thread.busyMs).toBeGreaterThan(0);
    // The congestion shows: two bus prices, and the cheap seller sells only what the branch carries.
    expect(new Set(here.busPrices?.map(([, p]) => p)).size).toBeGreaterThan(1);
    const sold1 = here.fills.filter(([, s]) => s === 1).reduce((x, [, , e]) => x + e, 0);
    expect(sold1).toBeLessThanOrEqual(250_000);
  });

  it("answers in order, each book its own solution", async () => {
    const { network: _, ...plain } = book(intents);
    const smaller = { ...plain, intents: intents.map((x) => (x?.seq === 1 ? null : x)) };
    const [a, b] = await Promise.all([
      thread.solve(plain, network, { rule: "uniform" }),
      thread.solve(smaller, network, { rule: "uniform" }),
    ]);
    expect(a.fills.some(([, s]) => s === 1)).toBe(true);
    expect(b.fills.some(([, s]) => s === 1)).toBe(false);
  });

  it("passes the solver's coded errors on, and refuses books once closed", async () => {
    const { network: _, ...plain } = book([
      intent(0, "buy", 1000, 10, { bus: 9 }),
      intent(1, "sell", 1000, 5, { bus: 1 }),
    ]);
    const failed = await thread.solve(plain, network, {}).catch((e: unknown) => e);
    expect(failed).toMatchObject({ name: "PlurigridError" });
    expect((failed as { code: string }).code).toMatch(/^MARKET_/);
    const other = new ClearingThread();
    const pending = other.solve(book(intents), network, {}).catch((e: unknown) => e);
    await other.close();
    expect(await pending).toMatchObject({ code: "SIM_CLEARING_THREAD" });
    await expect(other.solve(book(intents), network, {})).rejects.toMatchObject({
      code: "SIM_CLEARING_THREAD",
    });
  });
});
