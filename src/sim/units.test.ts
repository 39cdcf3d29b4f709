import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRng } from "../core/prng.js";
import type { Order } from "../market/types.js";
import { tamperDay } from "./attacks.js";
import { meritOrderClearing } from "./clearing.js";
import { gini, maxOf, minOf } from "./metrics.js";
import { solutionOf } from "./solution.js";

const orderArb = (side: "buy" | "sell", i: number) =>
  fc
    .record({ q: fc.integer({ min: 1, max: 5000 }), p: fc.integer({ min: 0, max: 500_000 }) })
    .map(({ q, p }): Order => ({ id: `${side}-${i}`, side, quantityWh: q, minFillWh: 0, limitPrice: p }));
const bookArb = fc
  .tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 }))
  .chain(([b, s]) =>
    fc.tuple(
      fc.tuple(...Array.from({ length: b }, (_, i) => orderArb("buy", i))),
      fc.tuple(...Array.from({ length: s }, (_, i) => orderArb("sell", i))),
    ),
  )
  .map(([b, s]) => [...b, ...s] as Order[]);

describe("minOf and maxOf", () => {
  it("take a year's worth of values and more, where spreading them into Math.min overflows the stack", () => {
    const xs = Array.from({ length: 1_000_000 }, (_, i) => Math.sin(i) * 1e6);
    expect(() => Math.min(...xs)).toThrow(RangeError);
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const x of xs) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    expect(minOf(xs)).toBe(lo);
    expect(maxOf(xs)).toBe(hi);
    // The value for an empty list, and a bound that takes part (Math.max(0, ...xs) becomes maxOf(xs, 0)).
    expect(minOf([])).toBe(Number.POSITIVE_INFINITY);
    expect(maxOf([], 0)).toBe(0);
    expect(maxOf([-3, -2], 0)).toBe(0);
    expect(minOf([3, 2], 0)).toBe(0);
  });
});

describe("merit-order clearing", () => {
  it("balances, respects limits, and leaves no trade in the money at the uniform price", () => {
    fc.assert(
      fc.property(bookArb, fc.integer({ min: 0, max: 1_000_000 }), (orders, kPpm) => {
        const r = meritOrderClearing(orders, { rule: "uniform", kPpm });
        let buys = 0;
        let sells = 0;
        const p = r.prices.uniform;
        orders.forEach((o, i) => {
          const f = r.intents[i].filledWh;
          expect(f).toBeGreaterThanOrEqual(0);
          expect(f).toBeLessThanOrEqual(o.quantityWh);
          if (o.side === "buy") buys += f;
          else sells += f;
          if (f > 0) {
            expect(p).toBeDefined();
            if (o.side === "buy") expect(o.limitPrice).toBeGreaterThanOrEqual(p!);
            else expect(o.limitPrice).toBeLessThanOrEqual(p!);
          }
        });
        expect(buys).toBe(sells);
        if (p !== undefined) {
          // No buyer strictly above the price and seller strictly below it are both left with energy.
          const hungry = orders.some(
            (o, i) => o.side === "buy" && o.limitPrice > p && r.intents[i].filledWh < o.quantityWh,
          );
          const spare = orders.some(
            (o, i) => o.side === "sell" && o.limitPrice < p && r.intents[i].filledWh < o.quantityWh,
          );
          expect(hungry && spare).toBe(false);
        }
      }),
    );
  });

  it("maximises welfare: no single extra unit between an unfilled buy and sell would add value", () => {
    fc.assert(
      fc.property(bookArb, (orders) => {
        const r = meritOrderClearing(orders, { rule: "pay-as-bid", kPpm: 500_000 });
        const openBuy = orders.filter((o, i) => o.side === "buy" && r.intents[i].filledWh < o.quantityWh);
        const openSell = orders.filter((o, i) => o.side === "sell" && r.intents[i].filledWh < o.quantityWh);
        const bestBuy = Math.max(-1, ...openBuy.map((o) => o.limitPrice));
        const bestSell = Math.min(Number.MAX_SAFE_INTEGER, ...openSell.map((o) => o.limitPrice));
        expect(bestBuy < bestSell || openBuy.length === 0 || openSell.length === 0).toBe(true);
      }),
    );
  });

  it("gives a solution whose fills pair exactly the filled energy of each intent", () => {
    fc.assert(
      fc.property(bookArb, (orders) => {
        const r = meritOrderClearing(orders, { rule: "uniform", kPpm: 500_000 });
        const sol = solutionOf({
          interval: 5,
          islands: [
            {
              buses: [1],
              intents: orders.map((o, i) => ({ seq: i, side: o.side, outcome: r.intents[i] })),
              price: r.prices.uniform ?? null,
              upstream: true,
            },
          ],
        });
        const filled = new Map<number, number>();
        for (const [b, s, e] of sol?.fills ?? []) {
          filled.set(b, (filled.get(b) ?? 0) + e);
          filled.set(s, (filled.get(s) ?? 0) + e);
        }
        for (let i = 0; i < orders.length; i++) expect(filled.get(i) ?? 0).toBe(r.intents[i].filledWh);
        const keys = (sol?.fills ?? []).map(([b, s]) => b * 1000 + s);
        expect(keys).toEqual([...keys].sort((a, b) => a - b));
      }),
    );
  });
});

