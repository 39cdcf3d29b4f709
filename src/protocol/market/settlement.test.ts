import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type SettlementInput, type SettlementIntent, settle } from "./settlement.js";

const ceilDiv = (n: bigint) => (n + 999n) / 1000n;

/** A random interval's open intents, settled at one uniform price, with balances, readings and a price. */
const inputArb = fc
  .record({
    price: fc.integer({ min: 0, max: 400_000 }),
    intents: fc.array(
      fc.record({
        buy: fc.boolean(),
        participant: fc.constantFrom("pa", "pb", "pc", "pd"),
        der: fc.option(fc.constantFrom("d1", "d2", "d3"), { nil: null }),
        q: fc.integer({ min: 1, max: 50_000 }),
        fillShare: fc.integer({ min: 0, max: 100 }),
        margin: fc.integer({ min: 0, max: 100_000 }),
      }),
      { maxLength: 12 },
    ),
    readings: fc.dictionary(fc.constantFrom("d1", "d2", "d3"), fc.integer({ min: -60_000, max: 60_000 })),
    balances: fc.dictionary(
      fc.constantFrom("pa", "pb", "pc", "pd", "treasury"),
      fc.integer({ min: 0, max: 2e6 }),
    ),
    imbalancePrice: fc.integer({ min: 0, max: 1_000_000 }),
    escrowExtra: fc.integer({ min: 0, max: 1_000 }),
  })
  .map((g) => {
    const intents: SettlementIntent[] = g.intents.map((x, seq) => {
      const filledWh = Math.floor((x.q * x.fillShare) / 100);
      const limit = x.buy ? g.price + x.margin : Math.max(0, g.price - x.margin);
      return {
        seq,
        participant: x.participant,
        side: x.buy ? "buy" : "sell",
        der: x.der,
        escrowMicros: x.buy ? Number(ceilDiv(BigInt(x.q) * BigInt(limit))) + 1 : 0,
        filledWh,
        price: filledWh > 0 ? g.price : null,
        lifelineWh: 0,
      };
    });
    // Budget balance at one price needs the buyers to take at least what the sellers deliver.
    let bought = 0;
    let sold = 0;
    for (const it of intents) if (it.side === "buy") bought += it.filledWh;
    for (const it of intents) if (it.side === "sell") sold += it.filledWh;
    if (sold > bought) for (const it of intents) if (it.side === "sell") it.filledWh = 0;
    for (const it of intents) if (it.filledWh === 0) it.price = null;
    const escrowHeld = intents.reduce((a, it) => a + it.escrowMicros, 0) + g.escrowExtra;
    const balances = new Map<string, number>(Object.entries(g.balances));
    balances.set("escrow", escrowHeld);
    const input: SettlementInput = {
      intents,
      readings: new Map(Object.entries(g.readings)),
      imbalancePriceMicrosPerKWh: g.imbalancePrice,
      regulatedPriceMicrosPerKWh: 0,
      balanceOf: (a) => balances.get(a) ?? 0,
      treasury: "treasury",
      escrow: "escrow",
    };
    return { input, balances, price: g.price };
  });

