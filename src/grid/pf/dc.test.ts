import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dataPath } from "../../core/data.js";
import { describeData } from "../../test-support/data.js";
import { readCase } from "../matpower/index.js";
import { multiply } from "../sparse/csc.js";
import { makeBdc } from "./dc.js";
import { runPf } from "./run.js";
import { arbitraryNetwork } from "./test-support/arbitraries.js";

describe("makeBdc", () => {
  it("gives Bf·θ + Pfinj = (θf − θt − shift)/(x·tap), B·θ = Cftᵀ·Bf·θ and Pbusinj = Cftᵀ·Pfinj", () => {
    fc.assert(
      fc.property(
        arbitraryNetwork().chain((net) =>
          fc.tuple(
            fc.constant(net),
            fc.array(fc.double({ min: -1, max: 1, noNaN: true }), {
              minLength: net.bus.count,
              maxLength: net.bus.count,
            }),
            fc.array(fc.boolean(), { minLength: net.branch.count, maxLength: net.branch.count }),
          ),
        ),
        ([net, theta, off]) => {
          off.forEach((o, k) => {
            if (o) net.branch.status[k] = 0;
          });
          const bdc = makeBdc(net);
          const th = Float64Array.from(theta);
          const flow = multiply(bdc.bf, th);
          const nodal = multiply(bdc.b, th);
          const expectedNodal = new Float64Array(net.bus.count);
          const expectedInj = new Float64Array(net.bus.count);
          for (let k = 0; k < net.branch.count; k++) {
            const f = net.branch.from[k];
            const t = net.branch.to[k];
            if (!net.branch.status[k]) {
              expect(flow[k]).toBe(0);
              expect(bdc.pfinj[k]).toBe(0);
              continue;
            }
            const tap = net.branch.tap[k] === 0 ? 1 : net.branch.tap[k];
            const shift = (net.branch.shiftDeg[k] * Math.PI) / 180;
            const pf = (th[f] - th[t] - shift) / (net.branch.xPu[k] * tap);
            expect(flow[k] + bdc.pfinj[k]).toBeCloseTo(pf, 9);
            expectedNodal[f] += flow[k];
            expectedNodal[t] -= flow[k];
            expectedInj[f] += bdc.pfinj[k];
            expectedInj[t] -= bdc.pfinj[k];
          }
          for (let i = 0; i < net.bus.count; i++) {
            expect(nodal[i]).toBeCloseTo(expectedNodal[i], 9);
            expect(bdc.pbusinj[i]).toBeCloseTo(expectedInj[i], 12);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("DC power flow", () => {
  it("balances every bus and the whole system (lossless), the reference generator taking the rest", () => {
    fc.assert(
      fc.property(arbitraryNetwork(), (net) => {
        const r = runPf(net, { dc: true });
        expect(r.converged).toBe(true);
        expect(r.iterations).toBe(1);
        const inj = new Float64Array(net.bus.count);
        for (let g = 0; g < net.gen.count; g++) inj[net.gen.bus[g]] += r.pgMw[g];
        for (let i = 0; i < net.bus.count; i++) inj[i] -= net.bus.pdMw[i] + net.bus.gsMw[i];
        for (let k = 0; k < net.branch.count; k++) {
          inj[net.branch.from[k]] -= r.pfMw[k];
          inj[net.branch.to[k]] -= r.ptMw[k];
          expect(r.ptMw[k] + r.pfMw[k]).toBe(0);
          expect(r.qfMvar[k]).toBe(0);
        }
        for (let i = 0; i < net.bus.count; i++) {
          expect(Math.abs(inj[i])).toBeLessThan(1e-8);
          expect(r.vmPu[i]).toBe(1);
        }
        // Only the first generator at the reference bus moves.
        for (let g = 1; g < net.gen.count; g++) expect(r.pgMw[g]).toBe(net.gen.pgMw[g]);
        expect(r.vaDeg[0]).toBe(net.bus.vaDeg[0]);
      }),
      { numRuns: 300 },
    );
  });
});

describeData("DC power flow on case files", () => {
  it("solves each island of a split case118 against its own reference", () => {
    const net = readCase(dataPath("grid", "case118.m"));
    const whole = runPf(net, { dc: true });
    expect(whole.refBuses.length).toBe(1);
    const cut = structuredClone(net);
    // Branches between buses 1..23 and 24..118 in case118 (found by the bus numbers of their ends).
    const id = net.bus.id;
    for (let k = 0; k < net.branch.count; k++) {
      const a = id[net.branch.from[k]];
      const b = id[net.branch.to[k]];
      if (a <= 23 !== b <= 23) cut.branch.status[k] = 0;
    }
    const r = runPf(cut, { dc: true });
    expect(r.islands.count).toBeGreaterThanOrEqual(2);
    const energizedIslands = r.islands.deenergized.filter((d) => d === 0).length;
    expect(energizedIslands).toBeGreaterThanOrEqual(2);
    expect(r.refBuses.length).toBe(energizedIslands);
    expect(r.converged).toBe(true);
    for (let k = 0; k < r.islands.count; k++) {
      if (r.islands.deenergized[k]) {
        for (const i of r.islands.buses[k]) expect(r.energized[i]).toBe(0);
        continue;
      }
      // Each island balances: generation = load + shunt conductance.
      let balance = 0;
      for (let g = 0; g < net.gen.count; g++)
        if (r.islands.islandOfBus[net.gen.bus[g]] === k) balance += r.pgMw[g];
      for (const i of r.islands.buses[k]) balance -= net.bus.pdMw[i] + net.bus.gsMw[i];
      expect(Math.abs(balance)).toBeLessThan(1e-8);
    }
  });
});
