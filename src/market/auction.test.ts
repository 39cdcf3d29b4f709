import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clearMarket } from "./clear.js";
import { marketArb, treasury } from "./test-support.js";
import type { Order } from "./types.js";

const buy = (id: string, quantityWh: number, limitPrice: number): Order => ({
  id,
  side: "buy",
  quantityWh,
  minFillWh: 0,
  limitPrice,
});
const sell = (id: string, quantityWh: number, limitPrice: number): Order => ({
  id,
  side: "sell",
  quantityWh,
  minFillWh: 0,
  limitPrice,
});

/** Brute-force welfare optimum of divisible orders: every unit of energy, best buy against best sell. */
function unitWelfare(orders: readonly Order[]): number {
  const units = (side: "buy" | "sell") =>
    orders
      .filter((o) => o.side === side)
      .flatMap((o) => Array.from({ length: o.quantityWh }, () => o.limitPrice))
      .sort((a, b) => (side === "buy" ? b - a : a - b));
  const b = units("buy");
  const s = units("sell");
  let w = 0;
  for (let k = 0; k < Math.min(b.length, s.length) && b[k] >= s[k]; k++) w += b[k] - s[k];
  return w;
}

describe("uniform-price double auction (fast path)", () => {
  it("rations the marginal level by id, whatever the input order", () => {
    // Demand 100 at 300 (x2 buyers of 60 each), supply 90 at 100: the two buyers share 90 by id.
    const orders = [buy("zed", 60, 300), buy("amy", 60, 300), sell("s", 90, 100)];
    const r = clearMarket(orders);
    expect(r.intents.map((o) => o.filledWh)).toEqual([30, 60, 90]);
    const r2 = clearMarket([...orders].reverse());
    expect(r2.intents.map((o) => o.filledWh)).toEqual([90, 60, 30]);
  });

  it("prices at low + k·(high − low) over the interval that supports the allocation", () => {
    // Buyer 100 Wh at 300 and seller 100 Wh at 100 trade fully; nothing else: the interval is [100, 300].
    const orders = [buy("b", 100, 300), sell("s", 100, 100)];
    expect(clearMarket(orders, { k: 0 }).prices.uniform).toBe(100);
    expect(clearMarket(orders, { k: 1 }).prices.uniform).toBe(300);
    expect(clearMarket(orders, { k: 0.5 }).prices.uniform).toBe(200);
    expect(clearMarket(orders, { k: 0.25 }).prices.uniform).toBe(150);
    // A rationed buyer sets the price at its own limit whatever k.
    const rationed = [buy("b", 150, 300), sell("s", 100, 100)];
    expect(clearMarket(rationed, { k: 0 }).prices.uniform).toBe(300);
  });

  it("pays each order its own limit under pay-as-bid, with the same fills", () => {
    const orders = [buy("b1", 50, 300), buy("b2", 80, 200), sell("s1", 70, 100), sell("s2", 70, 150)];
    const u = clearMarket(orders);
    const p = clearMarket(orders, { rule: "pay-as-bid" });
    expect(p.intents.map((o) => o.filledWh)).toEqual(u.intents.map((o) => o.filledWh));
    for (const [i, o] of p.intents.entries()) if (o.filledWh > 0) expect(o.price).toBe(orders[i].limitPrice);
    expect(p.prices.uniform).toBeUndefined();
  });

  it("under pay-as-bid, the treasury keeps the welfare (up to the rounding of each payment)", () => {
    fc.assert(
      fc.property(marketArb({ maxPrice: 100_000 }), (orders) => {
        const r = clearMarket(orders, { rule: "pay-as-bid" });
        const filled = r.intents.filter((o) => o.filledWh > 0).length;
        // Σ buyers ⌈E·b/1000⌉ − Σ sellers ⌊E·s/1000⌋ = Σ b·E/1000 − Σ s·E/1000 + (rounding in [0, 1) each).
        const t = treasury(orders, r);
        expect(t).toBeGreaterThanOrEqual(r.welfare - 0.5);
        expect(t).toBeLessThanOrEqual(r.welfare + filled + 0.5);
      }),
      { numRuns: 300 },
    );
  });

  it("reports a market without buyers or sellers as empty, not an error", () => {
    expect(clearMarket([]).status).toBe("empty");
    expect(clearMarket([buy("b", 1, 1)]).status).toBe("empty");
  });

  it("rejects malformed orders with coded errors", () => {
    expect(() => clearMarket([buy("b", 0, 1)])).toThrow(
      expect.objectContaining({ code: "MARKET_BAD_ORDER" }),
    );
    expect(() => clearMarket([buy("b", 1.5, 1)])).toThrow(
      expect.objectContaining({ code: "MARKET_BAD_ORDER" }),
    );
    expect(() => clearMarket([buy("b", 1, 1), sell("b", 1, 1)])).toThrow(
      expect.objectContaining({ code: "MARKET_DUPLICATE_ID" }),
    );
    expect(() => clearMarket([{ ...buy("b", 5, 1), minFillWh: 6 }])).toThrow(
      expect.objectContaining({ code: "MARKET_BAD_ORDER" }),
    );
    expect(() => clearMarket([buy("b", 5, 1)], { k: 2 })).toThrow(
      expect.objectContaining({ code: "MARKET_BAD_OPTION" }),
    );
  });

  it("reaches the unit-by-unit welfare optimum, with supporting, rational, balanced prices", () => {
    fc.assert(
      fc.property(marketArb(), fc.integer({ min: 0, max: 4 }), (orders, k4) => {
        const r = clearMarket(orders, { k: k4 / 4 });
        const exact = unitWelfare(orders);
        // welfare is Σ/1000 rounded half to even.
        expect(Math.abs(r.welfare - exact / 1000)).toBeLessThanOrEqual(0.5);
        const p = r.prices.uniform;
        for (const [i, o] of r.intents.entries()) {
          const ord = orders[i];
          expect(o.filledWh).toBeGreaterThanOrEqual(0);
          expect(o.filledWh).toBeLessThanOrEqual(ord.quantityWh);
          if (p === undefined) continue;
          // Competitive: filled orders in the money, orders left with energy not strictly in it.
          const inMoney = ord.side === "buy" ? ord.limitPrice - p : p - ord.limitPrice;
          if (o.filledWh > 0) {
            expect(inMoney).toBeGreaterThanOrEqual(0);
            expect(o.price).toBe(p);
          }
          if (o.filledWh < ord.quantityWh) expect(inMoney).toBeLessThanOrEqual(0);
        }
        expect(treasury(orders, r)).toBeGreaterThanOrEqual(0);
        // Fills add up per order, and buyers' energy equals sellers'.
        const sum = new Map<string, number>();
        for (const f of r.fills) {
          sum.set(f.buyer, (sum.get(f.buyer) ?? 0) + f.energyWh);
          sum.set(f.seller, (sum.get(f.seller) ?? 0) + f.energyWh);
        }
        for (const o of r.intents) expect(sum.get(o.id) ?? 0).toBe(o.filledWh);
      }),
      { numRuns: 400 },
    );
  });

  it("ranks limits across the whole price range (every radix digit) like the unit-by-unit optimum", () => {
    fc.assert(
      fc.property(marketArb({ maxPrice: 1_000_000_000, maxOrders: 20 }), (orders) => {
        const r = clearMarket(orders);
        expect(Math.abs(r.welfare - unitWelfare(orders) / 1000)).toBeLessThanOrEqual(0.5);
        const p = r.prices.uniform;
        if (p === undefined) return;
        r.intents.forEach((o, i) => {
          const ord = orders[i];
          const inMoney = ord.side === "buy" ? ord.limitPrice - p : p - ord.limitPrice;
          if (o.filledWh > 0) expect(inMoney).toBeGreaterThanOrEqual(0);
          if (o.filledWh < ord.quantityWh) expect(inMoney).toBeLessThanOrEqual(0);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("is deterministic and independent of input order (per id)", () => {
    fc.assert(
      fc.property(marketArb(), fc.integer(), (orders, seed) => {
        const a = clearMarket(orders);
        expect(clearMarket(orders)).toEqual(a);
        const shuffled = [...orders];
        let s = seed >>> 0;
        for (let i = shuffled.length - 1; i > 0; i--) {
          s = (s * 1103515245 + 12345) >>> 0;
          const j = s % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
        }
        const b = clearMarket(shuffled);
        const byId = new Map(b.intents.map((o) => [o.id, o]));
        for (const o of a.intents) expect(byId.get(o.id)).toEqual(o);
        expect(b.fills).toEqual(a.fills);
        expect(b.prices).toEqual(a.prices);
      }),
      { numRuns: 300 },
    );
  });

  it("never lowers a buyer's fill when the buyer raises its limit (uniform rule)", () => {
    fc.assert(
      fc.property(marketArb(), fc.nat(), fc.integer({ min: 1, max: 60 }), (orders, pick, raise) => {
        const buyers = orders.map((o, i) => [o, i] as const).filter(([o]) => o.side === "buy");
        if (buyers.length === 0) return;
        const [o, i] = buyers[pick % buyers.length];
        const before = clearMarket(orders).intents[i].filledWh;
        const raised = orders.map((x, j) => (j === i ? { ...o, limitPrice: o.limitPrice + raise } : x));
        expect(clearMarket(raised).intents[i].filledWh).toBeGreaterThanOrEqual(before);
      }),
      { numRuns: 400 },
    );
  });
});
