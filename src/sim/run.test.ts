import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { dbPathOf } from "../node/init.js";
import { verifyChain } from "../node/verify.js";
import { ESCROW_ACCOUNT } from "../protocol/market/state.js";
import { describeData } from "../test-support/data.js";
import { type RunResult, runWorld } from "./run.js";
import { simSolver } from "./simulate.js";
import { testScenario } from "./test-scenario.js";
import { buildWorld } from "./world.js";

describeData("a short run of the simulator on the protocol", () => {
  let dir: string;
  let r: RunResult;
  let genesisTotal = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "plurigrid-sim-"));
    const world = buildWorld(testScenario().scenario);
    for (const a of world.genesis.accounts ?? []) genesisTotal += a.micros ?? 0;
    r = await runWorld(world, { ledgerDir: join(dir, "ledger"), solver: await simSolver() });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("balances energy in every interval: upstream + PV + batteries = load served + losses", () => {
    expect(r.metrics.intervals).toHaveLength(32);
    for (const x of r.metrics.intervals) {
      expect(x.pfConverged).toBe(true);
      const gap = x.upstreamWh + x.pvWh + x.batteryNetWh - x.loadServedWh - x.lossesWh;
      // The power flow's mismatch tolerance (1e-8 p.u. on 10 MVA) is far below 1 Wh per interval.
      expect(Math.abs(gap)).toBeLessThan(1);
      expect(x.lossesWh).toBeGreaterThan(0);
      expect(x.loadServedWh).toBeLessThanOrEqual(x.loadWh + 1e-6);
      expect(x.voltWattWh).toBeGreaterThanOrEqual(0);
      expect(x.voltWattWh).toBeLessThanOrEqual(x.curtailedWh + 1e-6);
    }
  });

  it("conserves money: every micro-unit of genesis is still on the ledger, the escrow is empty", () => {
    let before = 0;
    let after = 0;
    for (const v of r.balances.initial.values()) before += v;
    for (const v of r.balances.final.values()) after += v;
    expect(before).toBe(genesisTotal);
    expect(after).toBe(genesisTotal);
    expect(r.balances.final.get(ESCROW_ACCOUNT)).toBe(0);
    // Participants' gains and losses are mirrored exactly by the upstream grid, the treasury and the rest.
    let agents = 0;
    for (const p of r.metrics.participants) agents += p.netMicros;
    let others = 0;
    for (const [acct, v] of r.balances.final) {
      if (!r.world.agents.some((a) => a.account === acct)) others += v - r.balances.initial.get(acct)!;
    }
    expect(agents + others).toBe(0);
  });

  it("writes a real ledger: plurigrid verify replays it from genesis", async () => {
    const outcome = await verifyChain(dbPathOf(join(dir, "ledger")), { threads: 0 });
    expect(outcome.ok).toBe(true);
    if (outcome.ok) {
      expect(outcome.stateRoot).toBe(r.ledger.stateRoot);
      expect(outcome.txCount).toBe(r.ledger.txCount);
    }
    const genesis = JSON.parse(readFileSync(join(dir, "ledger", "genesis.json"), "utf8"));
    expect(genesis.chainId).toBe(r.world.chainId);
  });

  it("seals the same chain on the writer's thread as without a store, on this thread", async () => {
    const inline = await runWorld(buildWorld(testScenario().scenario), { solver: await simSolver() });
    expect(inline.ledger).toEqual(r.ledger);
    expect(r.timing.writerMs).toBeGreaterThan(0);
    expect(inline.timing.writerMs).toBe(0);
  }, 120_000);

  it("every solution is valid and every settlement is accepted by the protocol", () => {
    const codes = [...r.metrics.rejections.keys()];
    expect(codes.filter((c) => c.startsWith("SOLUTION_") || c.startsWith("MARKET_"))).toEqual([]);
    expect(r.metrics.intervals.some((x) => x.localVolumeWh > 0)).toBe(true);
  });

  it("islands buses 26-33 during the outage and serves their critical load first", () => {
    const islanded = r.metrics.intervals.filter((x) => x.islandedBuses > 0);
    expect(islanded).toHaveLength(8); // 16:00-18:00 at 15 minutes
    expect(islanded.every((x) => x.islandedBuses === 8)).toBe(true);
    for (const x of islanded) expect(x.criticalServedWh).toBeGreaterThanOrEqual(x.criticalWh - 1);
  });

  it("records the tampered meter and the double seller's second claims", () => {
    expect(r.metrics.intervals.reduce((t, x) => t + x.theftWh, 0)).toBeGreaterThan(0);
    expect(r.metrics.rejectionsBy.get("ORACLE_DUPLICATE prosumer-x") ?? 0).toBeGreaterThan(0);
    expect(
      [...r.metrics.rejectionsBy.keys()].filter(
        (k) => k.startsWith("ORACLE_DUPLICATE") && !k.endsWith("prosumer-x"),
      ),
    ).toEqual([]);
  });
});

describeData("the same run on a simulation chain signed with sim-digest", () => {
  let dir: string;
  let ed: RunResult;
  let sim: RunResult;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "plurigrid-sim-digest-"));
    const solver = await simSolver();
    ed = await runWorld(buildWorld(testScenario().scenario), { solver });
    const world = buildWorld(testScenario({ signatureScheme: "sim-digest" }).scenario);
    sim = await runWorld(world, { ledgerDir: join(dir, "ledger"), solver });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("fixes the scheme in genesis, and plurigrid verify replays the chain", async () => {
    expect(sim.world.genesis.params?.signatureScheme).toBe("sim-digest");
    expect(ed.world.genesis.params?.signatureScheme).toBeUndefined();
    const outcome = await verifyChain(dbPathOf(join(dir, "ledger")), { threads: 0 });
    expect(outcome).toMatchObject({ ok: true, stateRoot: sim.ledger.stateRoot, txCount: sim.ledger.txCount });
  });

  it("changes the signatures only: the market, the physics and the money come out the same", () => {
    expect(sim.ledger.txCount).toBe(ed.ledger.txCount);
    expect(sim.ledger.stateRoot).not.toBe(ed.ledger.stateRoot); // other keys, other accounts
    expect(sim.metrics.intervals).toEqual(ed.metrics.intervals);
    expect(sim.metrics.participants.map((p) => [p.id, p.netMicros])).toEqual(
      ed.metrics.participants.map((p) => [p.id, p.netMicros]),
    );
    expect([...sim.metrics.rejections]).toEqual([...ed.metrics.rejections]);
  });
});
