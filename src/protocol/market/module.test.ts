import { describe, expect, it } from "vitest";
import type { KeyPair } from "../../core/keys.js";
import { intervalOf } from "../../core/time.js";
import { accountKey } from "../accounts/state.js";
import type { Account } from "../accounts/types.js";
import { genesis } from "../genesis/genesis.js";
import { MemoryState } from "../memory-state.js";
import {
  GENESIS_TIME_MS,
  genesisPv,
  idOf,
  scenario,
  stateValue,
  testGenesis,
  testKeys,
} from "../test-support/fixtures.js";
import { readBook, solutionParts } from "./client.js";
import { settledDersOf } from "./settle-tx.js";
import {
  ESCROW_ACCOUNT,
  intentKey,
  intervalKey,
  settlementKey,
  TREASURY_ACCOUNT,
  winnerKey,
} from "./state.js";
import type { IntentRecord, IntervalRecord, SettlementRecord } from "./types.js";

const [operator, alice, bob, carol, dave, meter1, meter2] = testKeys(7);
const MIN = 60_000;
const CURRENT = intervalOf(GENESIS_TIME_MS, 15);
/** The interval traded in these tests: it starts an hour after genesis. */
const T = CURRENT + 4;
const START = T * 15 * MIN;
const GATE = START - 15 * MIN;
const DEADLINE = GATE + 5 * MIN;
const SETTLE_FROM = START + 15 * MIN + 15 * MIN;

/**
 * Six buses in a chain; branch 2 (3 → 4) is rated 0.004 MW, i.e. 1,000 Wh over a 15-minute interval.
 * Alice's PV (10 kW) is at bus 3, Bob buys at bus 5, Dave's PV at bus 4.
 */
function setup(rateMw = 0) {
  const s = scenario(
    testGenesis([operator, alice, bob, carol, dave], 1_000_000, {
      network: {
        name: "chain",
        buses: [1, 2, 3, 4, 5, 6],
        branches: [
          { from: 1, to: 2 },
          { from: 2, to: 3 },
          { from: 3, to: 4, rateMw },
          { from: 4, to: 5 },
          { from: 5, to: 6 },
        ],
      },
      participants: [
        { id: idOf(operator), name: "operator", roles: ["operator"] },
        { id: idOf(alice), name: "Alice", roles: ["prosumer"] },
        { id: idOf(bob), name: "Bob", roles: ["consumer"] },
        { id: idOf(carol), name: "Carol", roles: ["solver"] },
        { id: idOf(dave), name: "Dave", roles: ["producer", "solver"] },
      ],
      // Dave's PV has a registered carbon intensity; Alice's has none.
      ders: [
        genesisPv("pv-1", alice, meter1, 3),
        { ...genesisPv("pv-2", dave, meter2, 4), carbonGPerKWh: 40 },
      ],
    }),
  );
  const at = (timeMs: number) => timeMs - s.chain.timeMs;
  const micros = (id: string) => stateValue<Account>(s.chain, accountKey(id))?.micros ?? 0;
  return { ...s, at, micros };
}

const sell = (quantityWh: number, limitPrice: number, der = "pv-1") => ({
  interval: T,
  side: "sell" as const,
  quantityWh,
  limitPrice,
  der,
});
const buy = (quantityWh: number, limitPrice: number, bus = 5) => ({
  interval: T,
  side: "buy" as const,
  quantityWh,
  limitPrice,
  bus,
});

function solution(fills: [number, number, number][], price: number) {
  const filled = [...new Set(fills.flatMap((f) => [f[0], f[1]]))].sort((a, b) => a - b);
  return {
    interval: T,
    fills,
    prices: filled.map((i) => [i, price] as [number, number]),
    referencePrice: price,
  };
}

