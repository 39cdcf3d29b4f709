import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { intervalOf } from "../../core/time.js";
import { greedyUniform } from "../../intents/test-support/books.js";
import { accountKey } from "../accounts/state.js";
import type { Account } from "../accounts/types.js";
import { readParams } from "../chain.js";
import { StateOverlay } from "../overlay.js";
import {
  GENESIS_TIME_MS,
  genesisPv,
  idOf,
  scenario,
  stateValue,
  testGenesis,
  testKeys,
} from "../test-support/fixtures.js";
import { loadBook } from "./book.js";
import { ESCROW_ACCOUNT, settlementKey, TREASURY_ACCOUNT } from "./state.js";
import type { SettlementRecord } from "./types.js";

const [operator, alice, bob, carol, dave, meter1, meter2] = testKeys(7);
const MIN = 60_000;
const T = intervalOf(GENESIS_TIME_MS, 15) + 4;
const START = T * 15 * MIN;
const GATE = START - 15 * MIN;
const SETTLE_FROM = START + 30 * MIN;
const ACCOUNTS = [operator, alice, bob, carol, dave].map(idOf).concat([TREASURY_ACCOUNT, ESCROW_ACCOUNT]);

const intentArb = fc.record({
  who: fc.constantFrom("alice-pv", "dave-pv", "bob", "alice"),
  quantityWh: fc.integer({ min: 1, max: 2_500 }),
  limitPrice: fc.integer({ min: 0, max: 300_000 }),
  bus: fc.integer({ min: 1, max: 6 }),
});
const workloadArb = fc.record({
  intents: fc.array(intentArb, { minLength: 1, maxLength: 10 }),
  cancel: fc.option(fc.nat(9), { nil: null }),
  readings: fc.record({
    pv1: fc.option(fc.integer({ min: -500, max: 6_000 }), { nil: null }),
    pv2: fc.option(fc.integer({ min: -500, max: 6_000 }), { nil: null }),
  }),
});

type Workload = typeof workloadArb extends fc.Arbitrary<infer V> ? V : never;

/** Runs one interval end to end: intents, a competitive clearing by an independent solver, readings, settlement. */
function runInterval(w: Workload) {
  const s = scenario(
    testGenesis([operator, alice, bob, carol, dave], 5_000_000, {
      participants: [
        { id: idOf(operator), name: "operator", roles: ["operator"] },
        { id: idOf(alice), name: "Alice", roles: ["prosumer"] },
        { id: idOf(bob), name: "Bob", roles: ["consumer"] },
        { id: idOf(carol), name: "Carol", roles: ["solver"] },
        { id: idOf(dave), name: "Dave", roles: ["producer"] },
      ],
      ders: [genesisPv("pv-1", alice, meter1, 3), genesisPv("pv-2", dave, meter2, 6)],
    }),
  );
  const codes: string[] = [];
  for (const x of w.intents) {
    const base = { interval: T, quantityWh: x.quantityWh, limitPrice: x.limitPrice };
    if (x.who === "alice-pv")
      codes.push(...s.call(alice, "SubmitIntent", { ...base, side: "sell", der: "pv-1" }));
    else if (x.who === "dave-pv")
      codes.push(...s.call(dave, "SubmitIntent", { ...base, side: "sell", der: "pv-2" }));
    else {
      const key = x.who === "bob" ? bob : alice;
      codes.push(...s.call(key, "SubmitIntent", { ...base, side: "buy", bus: x.bus }));
    }
  }
  if (w.cancel !== null && w.cancel < w.intents.length) {
    const owner = w.intents[w.cancel].who.startsWith("alice")
      ? alice
      : w.intents[w.cancel].who === "bob"
        ? bob
        : dave;
    codes.push(...s.call(owner, "CancelIntent", { interval: T, intent: w.cancel }));
  }
  // An independent solver: greedy matching at one competitive price per island (books.ts).
  s.chain.block([], {}, GATE - s.chain.timeMs);
  const state = new StateOverlay(s.chain.state);
  const book = loadBook(state, T, readParams(state), s.chain.timeMs);
  const solution = greedyUniform(book);
  const solved = s.call(carol, "SubmitSolution", solution);
  if (w.readings.pv1 !== null) {
    s.call(
      meter1,
      "SubmitMeterReading",
      { der: "pv-1", interval: T, energyWh: w.readings.pv1 },
      START + 16 * MIN - s.chain.timeMs,
    );
  }
  if (w.readings.pv2 !== null) {
    s.call(
      meter2,
      "SubmitMeterReading",
      { der: "pv-2", interval: T, energyWh: w.readings.pv2 },
      START + 17 * MIN - s.chain.timeMs,
    );
  }
  const settled = s.call(bob, "SettleInterval", { interval: T }, SETTLE_FROM - s.chain.timeMs);
  return { s, codes, solved, settled };
}

const total = (s: ReturnType<typeof scenario>) =>
  ACCOUNTS.reduce((a, id) => a + (stateValue<Account>(s.chain, accountKey(id))?.micros ?? 0), 0);

describe("market module: properties over whole intervals", () => {
  it("accepts an independent competitive clearing, settles it, and conserves money exactly", () => {
    let traded = 0;
    fc.assert(
      fc.property(workloadArb, (w) => {
        const { s, codes, solved, settled } = runInterval(w);
        expect(codes.every((c) => c === "ok" || c === "MARKET_INSUFFICIENT_FUNDS")).toBe(true);
        expect(solved).toEqual(["ok"]);
        expect(settled).toEqual(["ok"]);
        expect(total(s)).toBe(5 * 5_000_000);
        if ((stateValue<SettlementRecord>(s.chain, settlementKey(T))?.buyerPaymentsMicros ?? 0) > 0) traded++;
        expect(stateValue<Account>(s.chain, accountKey(ESCROW_ACCOUNT))?.micros ?? 0).toBe(0);
        for (const id of ACCOUNTS) {
          expect(stateValue<Account>(s.chain, accountKey(id))?.micros ?? 0).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 25 },
    );
    expect(traded).toBeGreaterThan(5);
  });

  it("is deterministic: the same interval on two chains gives the same state root", () => {
    fc.assert(
      fc.property(workloadArb, (w) => {
        const one = runInterval(w);
        const two = runInterval(w);
        expect(two.s.chain.root).toBe(one.s.chain.root);
      }),
      { numRuns: 8 },
    );
  });
});