describe("Jokar et al. attacks (properties from data/theft/README.md)", () => {
  const dayArb = fc.array(fc.double({ min: 0, max: 5000, noNaN: true }), { minLength: 4, maxLength: 96 });
  const sum = (x: ArrayLike<number>) => Array.from(x).reduce((a, b) => a + b, 0);
  it("h5 and h6 keep the daily total; h1, h3, h4 report at most 80 % of it; h6 twice is the identity", () => {
    fc.assert(
      fc.property(dayArb, fc.integer({ min: 0, max: 1000 }), (x, seed) => {
        const rng = createRng(seed);
        const total = sum(x);
        expect(sum(tamperDay("h5", x, rng))).toBeCloseTo(total, 6);
        expect(sum(tamperDay("h6", x, rng))).toBeCloseTo(total, 6);
        for (const h of ["h1", "h3", "h4"] as const)
          expect(sum(tamperDay(h, x, rng))).toBeLessThanOrEqual(0.8 * total + 1e-6);
        expect(sum(tamperDay("h2", x, rng))).toBeLessThanOrEqual(total + 1e-9);
        expect(Array.from(tamperDay("h6", tamperDay("h6", x, rng), rng))).toEqual(x);
      }),
    );
  });
});

describe("gini", () => {
  it("is 0 for equal costs and (n − 1)/n when one household bears all", () => {
    expect(gini([5, 5, 5, 5])).toBeCloseTo(0, 12);
    expect(gini([0, 0, 0, 8])).toBeCloseTo(3 / 4, 12);
    // Mean absolute difference over twice the mean, computed directly.
    const xs = [1, 2, 3, 10];
    let d = 0;
    for (const a of xs) for (const b of xs) d += Math.abs(a - b);
    expect(gini(xs)).toBeCloseTo(d / (2 * xs.length * xs.length * (16 / 4)), 12);
  });
});

describe("IEEE 1547 volt-watt as the simulator registers it", () => {
  it("limits PV to the default curve between 1.06 and 1.10 p.u. (micro per-unit fixed point)", async () => {
    const { resolveSettings } = await import("../der/ieee1547/resolve.js");
    const { voltWattLimit } = await import("../der/ieee1547/setpoints.js");
    const s = resolveSettings({ voltWatt: {} }, { category: "III" }).settings;
    expect(voltWattLimit(s, 1_000_000)).toBe(1_000_000);
    // IEEE 1547-2018 Table 10 defaults: (1.06, 1.0) to (1.10, 0.2): halfway is 0.6.
    expect(voltWattLimit(s, 1_080_000)).toBeCloseTo(600_000, 0);
  });
});