describe("settlement: properties", () => {
  it("conserves money exactly, never overdraws, and empties exactly the interval's escrow", () => {
    fc.assert(
      fc.property(inputArb, ({ input, balances }) => {
        const out = settle(input);
        let sum = 0n;
        for (const [, d] of out.deltas) sum += BigInt(d);
        expect(sum).toBe(0n);
        for (const [account, d] of out.deltas)
          expect((balances.get(account) ?? 0) + d).toBeGreaterThanOrEqual(0);
        const escrowTotal = input.intents.reduce((a, it) => a + it.escrowMicros, 0);
        const escrowDelta = out.deltas.find(([a]) => a === "escrow")?.[1] ?? 0;
        expect(escrowDelta + escrowTotal).toBe(0);
        // Ledger identities of the record.
        expect(out.congestionRentMicros).toBe(out.buyerPaymentsMicros - out.sellerReceiptsMicros);
        expect(out.congestionRentMicros).toBeGreaterThanOrEqual(0);
        expect(out.refundsMicros + out.buyerPaymentsMicros).toBe(escrowTotal);
      }),
      { numRuns: 500 },
    );
  });

  it("charges and credits each deviation at the imbalance price, rounding for the treasury", () => {
    fc.assert(
      fc.property(inputArb, ({ input }) => {
        const out = settle(input);
        const p = BigInt(input.imbalancePriceMicrosPerKWh);
        let unpaid = 0n;
        for (const d of out.ders) {
          // Schedule recomputed from the intents, deviation from the reading (missing = 0).
          let scheduled = 0;
          for (const it of input.intents) {
            if (it.der === d.der) scheduled += it.side === "sell" ? it.filledWh : -it.filledWh;
          }
          expect(d.scheduledWh).toBe(scheduled);
          const measured = input.readings.get(d.der);
          expect(d.measuredWh).toBe(measured ?? null);
          expect(d.flags.includes("missing_reading")).toBe(measured === undefined);
          expect(d.deviationWh).toBe((measured ?? 0) - scheduled);
          const dev = BigInt(Math.abs(d.deviationWh));
          const due = d.deviationWh < 0 ? ceilDiv(dev * p) : (dev * p) / 1000n;
          const paid = BigInt(Math.abs(d.imbalanceMicros));
          expect(paid <= due).toBe(true);
          if (d.deviationWh < 0) expect(d.imbalanceMicros).toBeLessThanOrEqual(0);
          if (d.deviationWh > 0) expect(d.imbalanceMicros).toBeGreaterThanOrEqual(0);
          expect(d.flags.includes("unpaid")).toBe(paid < due);
          unpaid += due - paid;
        }
        expect(BigInt(out.unpaidMicros)).toBe(unpaid);
      }),
      { numRuns: 500 },
    );
  });

  it("computes imbalance amounts exactly around 2^53 (property)", () => {
    const one = (deviationWh: number, price: number) => {
      const intents: SettlementIntent[] = [
        {
          seq: 0,
          participant: "pa",
          side: "buy",
          der: null,
          escrowMicros: 1,
          filledWh: 1,
          price: 0,
          lifelineWh: 0,
        },
        {
          seq: 1,
          participant: "pb",
          side: "sell",
          der: "d1",
          escrowMicros: 0,
          filledWh: 1,
          price: 0,
          lifelineWh: 0,
        },
      ];
      const out = settle({
        intents,
        readings: new Map([["d1", 1 + deviationWh]]),
        imbalancePriceMicrosPerKWh: price,
        regulatedPriceMicrosPerKWh: 0,
        balanceOf: (a) => (a === "escrow" ? 1 : Number.MAX_SAFE_INTEGER - 1),
        treasury: "treasury",
        escrow: "escrow",
      });
      const n = BigInt(Math.abs(deviationWh)) * BigInt(price);
      const due = deviationWh < 0 ? ceilDiv(n) : n / 1000n;
      const capped = due > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : due;
      expect(BigInt(Math.abs(out.ders[0].imbalanceMicros)) + BigInt(out.unpaidMicros)).toBe(capped);
    };
    // Products just below, at and above 2^53 = 9,007,199,254,740,992.
    for (const [dev, price] of [
      [9_007_199_254, 1_000_000],
      [9_007_199_255, 1_000_000],
      [9_007_199_254_740, 1_000],
      [9_007_199_254_741, 999],
      [-9_007_199_254_741, 999],
      [-4_503_599_627_370, 1_999],
    ])
      one(dev, price);
    fc.assert(
      fc.property(
        fc.integer({ min: -2e10, max: 2e10 }).filter((d) => d !== 0),
        fc.integer({ min: 1, max: 1_000_000 }),
        one,
      ),
      { numRuns: 1000 },
    );
  });

  it("is deterministic", () => {
    fc.assert(
      fc.property(inputArb, ({ input }) => {
        expect(settle(input)).toEqual(settle({ ...input, readings: new Map([...input.readings].reverse()) }));
      }),
      { numRuns: 100 },
    );
  });

  it("pays a lifeline part at the regulated price, within the escrow despite rounding up twice", () => {
    fc.assert(
      fc.property(
        fc.record({
          q: fc.integer({ min: 1, max: 100_000 }),
          limit: fc.integer({ min: 0, max: 500_000 }),
          fillShare: fc.integer({ min: 0, max: 100 }),
          lifeShare: fc.integer({ min: 0, max: 100 }),
          marketCut: fc.integer({ min: 0, max: 500_000 }),
          regulatedCut: fc.integer({ min: 0, max: 500_000 }),
        }),
        ({ q, limit, fillShare, lifeShare, marketCut, regulatedCut }) => {
          const f = Math.floor((q * fillShare) / 100);
          const l = Math.floor((f * lifeShare) / 100);
          const price = Math.max(0, limit - marketCut);
          const regulated = Math.max(0, limit - regulatedCut);
          const escrow = Number(ceilDiv(BigInt(q) * BigInt(limit))) + 1;
          const out = settle({
            intents: [
              {
                seq: 0,
                participant: "b",
                side: "buy",
                der: null,
                escrowMicros: escrow,
                filledWh: f,
                price,
                lifelineWh: l,
              },
              {
                seq: 1,
                participant: "s",
                side: "sell",
                der: null,
                escrowMicros: 0,
                filledWh: f,
                price,
                lifelineWh: l,
              },
            ],
            readings: new Map(),
            imbalancePriceMicrosPerKWh: 0,
            regulatedPriceMicrosPerKWh: regulated,
            balanceOf: (a) => (a === "escrow" ? escrow : 0),
            treasury: "t",
            escrow: "escrow",
          });
          const expected =
            Number(ceilDiv(BigInt(l) * BigInt(regulated))) + Number(ceilDiv(BigInt(f - l) * BigInt(price)));
          expect(out.buyerPaymentsMicros).toBe(expected);
          expect(out.sellerReceiptsMicros).toBe(
            Number((BigInt(l) * BigInt(regulated)) / 1000n + (BigInt(f - l) * BigInt(price)) / 1000n),
          );
          expect(out.deltas.reduce((a, [, d]) => a + d, 0)).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });
});