describe("market: intents", () => {
  it("numbers intents, escrows a buy's most it can pay, refunds it on cancel", () => {
    const { call, chain, micros } = setup();
    expect(call(alice, "SubmitIntent", sell(2_000, 50_000))).toEqual(["ok"]);
    expect(call(bob, "SubmitIntent", buy(1_500, 120_001))).toEqual(["ok"]);
    // ⌈1,500 Wh × 120,001 / 1000⌉ = ⌈180,001.5⌉, plus one for a payment rounded up in two parts
    expect(micros(idOf(bob))).toBe(1_000_000 - 180_003);
    expect(micros(ESCROW_ACCOUNT)).toBe(180_003);
    expect(stateValue<IntervalRecord>(chain, intervalKey(T))?.intents).toBe(2);
    expect(stateValue<IntentRecord>(chain, intentKey(T, 0))).toMatchObject({
      participant: idOf(alice),
      bus: 3,
      kind: "pv",
      status: "open",
    });
    expect(call(alice, "CancelIntent", { interval: T, intent: 1 })).toEqual(["MARKET_NOT_INTENT_OWNER"]);
    expect(call(bob, "CancelIntent", { interval: T, intent: 1 })).toEqual(["ok"]);
    expect(micros(idOf(bob))).toBe(1_000_000);
    expect(micros(ESCROW_ACCOUNT)).toBe(0);
    expect(call(bob, "CancelIntent", { interval: T, intent: 1 })).toEqual(["MARKET_ALREADY_CANCELLED"]);
    expect(call(bob, "CancelIntent", { interval: T, intent: 7 })).toEqual(["MARKET_UNKNOWN_INTENT"]);
  });

  it("checks the DER, the location, the rating, the funds, the gate and the horizon", () => {
    const { call, at, invalid } = setup();
    expect(call(bob, "SubmitIntent", sell(100, 1, "pv-1"))).toEqual(["MARKET_NOT_DER_OWNER"]);
    expect(call(alice, "SubmitIntent", sell(100, 1, "pv-9"))).toEqual(["MARKET_UNKNOWN_DER"]);
    expect(call(bob, "SubmitIntent", { interval: T, side: "sell", quantityWh: 100, limitPrice: 1 })).toEqual([
      "MARKET_SELL_NEEDS_DER",
    ]);
    expect(call(bob, "SubmitIntent", { interval: T, side: "buy", quantityWh: 100, limitPrice: 1 })).toEqual([
      "MARKET_NOT_LOCATED",
    ]);
    expect(call(bob, "SubmitIntent", buy(100, 1, 99))).toEqual(["MARKET_UNKNOWN_BUS"]);
    // 10 kW for 15 minutes is 2,500 Wh.
    expect(call(alice, "SubmitIntent", sell(2_501, 1))).toEqual(["MARKET_EXCEEDS_RATING"]);
    expect(call(alice, "SubmitIntent", sell(2_500, 1))).toEqual(["ok"]);
    expect(call(bob, "SubmitIntent", buy(10_000_000, 1_000_000))).toEqual(["MARKET_INSUFFICIENT_FUNDS"]);
    expect(call(meter1, "SubmitIntent", buy(1, 1))).toEqual(["MARKET_NOT_PARTICIPANT"]);
    expect(call(bob, "SubmitIntent", { ...buy(1, 1), interval: CURRENT + 673 })).toEqual([
      "MARKET_INTERVAL_TOO_FAR",
    ]);
    expect(call(bob, "SubmitIntent", { ...buy(1, 1), expiry: { timeMs: GENESIS_TIME_MS } })).toEqual([
      "MARKET_EXPIRED",
    ]);
    expect(invalid(bob, "SubmitIntent", { ...buy(10, 1), minFillWh: 11 })).toEqual(["TX_INVALID"]);
    expect(invalid(alice, "SubmitIntent", { ...sell(10, 1), predicates: [{ kinds: ["pv"] }] })).toEqual([
      "TX_INVALID",
    ]);
    expect(call(bob, "SubmitIntent", buy(10, 1), at(GATE))).toEqual(["MARKET_GATE_CLOSED"]);
    expect(call(alice, "CancelIntent", { interval: T, intent: 0 })).toEqual(["MARKET_GATE_CLOSED"]);
  });
});

