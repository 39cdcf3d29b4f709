import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../core/data.js";
import { highsSolver } from "../grid/lp/highs.js";
import type { LpSolver } from "../grid/lp/types.js";
import { readCase } from "../grid/matpower/index.js";
import { lpClear } from "./lp-clearing.js";
import { locate, type MarketGrid, marketGrid } from "./network.js";
import { orderTable } from "./orders.js";
import type { Order } from "./types.js";

let solver: LpSolver;
let grid: MarketGrid;
beforeAll(async () => {
  solver = await highsSolver();
  // Island A: 1-2-3 with branch 1-2 limited to 20 kW (5,000 Wh in 15 min); island B: 4-5 unlimited.
  grid = marketGrid(readCase(`${projectRoot()}/docs/examples/feeder.m`));
});

/** Few buses and few prices: many orders share a level (side, bus, limit). */
const ordersArb = fc
  .array(
    fc.record({
      side: fc.constantFrom<"buy" | "sell">("buy", "sell"),
      quantityWh: fc.integer({ min: 1, max: 6_000 }),
      limitPrice: fc.constantFrom(50_000, 100_000, 200_000, 300_000),
      bus: fc.constantFrom(1, 2, 3, 4, 5),
    }),
    { minLength: 2, maxLength: 24 },
  )
  .map((xs) => xs.map((x, i): Order => ({ ...x, id: `o-${String(i).padStart(2, "0")}`, minFillWh: 0 })));

function clearBoth(orders: Order[]) {
  const table = orderTable(orders);
  const where = locate(table, grid);
  const run = (mergeLevels: boolean) =>
    lpClear({
      table,
      residualWh: Float64Array.from(orders, (o) => o.quantityWh),
      residualMinWh: new Float64Array(orders.length),
      where,
      grid,
      rule: null,
      intervalMinutes: 15,
      solver,
      mergeLevels,
    });
  return { merged: run(true), single: run(false) };
}

const welfare = (orders: Order[], filled: Float64Array) =>
  orders.reduce((w, o, i) => w + ((o.side === "buy" ? 1 : -1) * o.limitPrice * filled[i]) / 1000, 0);

describe("the clearing LP with one column per level of interchangeable orders", () => {
  it("reaches the welfare of one column per order, prices every fill in the money, and fills each level in id order (property)", () => {
    let shared = 0;
    fc.assert(
      fc.property(ordersArb, (orders) => {
        const { merged, single } = clearBoth(orders);
        expect(merged.status).toBe(single.status);
        if (merged.status !== "optimal") return;
        // Whole-Wh rounding of a level's sum can differ from the sum of its orders' roundings by a few Wh.
        const tolerance = (orders.length * 300_000) / 1000;
        expect(
          Math.abs(welfare(orders, merged.filledWh) - welfare(orders, single.filledWh)),
        ).toBeLessThanOrEqual(tolerance);
        // Prices from the duals (not unique where supply meets demand exactly): in the money for every fill.
        orders.forEach((o, i) => {
          if (merged.filledWh[i] === 0) return;
          if (o.side === "buy") expect(merged.price[i]).toBeLessThanOrEqual(o.limitPrice + 1e-6);
          else expect(merged.price[i]).toBeGreaterThanOrEqual(o.limitPrice - 1e-6);
        });
        const levels = new Map<string, number[]>();
        orders.forEach((o, i) => {
          expect(merged.filledWh[i]).toBeGreaterThanOrEqual(0);
          expect(merged.filledWh[i]).toBeLessThanOrEqual(o.quantityWh);
          const key = `${o.side}:${o.bus}:${o.limitPrice}`;
          levels.set(key, [...(levels.get(key) ?? []), i]);
        });
        for (const members of levels.values()) {
          if (members.length > 1) shared++;
          // Ids are in index order: an order gets energy only when every earlier one of its level is full.
          for (let k = 1; k < members.length; k++) {
            if (merged.filledWh[members[k]] > 0) {
              expect(merged.filledWh[members[k - 1]]).toBe(orders[members[k - 1]].quantityWh);
            }
          }
        }
      }),
      { numRuns: 150 },
    );
    // The property was not vacuous: levels with several orders were cleared.
    expect(shared).toBeGreaterThan(50);
  });
});
