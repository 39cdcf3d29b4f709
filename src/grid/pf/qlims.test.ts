import { expect, it } from "vitest";
import { dataPath } from "../../core/data.js";
import { describeData } from "../../test-support/data.js";
import { readCase } from "../matpower/index.js";
import { BusType, type Network } from "../model.js";
import { runPf } from "./run.js";
import { maxAbsDiff } from "./test-support/reference.js";
import type { PfResult } from "./types.js";

const VIOLATION = 5e-6;

/** Every injecting generator at a voltage-controlled bus lies within its limits. */
function expectWithinLimits(net: Network, r: PfResult): void {
  const limited = new Set(r.qLimitedGens);
  for (let g = 0; g < net.gen.count; g++) {
    if (!net.gen.status[g]) continue;
    if (limited.has(g)) {
      const q = r.qgMvar[g];
      expect(q === net.gen.qgMaxMvar[g] || q === net.gen.qgMinMvar[g]).toBe(true);
    } else {
      expect(r.qgMvar[g]).toBeLessThanOrEqual(net.gen.qgMaxMvar[g] + VIOLATION);
      expect(r.qgMvar[g]).toBeGreaterThanOrEqual(net.gen.qgMinMvar[g] - VIOLATION);
    }
  }
}

describeData("reactive limit enforcement (MATPOWER pf.enforce_q_lims = 1)", () => {
  it("case118: fixes the violating units, and the answer is the flow with those buses made PQ", () => {
    const net = readCase(dataPath("grid", "case118.m"));
    const free = runPf(net);
    const r = runPf(net, { enforceQLims: true });
    expect(r.converged).toBe(true);
    expect(r.qLimitedGens.length).toBeGreaterThan(0);
    expect(r.iterations).toBeGreaterThan(free.iterations);
    expectWithinLimits(net, r);
    // The same flow by hand: each limited unit becomes a fixed injection at a PQ bus.
    const byHand = structuredClone(net);
    for (const g of r.qLimitedGens) {
      byHand.gen.qgMvar[g] = r.qgMvar[g];
      byHand.bus.type[net.gen.bus[g]] = BusType.PQ;
    }
    const h = runPf(byHand);
    expect(h.converged).toBe(true);
    expect(maxAbsDiff(r.vmPu, h.vmPu)).toBeLessThan(1e-8);
    expect(maxAbsDiff(r.vaDeg, h.vaDeg)).toBeLessThan(1e-7);
    expect(maxAbsDiff(r.pfMw, h.pfMw)).toBeLessThan(1e-6);
    for (const g of r.qLimitedGens)
      expect(Math.abs(r.vmPu[net.gen.bus[g]] - net.gen.vgPu[g])).toBeGreaterThan(0);
  });

  it("case14: the reference unit hits Qmin, the largest PV unit takes over, angles keep the old reference", () => {
    const net = readCase(dataPath("grid", "case14.m"));
    const r = runPf(net, { enforceQLims: true });
    expect(r.converged).toBe(true);
    expect(Array.from(r.qLimitedGens)).toEqual([0]);
    expect(r.qgMvar[0]).toBe(net.gen.qgMinMvar[0]);
    expectWithinLimits(net, r);
    // Bus 2 (140 MW, the largest PV unit) is the new slack; bus 1 keeps its angle from the table.
    expect(Array.from(r.refBuses)).toEqual([1]);
    expect(r.vaDeg[0]).toBeCloseTo(net.bus.vaDeg[0], 10);
    // Bus 1's generator keeps the output it had when it was fixed.
    const free = runPf(net);
    expect(r.pgMw[0]).toBeCloseTo(free.pgMw[0], 9);
    let gen = 0;
    for (let g = 0; g < net.gen.count; g++) gen += r.pgMw[g];
    let load = 0;
    for (let i = 0; i < net.bus.count; i++) load += net.bus.pdMw[i] + net.bus.gsMw[i] * r.vmPu[i] ** 2;
    expect(gen - load).toBeCloseTo(r.lossesMw, 6);
  });

  it("declares the problem infeasible when every unit of an island would be fixed", () => {
    const net = readCase(dataPath("grid", "case9.m"));
    net.gen.qgMaxMvar.fill(1);
    net.gen.qgMinMvar.fill(0);
    const r = runPf(net, { enforceQLims: true });
    expect(r.converged).toBe(false);
    expect(r.stop).toBe("q-limits-infeasible");
  });

  it("changes nothing when no limit is violated", () => {
    const net = readCase(dataPath("grid", "case9.m"));
    const a = runPf(net);
    const b = runPf(net, { enforceQLims: true });
    expect(b.qLimitedGens.length).toBe(0);
    expect(b.iterations).toBe(a.iterations);
    expect(maxAbsDiff(a.vmPu, b.vmPu)).toBe(0);
  });
});