describe("market: solutions", () => {
  function market(rateMw = 0) {
    const s = setup(rateMw);
    expect(s.call(alice, "SubmitIntent", sell(2_000, 50_000))).toEqual(["ok"]); // 0
    expect(s.call(bob, "SubmitIntent", buy(1_500, 120_000))).toEqual(["ok"]); // 1
    expect(s.call(dave, "SubmitIntent", sell(2_000, 90_000, "pv-2"))).toEqual(["ok"]); // 2
    return s;
  }

  it("accepts solutions in the window only, from solvers only, and keeps the highest welfare", () => {
    const { call, chain, at } = market();
    const best = solution([[1, 0, 1_500]], 80_000);
    expect(call(carol, "SubmitSolution", best)).toEqual(["MARKET_SOLUTION_EARLY"]);
    expect(call(bob, "SubmitSolution", best, at(GATE))).toEqual(["MARKET_NOT_SOLVER"]);
    // Less energy at the same price: valid (both partly filled at the price), lower welfare.
    const less = solution([[1, 0, 1_000]], 80_000);
    expect(call(dave, "SubmitSolution", less)).toEqual(["ok"]);
    expect(stateValue<IntervalRecord>(chain, intervalKey(T))?.best?.welfareMicros).toBe(70_000);
    expect(call(carol, "SubmitSolution", best)).toEqual(["ok"]);
    expect(call(carol, "SubmitSolution", best)).toEqual(["MARKET_DUPLICATE_SOLUTION"]);
    const rec = stateValue<IntervalRecord>(chain, intervalKey(T));
    // (120,000 − 50,000) × 1.5 kWh
    expect(rec?.best).toMatchObject({ welfareMicros: 105_000, solver: idOf(carol), provenOptimal: false });
    expect(rec?.solutions).toBe(2);
    expect(call(dave, "SubmitSolution", less)).toEqual(["MARKET_DUPLICATE_SOLUTION"]);
    expect(call(dave, "SubmitSolution", solution([[1, 0, 999]], 80_000), at(DEADLINE))).toEqual([
      "MARKET_SOLUTION_LATE",
    ]);
  });

  it("rejects cheating solutions with the code of the broken rule", () => {
    const { call, at } = market(0.004);
    // Seller paid below its limit.
    expect(call(carol, "SubmitSolution", solution([[1, 0, 1_500]], 40_000), at(GATE))).toEqual([
      "SOLUTION_SELLER_LIMIT",
    ]);
    // Buyer charged above its limit.
    expect(call(carol, "SubmitSolution", solution([[1, 0, 1_500]], 130_000))).toEqual([
      "SOLUTION_BUYER_LIMIT",
    ]);
    // 1,500 Wh from bus 3 to bus 5 is 6 kW over branch 3 → 4, rated 4 kW.
    expect(call(carol, "SubmitSolution", solution([[1, 0, 1_500]], 80_000))).toEqual(["SOLUTION_LINE_LIMIT"]);
    // 1,000 Wh fits the branch and is valid; a certificate with one price and no congestion is false, as
    // Alice is filled in part at a limit (50,000) below that price.
    const valid = solution([[1, 0, 1_000]], 80_000);
    const certificate = { energyPrices: [[1, 80_000]] as [number, number][], branchShadowPrices: [] };
    expect(call(carol, "SubmitSolution", { ...valid, certificate })).toEqual(["SOLUTION_BAD_CERTIFICATE"]);
    expect(call(carol, "SubmitSolution", valid)).toEqual(["ok"]);
    // A fill that breaks a predicate: Bob's intent 3 takes only wind, Alice sells PV.
    const p = market();
    expect(p.call(bob, "SubmitIntent", { ...buy(100, 120_000), predicates: [{ kinds: ["wind"] }] })).toEqual([
      "ok",
    ]);
    expect(p.call(carol, "SubmitSolution", solution([[3, 0, 100]], 80_000), p.at(GATE))).toEqual([
      "SOLUTION_PREDICATE",
    ]);
    expect(call(carol, "SubmitSolution", { ...solution([[1, 0, 10]], 80_000), interval: T + 1 })).toEqual([
      "MARKET_SOLUTION_EARLY",
    ]);
  });

  it("reads a seller's carbon intensity from its DER record: maxCarbon holds only for a registered, low enough one", () => {
    const { call, chain, at } = setup();
    expect(call(alice, "SubmitIntent", sell(500, 50_000))).toEqual(["ok"]);
    expect(call(dave, "SubmitIntent", sell(500, 50_000, "pv-2"))).toEqual(["ok"]);
    expect(call(bob, "SubmitIntent", { ...buy(500, 120_000), predicates: [{ maxCarbon: 50 }] })).toEqual([
      "ok",
    ]);
    expect(stateValue<IntentRecord>(chain, intentKey(T, 0))?.carbon).toBeNull();
    expect(stateValue<IntentRecord>(chain, intentKey(T, 1))?.carbon).toBe(40);
    // Alice's unregistered intensity never satisfies maxCarbon; Dave's 40 g/kWh does.
    expect(call(carol, "SubmitSolution", solution([[2, 0, 500]], 80_000), at(GATE))).toEqual([
      "SOLUTION_PREDICATE",
    ]);
    expect(call(carol, "SubmitSolution", solution([[2, 1, 500]], 80_000))).toEqual(["ok"]);
  });

  it("marks a solution with a certificate that checks proven optimal (the example of docs/market.md)", () => {
    const s = setup();
    s.call(alice, "SubmitIntent", sell(2_000, 50_000));
    s.call(bob, "SubmitIntent", buy(1_500, 120_000));
    const example = {
      interval: T,
      fills: [[1, 0, 1_500]] as [number, number, number][],
      prices: [
        [0, 80_000],
        [1, 80_000],
      ] as [number, number][],
      referencePrice: 80_000,
      busPrices: [
        [3, 80_000],
        [5, 80_000],
      ] as [number, number][],
      certificate: { energyPrices: [[3, 50_000]] as [number, number][], branchShadowPrices: [] },
    };
    expect(T).toBe(1_908_004);
    expect(s.call(carol, "SubmitSolution", example, s.at(GATE))).toEqual(["ok"]);
    expect(stateValue<IntervalRecord>(s.chain, intervalKey(T))?.best?.provenOptimal).toBe(true);
  });

  it("takes a large solution in parts, and checks it when the last part arrives", () => {
    const { call, chain, at } = market();
    const text = JSON.stringify(solution([[1, 0, 1_500]], 80_000));
    const cut = [text.slice(0, 20), text.slice(20, 40), text.slice(40)];
    const part = (i: number) => ({ interval: T, part: i, parts: 3, data: cut[i] });
    expect(call(carol, "SubmitSolutionPart", part(0), at(GATE))).toEqual(["ok"]);
    expect(call(carol, "SubmitSolutionPart", part(2))).toEqual(["MARKET_UPLOAD_OUT_OF_ORDER"]);
    expect(call(carol, "SubmitSolutionPart", part(1))).toEqual(["ok"]);
    expect(call(carol, "SubmitSolutionPart", { ...part(2), data: `${cut[2]}x` })).toEqual([
      "SOLUTION_MALFORMED",
    ]);
    expect(call(carol, "SubmitSolutionPart", part(2))).toEqual(["ok"]);
    expect(stateValue<IntervalRecord>(chain, intervalKey(T))?.best?.welfareMicros).toBe(105_000);
  });
});

