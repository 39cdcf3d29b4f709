import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../core/data.js";
import { highsSolver } from "../grid/lp/highs.js";
import type { LpSolver } from "../grid/lp/types.js";
import { readCase } from "../grid/matpower/index.js";
import { clearMarket } from "./clear.js";
import { marketArb, treasury } from "./test-support.js";
import type { Order } from "./types.js";

let solver: LpSolver;
beforeAll(async () => {
  solver = await highsSolver();
});

const lifeline = { priceMicrosPerKWh: 200, baselineWhPerParticipant: 10 };

describe("lifeline priority", () => {
  it("serves critical, then baseline up to the household allowance, at the regulated price", () => {
    // Supply 50 Wh (limit 100 ≤ 200), demand 170 Wh: the island is short.
    const orders: Order[] = [
      { id: "rich", side: "buy", quantityWh: 100, minFillWh: 0, limitPrice: 1000, participant: "r" },
      {
        id: "home",
        side: "buy",
        quantityWh: 40,
        minFillWh: 0,
        limitPrice: 500,
        participant: "h",
        priority: "baseline",
      },
      {
        id: "clinic",
        side: "buy",
        quantityWh: 30,
        minFillWh: 0,
        limitPrice: 500,
        participant: "c",
        priority: "critical",
      },
      { id: "pv", side: "sell", quantityWh: 50, minFillWh: 0, limitPrice: 100, participant: "s" },
    ];
    const r = clearMarket(orders, { lifeline });
    const by = new Map(r.intents.map((x) => [x.id, x]));
    // Clinic: all 30 Wh under the lifeline; home: its 10 Wh allowance; the 10 Wh left go by price to "rich".
    expect(by.get("clinic")).toEqual({ id: "clinic", filledWh: 30, price: 200, lifelineWh: 30 });
    expect(by.get("home")).toEqual({ id: "home", filledWh: 10, price: 200, lifelineWh: 10 });
    expect(by.get("rich")!.filledWh).toBe(10);
    expect(by.get("pv")!.filledWh).toBe(50);
    expect(by.get("pv")!.lifelineWh).toBe(40);
    expect(r.prices.lifeline).toBe(200);
    // Without the lifeline, price alone would give everything to "rich".
    expect(clearMarket(orders).intents[0].filledWh).toBe(50);
  });

  it("does nothing when the island covers its demand", () => {
    fc.assert(
      fc.property(marketArb({ priorities: true }), (orders) => {
        const demand = orders.filter((x) => x.side === "buy").reduce((s, x) => s + x.quantityWh, 0);
        const supply = orders.filter((x) => x.side === "sell").reduce((s, x) => s + x.quantityWh, 0);
        if (supply < demand) return;
        expect(clearMarket(orders, { lifeline })).toEqual(clearMarket(orders));
      }),
      { numRuns: 200 },
    );
  });

  it("in a short island serves all it can of eligible critical demand, and stays rational and balanced", () => {
    fc.assert(
      fc.property(marketArb({ priorities: true, maxPrice: 400 }), (orders) => {
        const r = clearMarket(orders, { lifeline });
        const demand = orders.filter((x) => x.side === "buy").reduce((s, x) => s + x.quantityWh, 0);
        const sells = orders.filter((x) => x.side === "sell");
        const supply = sells.reduce((s, x) => s + x.quantityWh, 0);
        const eligibleSupply = sells
          .filter((x) => x.limitPrice <= lifeline.priceMicrosPerKWh)
          .reduce((s, x) => s + x.quantityWh, 0);
        const critical = orders.filter(
          (x) => x.side === "buy" && x.priority === "critical" && x.limitPrice >= lifeline.priceMicrosPerKWh,
        );
        const criticalDemand = critical.reduce((s, x) => s + x.quantityWh, 0);
        const lifelineOf = (id: string) => r.intents.find((x) => x.id === id)!.lifelineWh ?? 0;
        const servedCritical = critical.reduce((s, x) => s + lifelineOf(x.id), 0);
        if (supply < demand) expect(servedCritical).toBe(Math.min(criticalDemand, eligibleSupply));
        r.intents.forEach((x, i) => {
          const ord = orders[i];
          expect(x.filledWh).toBeLessThanOrEqual(ord.quantityWh);
          expect(x.lifelineWh ?? 0).toBeLessThanOrEqual(x.filledWh);
          if ((x.lifelineWh ?? 0) > 0) {
            // The regulated price is rational for everyone served under it.
            if (ord.side === "buy") expect(ord.limitPrice).toBeGreaterThanOrEqual(lifeline.priceMicrosPerKWh);
            else expect(ord.limitPrice).toBeLessThanOrEqual(lifeline.priceMicrosPerKWh);
            if (ord.priority === "baseline") expect(x.lifelineWh).toBeLessThanOrEqual(10);
          }
          if (x.filledWh > (x.lifelineWh ?? 0) && x.price !== null) {
            if (ord.side === "buy") expect(x.price).toBeLessThanOrEqual(ord.limitPrice);
            else expect(x.price).toBeGreaterThanOrEqual(ord.limitPrice);
          }
        });
        expect(treasury(orders, r)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it("on a network stays rational and balanced and keeps within the branch limit", () => {
    const feeder = readCase(`${projectRoot()}/docs/examples/feeder.m`);
    fc.assert(
      fc.property(
        marketArb({ priorities: true, maxPrice: 400, maxQuantityWh: 4000, buses: [1, 2, 3, 4, 5] }),
        (orders) => {
          const r = clearMarket(orders, { network: feeder, solver, lifeline });
          expect(r.status).not.toBe("infeasible");
          // Bus 1 is the end of island A's chain 1-2-3: its net injection is the flow on branch 1-2.
          let atBus1 = 0;
          r.intents.forEach((x, i) => {
            const ord = orders[i];
            expect(x.filledWh).toBeLessThanOrEqual(ord.quantityWh);
            if ((x.lifelineWh ?? 0) > 0 && ord.side === "buy") {
              expect(ord.limitPrice).toBeGreaterThanOrEqual(lifeline.priceMicrosPerKWh);
            }
            if (ord.bus === 1) atBus1 += (ord.side === "sell" ? 1 : -1) * x.filledWh;
          });
          expect(Math.abs(atBus1)).toBeLessThanOrEqual(5000 + 250);
          expect(treasury(orders, r)).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("applies per island on a network, as far as the branches carry it", () => {
    const feeder = readCase(`${projectRoot()}/docs/examples/feeder.m`);
    const orders: Order[] = [
      // Island A (buses 1-3) is short; island B (4-5) is not.
      {
        id: "a-crit",
        side: "buy",
        quantityWh: 4000,
        minFillWh: 0,
        limitPrice: 500,
        bus: 2,
        priority: "critical",
      },
      { id: "a-buy", side: "buy", quantityWh: 9000, minFillWh: 0, limitPrice: 900, bus: 3 },
      { id: "a-pv", side: "sell", quantityWh: 6000, minFillWh: 0, limitPrice: 100, bus: 1 },
      {
        id: "b-crit",
        side: "buy",
        quantityWh: 1000,
        minFillWh: 0,
        limitPrice: 500,
        bus: 5,
        priority: "critical",
      },
      { id: "b-pv", side: "sell", quantityWh: 3000, minFillWh: 0, limitPrice: 100, bus: 4 },
    ];
    const r = clearMarket(orders, { network: feeder, solver, lifeline });
    const by = new Map(r.intents.map((x) => [x.id, x]));
    expect(by.get("a-crit")!.lifelineWh).toBe(4000);
    // Branch 1-2 carries at most 5,000 Wh: 4,000 of lifeline leave 1,000 for the market.
    expect(by.get("a-buy")!.filledWh).toBe(1000);
    expect(by.get("b-crit")!.lifelineWh).toBeUndefined();
    expect(by.get("b-crit")!.filledWh).toBe(1000);
    // A lifeline the branch cannot carry is served as far as it goes (5,000 Wh), critical first.
    const tooMuch = orders.map((x) => (x.id === "a-crit" ? { ...x, quantityWh: 6000 } : x));
    const t = clearMarket(tooMuch, { network: feeder, solver, lifeline });
    expect(t.status).toBe("cleared");
    const tb = new Map(t.intents.map((x) => [x.id, x]));
    expect(tb.get("a-crit")!.lifelineWh).toBe(5000);
    expect(tb.get("a-crit")!.filledWh).toBe(5000);
    expect(tb.get("a-buy")!.filledWh).toBe(0);
    expect(tb.get("a-pv")!.lifelineWh).toBe(5000);
  });
});
