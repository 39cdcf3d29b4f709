import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { dataPath, projectRoot } from "../core/data.js";
import { readCase } from "../grid/matpower/parse.js";
import { describeData } from "../test-support/data.js";
import { parseScenario, readScenarioFile } from "./scenario.js";
import { simulateScenario } from "./simulate.js";
import { checkScenario } from "./validate.js";
import { buildWorld } from "./world.js";

const file = resolve(projectRoot(), "examples", "community-year.yaml");

describeData("examples/community-year.yaml: the year benchmark's scenario", () => {
  const dir = mkdtempSync(join(tmpdir(), "plurigrid-year-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is a valid year at 15 minutes with 1,000 households spread over every load bus of case141", () => {
    const { scenario } = readScenarioFile(file);
    checkScenario(scenario);
    expect(scenario.network.case).toBe("case141");
    expect((scenario.durationHours * 60) / scenario.intervalMinutes).toBe(365 * 96);
    const households = scenario.groups.reduce((n, g) => n + g.count, 0);
    expect(households).toBe(1000);
    const net = readCase(dataPath("grid", "case141.m"));
    const loadBuses: number[] = [];
    for (let i = 0; i < net.bus.count; i++) if (net.bus.pdMw[i] > 0) loadBuses.push(net.bus.id[i]);
    const groupBuses = new Set(scenario.groups.flatMap((g) => g.buses));
    expect([...groupBuses].sort((a, b) => a - b)).toEqual(loadBuses.sort((a, b) => a - b));
    const g = scenario.groups[0];
    expect(g.pv?.sharePct ?? 0).toBeGreaterThan(0);
    expect(g.battery?.sharePct ?? 0).toBeGreaterThan(0);
  });

  it("gives every participant the money to buy its whole load for the year at the upstream tariff", () => {
    // The first week's load, at the dearest price a buyer pays (the upstream sell price), times 53 weeks.
    const raw = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    const week = parseScenario({ ...raw, durationHours: 7 * 24 });
    const world = buildWorld(week);
    const price = week.market.upstream.sellMicrosPerKWh;
    for (const a of world.agents) {
      let wh = 0;
      for (const x of a.loadWh) wh += x;
      expect((wh * price * 53) / 1000, a.id).toBeLessThan(a.balanceMicros);
    }
  });

  it("its first two intervals run through the protocol, bid day-ahead and read daily; money is conserved", async () => {
    const raw = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    const slice = { ...raw, durationHours: 0.5 };
    const scenario = parseScenario(slice);
    const r = await simulateScenario(scenario, stringify(slice), {
      outDir: join(dir, "slice"),
      progress: false,
      report: false,
    });
    const s = r.summary as {
      scenario: { intervals: number; participants: number; households: number };
      totals: {
        loadWh: number;
        loadServedWh: number;
        criticalServedShare: number;
        powerFlowFailures: number;
      };
      money: { totalMicrosBefore: number; totalMicrosAfter: number };
      rejections: Record<string, number>;
      capitalEfficiency: { optimalProfitMicros: number; efficiency: number | null }[];
    };
    expect(s.scenario.intervals).toBe(2);
    expect(s.scenario.households).toBe(1000);
    // Day-ahead bids and daily uploads: per participant one intent series and one upload of readings for
    // the slice, fewer than the intent and reading per interval that per-interval mode signs.
    expect(scenario.market.intents).toBe("day-ahead");
    expect(scenario.meters.upload).toBe("daily");
    expect(r.manifest.ledger.txCount).toBeGreaterThanOrEqual(2 * s.scenario.participants);
    expect(r.manifest.ledger.txCount).toBeLessThan(2 * 2 * s.scenario.participants);
    expect(s.money.totalMicrosAfter).toBe(s.money.totalMicrosBefore);
    expect(s.totals.powerFlowFailures).toBe(0);
    expect(s.totals.criticalServedShare).toBe(1);
    expect(s.totals.loadServedWh).toBeGreaterThan(0);
    expect(s.totals.loadServedWh).toBeLessThanOrEqual(s.totals.loadWh);
    expect(s.rejections).toEqual({});
    // at night the perfect-foresight optimum is about zero: a ratio is stated only over at least one micro
    expect(s.capitalEfficiency.length).toBeGreaterThan(0);
    for (const c of s.capitalEfficiency)
      if (c.efficiency !== null) expect(c.optimalProfitMicros).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