describe("market: large solutions", () => {
  it("accepts 3,000 fills sent in parts and settles them (readBook, solutionParts)", () => {
    const s = setup();
    // 100 sells by Alice and 100 buys by Bob (a participant's most per interval), each buyer taking 20 Wh
    // from 30 sellers.
    const txs: [KeyPair, Uint8Array][] = [];
    for (let i = 0; i < 100; i++) txs.push([alice, s.tx(alice, "SubmitIntent", sell(600, 400 + i))]);
    for (let i = 0; i < 100; i++) txs.push([bob, s.tx(bob, "SubmitIntent", buy(600, 900 + i, 1 + (i % 6)))]);
    const placed = s.run(txs);
    expect(placed.filter((c) => c !== "ok")).toEqual([]);
    s.chain.block([], {}, s.at(GATE));
    const book = readBook(s.chain.state, T, s.chain.timeMs + 1_000);
    expect(book.intents.length).toBe(200);
    const fills: [number, number, number][] = [];
    for (let b = 100; b < 200; b++) {
      const sellers = Array.from({ length: 30 }, (_, k) => (b + k) % 100).sort((x, y) => x - y);
      for (const seller of sellers) fills.push([b, seller, 20]);
    }
    const solution = {
      interval: T,
      fills,
      prices: Array.from({ length: 200 }, (_, i) => [i, 700] as [number, number]),
      referencePrice: 700,
      busPrices: [],
      lifeline: [],
    };
    const parts = solutionParts(solution);
    expect(parts.length).toBeGreaterThan(1);
    const codes = s.run(parts.map((p) => [carol, s.tx(carol, "SubmitSolutionPart", p)]));
    expect(codes).toEqual(parts.map(() => "ok"));
    const best = stateValue<IntervalRecord>(s.chain, intervalKey(T))?.best;
    // Σ over buys (900 + i) × 0.6 kWh − Σ over sells (400 + i) × 0.6 kWh.
    expect(best?.welfareMicros).toBe(100 * 500 * 0.6);
    expect(s.call(carol, "SettleInterval", { interval: T }, s.at(SETTLE_FROM))).toEqual(["ok"]);
    expect(stateValue<SettlementRecord>(s.chain, settlementKey(T))?.buyerPaymentsMicros).toBe(100 * 420);
  });
});

