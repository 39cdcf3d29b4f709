import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../core/data.js";
import { highsSolver } from "../grid/lp/highs.js";
import type { LpSolver } from "../grid/lp/types.js";
import { readCase } from "../grid/matpower/index.js";
import type { Network } from "../grid/model.js";
import { clearMarket } from "./clear.js";
import { marketArb, treasury } from "./test-support.js";
import type { Order } from "./types.js";

let solver: LpSolver;
let feeder: Network;
beforeAll(async () => {
  solver = await highsSolver();
  // Island A: 1-2-3 with branch 1-2 limited to 20 kW (5,000 Wh in 15 min); island B: 4-5 unlimited.
  feeder = readCase(`${projectRoot()}/docs/examples/feeder.m`);
});

const o = (id: string, side: "buy" | "sell", quantityWh: number, limitPrice: number, bus: number): Order => ({
  id,
  side,
  quantityWh,
  minFillWh: 0,
  limitPrice,
  bus,
});

const lmp = (r: ReturnType<typeof clearMarket>, bus: number) =>
  r.prices.buses!.find((b) => b.id === bus)!.lmp;

describe("network-constrained clearing", () => {
  it("limits a congested branch and prices each side at its marginal order", () => {
    // A cheap seller at bus 1 and a buyer at bus 2 want 8,000 Wh; branch 1-2 carries 5,000 Wh.
    const r = clearMarket([o("s", "sell", 8000, 100_000, 1), o("b", "buy", 8000, 300_000, 2)], {
      network: feeder,
      solver,
    });
    expect(r.intents.map((x) => x.filledWh)).toEqual([5000, 5000]);
    // Both are partly filled, so each sets the price at its own bus.
    expect(lmp(r, 1)).toBe(100_000);
    expect(lmp(r, 2)).toBe(300_000);
    expect(lmp(r, 3)).toBe(300_000);
    // The buyer pays 300,000 and the seller receives 100,000 per kWh: the difference is congestion rent.
    expect(r.intents.map((x) => x.price)).toEqual([100_000, 300_000]);
    // One more kWh of rating on branch 0 (1→2, at its from→to limit) is worth 300,000 − 100,000.
    expect(r.branchShadowPrices).toHaveLength(1);
    expect(r.branchShadowPrices![0][0]).toBe(0);
    expect(r.branchShadowPrices![0][1]).toBeCloseTo(200_000, 3);
    expect(treasury([o("s", "sell", 8000, 100_000, 1), o("b", "buy", 8000, 300_000, 2)], r)).toBe(
      (5000 * (300_000 - 100_000)) / 1000,
    );
  });

  it("scales the limit with the interval: 20 kW over 60 minutes is 20,000 Wh", () => {
    const r = clearMarket([o("s", "sell", 30_000, 100_000, 1), o("b", "buy", 30_000, 300_000, 2)], {
      network: feeder,
      solver,
      intervalMinutes: 60,
    });
    expect(r.intents[0].filledWh).toBe(20_000);
  });

  it("clears islands separately (same welfare as each island alone) at competitive LMPs", () => {
    const A = [1, 2, 3];
    fc.assert(
      fc.property(
        marketArb({ maxOrders: 10, maxPrice: 1000, maxQuantityWh: 10_000, buses: [1, 2, 3, 4, 5] }),
        (orders) => {
          const all = clearMarket(orders, { network: feeder, solver });
          const inA = orders.filter((x) => A.includes(x.bus!));
          const inB = orders.filter((x) => !A.includes(x.bus!));
          const a = clearMarket(inA, { network: feeder, solver });
          const b = clearMarket(inB, { network: feeder, solver });
          // LMPs are competitive at every bus: filled orders in the money, orders left with energy not in it.
          all.intents.forEach((x, i) => {
            const ord = orders[i];
            if (all.status !== "cleared") return;
            const p = lmp(all, ord.bus!);
            const inMoney = ord.side === "buy" ? ord.limitPrice - p : p - ord.limitPrice;
            if (x.filledWh > 0) expect(inMoney).toBeGreaterThanOrEqual(0);
            if (x.filledWh < ord.quantityWh) expect(inMoney).toBeLessThanOrEqual(0);
          });
          expect(Math.abs(all.welfare - (a.welfare + b.welfare))).toBeLessThanOrEqual(1);
          const byId = new Map(orders.map((x) => [x.id, x]));
          for (const f of all.fills) {
            expect(A.includes(byId.get(f.buyer)!.bus!)).toBe(A.includes(byId.get(f.seller)!.bus!));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("is deterministic and independent of the input order", () => {
    fc.assert(
      fc.property(
        marketArb({
          maxOrders: 10,
          maxPrice: 1000,
          maxQuantityWh: 10_000,
          buses: [1, 2, 3, 4, 5],
          predicates: true,
          minFills: true,
        }),
        (orders) => {
          const a = clearMarket(orders, { network: feeder, solver });
          expect(clearMarket(orders, { network: feeder, solver })).toEqual(a);
          // The model is laid out by id, so reversing the input changes nothing but the order of intents.
          const b = clearMarket([...orders].reverse(), { network: feeder, solver });
          expect(b.intents).toEqual([...a.intents].reverse());
          expect(b.fills).toEqual(a.fills);
          expect(b.prices).toEqual(a.prices);
        },
      ),
      { numRuns: 20 },
    );
  });

  it("breaks ties by id, as the fast path does: equal buyers at one bus are rationed in id order", () => {
    const orders = [
      o("zed", "buy", 3000, 200_000, 3),
      o("amy", "buy", 3000, 200_000, 3),
      o("s", "sell", 4000, 100_000, 2),
    ];
    for (const list of [orders, [...orders].reverse()]) {
      const r = clearMarket(list, { network: feeder, solver });
      const by = new Map(r.intents.map((x) => [x.id, x.filledWh]));
      expect(by.get("amy")).toBe(3000);
      expect(by.get("zed")).toBe(1000);
    }
    // Without network, through the LP (a predicate elsewhere): the same rule.
    const withPredicate = [...orders, { ...o("p", "buy", 10, 1, 1), predicates: [{ exclude: ["s"] }] }];
    const r = clearMarket(withPredicate, { solver });
    expect(r.intents.map((x) => x.filledWh)).toEqual([1000, 3000, 4000, 0]);
  });

  it("honours maxBusDistance in branches of the case (bus 3 is 2 branches from bus 1, 1 from bus 2)", () => {
    const orders = [
      { ...o("near", "sell", 1000, 200_000, 2) },
      { ...o("far", "sell", 1000, 100_000, 1) },
      { ...o("b", "buy", 1500, 300_000, 3), predicates: [{ maxBusDistance: 1 }] },
    ];
    const r = clearMarket(orders, { network: feeder, solver });
    // The cheaper seller is too far: the buyer takes all of the near one and nothing else.
    expect(r.fills).toEqual([{ buyer: "b", seller: "near", energyWh: 1000 }]);
    const wider = orders.map((x) => (x.id === "b" ? { ...x, predicates: [{ maxBusDistance: 2 }] } : x));
    expect(clearMarket(wider, { network: feeder, solver }).intents[2].filledWh).toBe(1500);
  });

  it("needs a solver, and a bus of the case for every intent, with coded errors", () => {
    const orders = [o("s", "sell", 10, 1, 1), o("b", "buy", 10, 2, 2)];
    expect(() => clearMarket(orders, { network: feeder })).toThrow(
      expect.objectContaining({ code: "MARKET_SOLVER_REQUIRED" }),
    );
    expect(() =>
      clearMarket([{ ...orders[0], bus: undefined }, orders[1]], { network: feeder, solver }),
    ).toThrow(expect.objectContaining({ code: "MARKET_NO_BUS" }));
    expect(() => clearMarket([{ ...orders[0], bus: 77 }, orders[1]], { network: feeder, solver })).toThrow(
      expect.objectContaining({ code: "MARKET_UNKNOWN_BUS" }),
    );
  });
});
