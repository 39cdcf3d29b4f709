import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { dbPathOf } from "../node/init.js";
import { verifyChain } from "../node/verify.js";
import { ESCROW_ACCOUNT } from "../protocol/market/state.js";
import { describeData } from "../test-support/data.js";
import { readingRuns, seriesOfAgent } from "./day-ahead.js";
import { type RunResult, runWorld } from "./run.js";
import { simSolver } from "./simulate.js";
import { ordersOf } from "./strategies.js";
import { testScenario } from "./test-scenario.js";
import { buildWorld } from "./world.js";

/**
 * The test feeder for 32 hours (12:00 to 20:00 the next day, so two UTC days and their boundary), once as
 * per-interval bids and readings and once bid day-ahead and read daily: the physics and the books must hold
 * in both, and the second must need a fraction of the transactions.
 */
describeData("day-ahead bids and daily meter uploads on the protocol", () => {
  let dir: string;
  let perInterval: RunResult;
  let dayAhead: RunResult;
  let sequential: RunResult;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "plurigrid-day-ahead-"));
    const solver = await simSolver();
    perInterval = await runWorld(buildWorld(testScenario({ durationHours: 32 }).scenario), { solver });
    const world = buildWorld(
      testScenario({
        durationHours: 32,
        market: { intents: "day-ahead" },
        meters: { upload: "daily" },
      }).scenario,
    );
    dayAhead = await runWorld(world, { ledgerDir: join(dir, "ledger"), solver });
    sequential = await runWorld(buildWorld(world.scenario), { solver, clearingThread: false });
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("balances energy in every interval and conserves money; the escrow ends empty", () => {
    expect(dayAhead.metrics.intervals).toHaveLength(128);
    for (const x of dayAhead.metrics.intervals) {
      expect(x.pfConverged).toBe(true);
      expect(Math.abs(x.upstreamWh + x.pvWh + x.batteryNetWh - x.loadServedWh - x.lossesWh)).toBeLessThan(1);
    }
    let before = 0;
    let after = 0;
    for (const v of dayAhead.balances.initial.values()) before += v;
    for (const v of dayAhead.balances.final.values()) after += v;
    expect(after).toBe(before);
    expect(dayAhead.balances.final.get(ESCROW_ACCOUNT)).toBe(0);
  });

  it("clears ahead on the clearing thread where the next book is final, and the chain is the same without", () => {
    // Not across the day boundary, the outage or the island's intervals; most of the other intervals.
    expect(dayAhead.clearedAhead).toBeGreaterThan(64);
    expect(dayAhead.clearedAhead).toBeLessThan(dayAhead.metrics.intervals.length - 8);
    expect(sequential.clearedAhead).toBe(0);
    expect(sequential.ledger).toEqual(dayAhead.ledger);
    expect(JSON.stringify(sequential.metrics.intervals)).toBe(JSON.stringify(dayAhead.metrics.intervals));
  });

  it("writes a ledger that plurigrid verify replays", async () => {
    const outcome = await verifyChain(dbPathOf(join(dir, "ledger")), { threads: 0 });
    expect(outcome).toMatchObject({
      ok: true,
      stateRoot: dayAhead.ledger.stateRoot,
      txCount: dayAhead.ledger.txCount,
    });
  });

  it("needs a fraction of the transactions of per-interval bidding, and the protocol accepts them", () => {
    expect(dayAhead.ledger.txCount * 5).toBeLessThan(perInterval.ledger.txCount);
    const codes = [...dayAhead.metrics.rejections.keys()];
    expect(codes.filter((c) => c.startsWith("SOLUTION_") || c.startsWith("MARKET_"))).toEqual([]);
    // Every interval cleared local trades or imports; the market traded in daylight on both days.
    const local = dayAhead.metrics.intervals.filter((x) => x.localVolumeWh > 0).map((x) => x.step);
    expect(local.some((k) => k < 32)).toBe(true);
    expect(local.some((k) => k >= 96)).toBe(true);
  });

  it("serves the island's critical load during the outage (its grid former bids per interval)", () => {
    const islanded = dayAhead.metrics.intervals.filter((x) => x.islandedBuses > 0);
    expect(islanded).toHaveLength(8);
    for (const x of islanded) expect(x.criticalServedWh).toBeGreaterThanOrEqual(x.criticalWh - 1);
  });

  it("places over a day exactly the orders ordersOf places interval by interval (property)", () => {
    const { world } = perInterval;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: world.agents.length - 1 }),
        fc.array(fc.double({ min: -5_000, max: 5_000, noNaN: true }), { minLength: 1, maxLength: 96 }),
        fc.boolean(),
        (i, positions, doubleSelling) => {
          const a = world.agents[i];
          const plan = positions.map((positionWh) => ({
            chargeWh: 0,
            dischargeWh: 0,
            positionWh,
            loadFcWh: 0,
          }));
          const series = seriesOfAgent(a, plan, 7, world.scenario, doubleSelling);
          // The reference: ordersOf at each step, gathered by order id.
          const byId = new Map<string, { side: string; q: number[]; p: number[] }>();
          plan.forEach((st, j) => {
            for (const o of ordersOf(a, st, world.scenario, doubleSelling, false)) {
              const x = byId.get(o.id) ?? { side: o.side, q: plan.map(() => 0), p: plan.map(() => 0) };
              x.q[j] = o.quantityWh;
              x.p[j] = o.limitPrice;
              byId.set(o.id, x);
            }
          });
          const expected = [...byId.keys()].sort().map((id) => byId.get(id)!);
          expect(series.map((x) => ({ side: x.side, q: x.quantitiesWh, p: x.limitPrices }))).toEqual(
            expected,
          );
          for (const x of series)
            expect(x).toMatchObject({ firstStep: 7, der: a.id, bus: a.busId, priority: "normal" });
        },
      ),
      { numRuns: 200 },
    );
  });

  it("catches the double seller's second day of claims as duplicates, and only its", () => {
    expect(dayAhead.metrics.rejectionsBy.get("ORACLE_DUPLICATE prosumer-x") ?? 0).toBeGreaterThan(0);
    expect(
      [...dayAhead.metrics.rejectionsBy.keys()].filter(
        (k) => k.startsWith("ORACLE_DUPLICATE") && !k.endsWith("prosumer-x"),
      ),
    ).toEqual([]);
    expect(dayAhead.metrics.intervals.reduce((t, x) => t + x.theftWh, 0)).toBeGreaterThan(0);
  });
});

it("splits a day's readings into runs of consecutive intervals", () => {
  expect(
    readingRuns([
      { step: 5, energyWh: 1 },
      { step: 6, energyWh: 2 },
      { step: 8, energyWh: 3 },
    ]),
  ).toEqual([
    { firstStep: 5, energyWh: [1, 2] },
    { firstStep: 8, energyWh: [3] },
  ]);
  expect(readingRuns([])).toEqual([]);
});