describe("market: settlement", () => {
  function cleared(reading: number | null) {
    const s = setup();
    s.call(alice, "SubmitIntent", sell(2_000, 50_000));
    s.call(bob, "SubmitIntent", buy(1_500, 120_000));
    expect(s.call(carol, "SubmitSolution", solution([[1, 0, 1_500]], 80_000), s.at(GATE))).toEqual(["ok"]);
    expect(s.call(carol, "SettleInterval", { interval: T }, s.at(START + 15 * MIN))).toEqual([
      "MARKET_NOT_SETTLEABLE",
    ]);
    if (reading !== null) {
      expect(s.call(meter1, "SubmitMeterReading", { der: "pv-1", interval: T, energyWh: reading })).toEqual([
        "ok",
      ]);
    }
    return s;
  }

  /** Settles T by Dave's transaction; its settled DERs, as the settlement's events give them. */
  function settleAndRead(s: ReturnType<typeof setup>) {
    const r = s.chain.block([s.tx(dave, "SettleInterval", { interval: T })], {}, s.at(SETTLE_FROM));
    const x = r.results[0];
    expect(x.ok).toBe(true);
    return x.ok ? settledDersOf(x.events) : [];
  }

  const everyone = [alice, bob, carol, dave].map(idOf);
  const ledger = (micros: (id: string) => number) =>
    [...everyone, TREASURY_ACCOUNT, ESCROW_ACCOUNT].map((id) => micros(id));

  it("pays the market, charges the shortfall at the imbalance price, and conserves money", () => {
    const s = cleared(1_200);
    const { call, chain, micros } = s;
    const before = ledger(micros);
    const ders = settleAndRead(s);
    const after = ledger(micros);
    // Bob pays 1.5 kWh × 80,000 = 120,000 of his 180,001 escrow. Alice receives 120,000 and delivered
    // 300 Wh short: 0.3 kWh × 300,000 = 90,000 to the treasury.
    expect(after[1] - before[1]).toBe(60_001);
    expect(after[0] - before[0]).toBe(120_000 - 90_000);
    expect(after[4] - before[4]).toBe(90_000);
    expect(after[5] - before[5]).toBe(-180_001);
    expect(after.reduce((a, b) => a + b, 0)).toBe(before.reduce((a, b) => a + b, 0));
    const rec = stateValue<SettlementRecord>(chain, settlementKey(T));
    expect(rec).toMatchObject({ derCount: 1, missingReadings: 0, unpaidDers: 0 });
    // The winner's fills are gone from the state once settled (the solution stays in its block).
    expect(stateValue(chain, winnerKey(T))).toBeUndefined();
    expect(ders).toEqual([
      {
        der: "pv-1",
        participant: idOf(alice),
        scheduledWh: 1_500,
        measuredWh: 1_200,
        deviationWh: -300,
        imbalanceMicros: -90_000,
        flags: [],
      },
    ]);
    expect(call(dave, "SettleInterval", { interval: T })).toEqual(["MARKET_ALREADY_SETTLED"]);
    expect(call(dave, "SettleInterval", { interval: T + 1 })).toEqual(["MARKET_UNKNOWN_INTERVAL"]);
  });

  it("counts a missing reading as no delivery, flags it, and pays a surplus from the treasury", () => {
    const missing = cleared(null);
    const ders = settleAndRead(missing);
    const rec = stateValue<SettlementRecord>(missing.chain, settlementKey(T));
    // 1.5 kWh × 300,000 = 450,000 charged.
    expect(ders[0]).toMatchObject({ measuredWh: null, deviationWh: -1_500, flags: ["missing_reading"] });
    expect(rec).toMatchObject({ derCount: 1, missingReadings: 1, unpaidDers: 0 });
    expect(rec?.imbalanceChargesMicros).toBe(450_000);
    expect(missing.micros(TREASURY_ACCOUNT)).toBe(450_000);

    // Over-delivery earns from the treasury, which here holds nothing: recorded as unpaid, nothing created.
    const surplus = cleared(1_700);
    const ders2 = settleAndRead(surplus);
    const r2 = stateValue<SettlementRecord>(surplus.chain, settlementKey(T));
    expect(ders2[0]).toMatchObject({ deviationWh: 200, imbalanceMicros: 0, flags: ["unpaid"] });
    expect(r2).toMatchObject({ derCount: 1, missingReadings: 0, unpaidDers: 1 });
    expect(r2?.unpaidMicros).toBe(60_000);
    expect(surplus.micros(TREASURY_ACCOUNT)).toBe(0);
  });

  it("serves a critical load first under the lifeline, at the regulated price", () => {
    const s = setup();
    // Offered 600 Wh, asked 1,500 Wh: the island is short.
    expect(s.call(alice, "SubmitIntent", sell(600, 100_000))).toEqual(["ok"]); // 0
    expect(s.call(bob, "SubmitIntent", { ...buy(500, 200_000), priority: "critical" })).toEqual(["ok"]); // 1
    expect(s.call(dave, "SubmitIntent", buy(1_000, 400_000, 2))).toEqual(["ok"]); // 2
    const byPrice = solution([[2, 0, 600]], 300_000);
    expect(s.call(carol, "SubmitSolution", byPrice, s.at(GATE))).toEqual(["SOLUTION_LIFELINE"]);
    const lifelineFirst = {
      ...solution(
        [
          [1, 0, 500],
          [2, 0, 100],
        ],
        300_000,
      ),
      prices: [
        [0, 300_000],
        [1, 150_000],
        [2, 300_000],
      ] as [number, number][],
      lifeline: [
        [0, 500],
        [1, 500],
      ] as [number, number][],
    };
    expect(s.call(carol, "SubmitSolution", lifelineFirst)).toEqual(["ok"]);
    s.call(meter1, "SubmitMeterReading", { der: "pv-1", interval: T, energyWh: 600 }, s.at(START + 16 * MIN));
    const before = [bob, alice, dave].map((k) => s.micros(idOf(k)));
    expect(s.call(carol, "SettleInterval", { interval: T }, s.at(SETTLE_FROM))).toEqual(["ok"]);
    const after = [bob, alice, dave].map((k) => s.micros(idOf(k)));
    // Bob's escrow was ⌈0.5 kWh × 200,000⌉ + 1 = 100,001: he pays 0.5 × 150,000 = 75,000. Dave's was 400,001:
    // he pays 0.1 × 300,000 = 30,000. Alice receives both, 105,000.
    expect(after[0] - before[0]).toBe(100_001 - 75_000);
    expect(after[2] - before[2]).toBe(400_001 - 30_000);
    expect(after[1] - before[1]).toBe(105_000);
  });

  it("refunds every escrow when no solution was valid", () => {
    const s = setup();
    s.call(bob, "SubmitIntent", buy(1_500, 120_000));
    expect(s.micros(idOf(bob))).toBe(819_999);
    expect(s.call(carol, "SettleInterval", { interval: T }, s.at(SETTLE_FROM))).toEqual(["ok"]);
    expect(s.micros(idOf(bob))).toBe(1_000_000);
    expect(s.micros(ESCROW_ACCOUNT)).toBe(0);
  });
});

