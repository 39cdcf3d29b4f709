import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { LpSolver } from "../grid/lp/types.js";
import { type ScheduleInput, scheduleBattery, scheduleBatteryLp } from "./schedule.js";
import { simSolver } from "./simulate.js";

/**
 * The dynamic program against the same problem written as an LP and solved by HiGHS: two independent
 * methods, one optimum. The schedule the program returns must also be feasible on its own.
 */
let solver: LpSolver;
beforeAll(async () => {
  solver = await simSolver();
});

const instance = fc
  .record({
    n: fc.integer({ min: 1, max: 48 }),
    seed: fc.array(fc.integer({ min: -6_000, max: 6_000 }), { minLength: 48, maxLength: 48 }),
    prices: fc.array(fc.integer({ min: 0, max: 400_000 }), { minLength: 48, maxLength: 48 }),
    spreads: fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 48, maxLength: 48 }),
    ratingW: fc.integer({ min: 0, max: 20_000 }),
    capacityWh: fc.integer({ min: 1, max: 40_000 }),
    minPct: fc.integer({ min: 0, max: 50 }),
    socPct: fc.integer({ min: 0, max: 100 }),
    endPct: fc.integer({ min: 0, max: 100 }),
    efficiency: fc.double({ min: 0.7, max: 1, noNaN: true }),
  })
  .map((r): ScheduleInput => {
    const minWh = (r.capacityWh * r.minPct) / 100;
    const buy = r.prices.slice(0, r.n);
    return {
      netWh: r.seed.slice(0, r.n),
      buyMicrosPerKWh: buy,
      sellMicrosPerKWh: buy.map((p, k) => Math.max(0, p - r.spreads[k])),
      ratingW: r.ratingW,
      capacityWh: r.capacityWh,
      minWh,
      efficiency: r.efficiency,
      socWh: minWh + ((r.capacityWh - minWh) * r.socPct) / 100,
      endWh: (r.capacityWh * r.endPct) / 100,
      stepHours: 0.25,
    };
  });

function checkFeasible(input: ScheduleInput, charge: Float64Array, discharge: Float64Array): void {
  const stepWh = input.ratingW * input.stepHours;
  let soc = input.socWh;
  for (let k = 0; k < input.netWh.length; k++) {
    expect(charge[k]).toBeGreaterThanOrEqual(0);
    expect(discharge[k]).toBeGreaterThanOrEqual(0);
    expect(charge[k]).toBeLessThanOrEqual(stepWh + 1e-6);
    expect(discharge[k]).toBeLessThanOrEqual(stepWh + 1e-6);
    soc += input.efficiency * charge[k] - discharge[k] / input.efficiency;
    expect(soc).toBeGreaterThanOrEqual(input.minWh - 1e-6);
    expect(soc).toBeLessThanOrEqual(input.capacityWh + 1e-6);
  }
  expect(soc).toBeGreaterThanOrEqual(Math.min(input.capacityWh, Math.max(input.minWh, input.endWh)) - 1e-6);
}

describe("battery schedule: dynamic program", () => {
  it("reaches the LP's optimum, with a feasible schedule, on random instances (property)", () => {
    let solved = 0;
    let infeasible = 0;
    fc.assert(
      fc.property(instance, (input) => {
        const dp = scheduleBattery(input);
        const lp = scheduleBatteryLp(solver, input);
        expect(dp.ok).toBe(lp.ok);
        if (!lp.ok) {
          infeasible++;
          return;
        }
        solved++;
        checkFeasible(input, dp.chargeWh, dp.dischargeWh);
        const scale = 1 + Math.abs(lp.costMicros);
        expect(Math.abs(dp.costMicros - lp.costMicros) / scale).toBeLessThan(1e-6);
      }),
      { numRuns: 300 },
    );
    // Both kinds of instance were drawn.
    expect(solved).toBeGreaterThan(100);
    expect(infeasible).toBeGreaterThan(0);
  });

  it("buys low and sells high: a day of two prices is arbitraged up to the battery's limits", () => {
    // No load: charge at 0.10 for four intervals, discharge at 0.40 for four, 90 % one-way efficiency.
    const prices = [100_000, 100_000, 100_000, 100_000, 400_000, 400_000, 400_000, 400_000];
    const input: ScheduleInput = {
      netWh: prices.map(() => 0),
      buyMicrosPerKWh: prices,
      sellMicrosPerKWh: prices.map((p) => p - 1),
      ratingW: 4_000,
      capacityWh: 100_000,
      minWh: 0,
      efficiency: 0.9,
      socWh: 0,
      endWh: 0,
      stepHours: 0.25,
    };
    const s = scheduleBattery(input);
    expect(s.ok).toBe(true);
    // 1 kWh in per cheap interval (the rating) stores 0.9 kWh each; the 3.6 kWh stored give 3.24 kWh back,
    // sold in the dear intervals at most 1 kWh (the rating) at a time.
    expect([...s.chargeWh]).toEqual([1_000, 1_000, 1_000, 1_000, 0, 0, 0, 0]);
    expect([...s.dischargeWh.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
    expect(s.dischargeWh.reduce((a, b) => a + b, 0)).toBeCloseTo(3_240, 6);
    for (const d of s.dischargeWh) expect(d).toBeLessThanOrEqual(1_000);
    expect(s.costMicros).toBeCloseTo(4 * 100_000 - (3_240 * 399_999) / 1000, 4);
  });

  it("plans a year of 15-minute intervals in one pass (the perfect-foresight optimum of capital efficiency)", () => {
    const n = 35_040;
    const net = new Float64Array(n);
    const price = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      net[k] = 400 * Math.sin(k / 9) + 150 * Math.cos(k / 31);
      price[k] = 150_000 + 100_000 * Math.sin((2 * Math.PI * k) / 96) + (k % 17) * 900;
    }
    const input: ScheduleInput = {
      netWh: net,
      buyMicrosPerKWh: price,
      sellMicrosPerKWh: price.map((p) => p - 1),
      ratingW: 5_000,
      capacityWh: 13_500,
      minWh: 1_350,
      efficiency: 0.95,
      socWh: 6_750,
      endWh: 6_750,
      stepHours: 0.25,
    };
    const s = scheduleBattery(input);
    expect(s.ok).toBe(true);
    checkFeasible(input, s.chargeWh, s.dischargeWh);
    // And a week of the same data against HiGHS.
    const week = { ...input, netWh: net.subarray(0, 672), buyMicrosPerKWh: price.subarray(0, 672) };
    week.sellMicrosPerKWh = week.buyMicrosPerKWh.map((p) => p - 1);
    const dp = scheduleBattery(week);
    const lp = scheduleBatteryLp(solver, week);
    expect(Math.abs(dp.costMicros - lp.costMicros) / Math.abs(lp.costMicros)).toBeLessThan(1e-6);
  });
});