describe("market: genesis", () => {
  it("stores the market parameters with their defaults and refuses a branch without reactance", () => {
    const { chain } = setup();
    expect(stateValue(chain, "market/params")).toEqual({
      kPricingPpm: 500_000,
      imbalancePriceMicrosPerKWh: 300_000,
      regulatedPriceMicrosPerKWh: 150_000,
      lifelineBaselineWh: 500,
      gateClosureMinutes: 15,
      solutionDeadlineMinutes: 5,
      settlementDelayMinutes: 15,
    });
    expect(() =>
      genesis(
        testGenesis([operator], 1, {
          network: { buses: [1, 2], branches: [{ from: 1, to: 2, xPu: 0 }] },
        }),
      ),
    ).toThrow(expect.objectContaining({ code: "GENESIS_INVALID" }));
    expect(() =>
      genesis(
        testGenesis([operator], 1, {
          params: { market: { gateClosureMinutes: 5, solutionDeadlineMinutes: 10 } },
        }),
      ),
    ).toThrow(
      expect.objectContaining({
        code: "GENESIS_INVALID",
        message: expect.stringMatching(/solutionDeadlineMinutes/),
      }),
    );
  });

  it("takes reactances, taps and ratings from a MATPOWER case", () => {
    const text = (x: number) =>
      [
        "function mpc = two",
        "mpc.version = '2';",
        "mpc.baseMVA = 100;",
        "mpc.bus = [",
        "1 3 0 0 0 0 1 1 0 10 1 1.1 0.9;",
        "2 1 0 0 0 0 1 1 0 10 1 1.1 0.9;",
        "];",
        "mpc.gen = [",
        "1 0 0 10 -10 1 100 1 10 0;",
        "];",
        "mpc.branch = [",
        `1 2 0.01 ${x} 0 2 2 2 0.98 0 1 -360 360;`,
        "];",
      ].join("\n");
    const g = genesis(testGenesis([operator], 1, { network: { matpower: { text: text(0.05) } } }));
    const state = new MemoryState(g.changes);
    const rec = JSON.parse(new TextDecoder().decode(state.get("market/network")));
    expect(rec).toEqual({ baseMva: 100, busIds: [1, 2], branches: [[0.05, 0.98, 2]] });
    expect(() => genesis(testGenesis([operator], 1, { network: { matpower: { text: text(0) } } }))).toThrow(
      expect.objectContaining({ code: "GENESIS_INVALID" }),
    );
  });

  it("refuses market transactions on a chain whose genesis has no market", () => {
    const { call, chain } = setup();
    // A state written before the market module existed: no market parameters.
    chain.state.apply([["market/params", null]]);
    expect(call(bob, "SubmitIntent", buy(100, 1))).toEqual(["MARKET_NOT_ENABLED"]);
    expect(call(carol, "SettleInterval", { interval: T })).toEqual(["MARKET_NOT_ENABLED"]);
  });
});
