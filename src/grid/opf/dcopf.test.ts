import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { dataPath } from "../../core/data.js";
import { isPlurigridError } from "../../core/errors.js";
import { describeData } from "../../test-support/data.js";
import { highsSolver } from "../lp/highs.js";
import type { LpSolver } from "../lp/types.js";
import { readCase } from "../matpower/index.js";
import { BusType, type GenCost, type Network } from "../model.js";
import { testNetwork } from "../topology/test-network.js";
import { withImpliedAngleBounds } from "./angle-bounds.js";
import { dcOpfResiduals } from "./certificate.js";
import { costAt } from "./costs.js";
import { dcOpfWith } from "./dcopf.js";
import { buildDcOpf } from "./dcopf-model.js";
import { dcOpfReferenceCases, loadDcOpfReference, maxAbsDiff } from "./test-reference.js";

const poly = (...coeffs: number[]): GenCost => ({ model: 2, startupCost: 0, shutdownCost: 0, coeffs });
const pwl = (...coeffs: number[]): GenCost => ({ model: 1, startupCost: 0, shutdownCost: 0, coeffs });

/** Two buses, a cheap generator at bus 0, a dear one and the load at bus 1, one line of `rateMw`. */
function twoBus(loadMw: number, rateMw: number): Network {
  const net = testNetwork({
    buses: [{ type: BusType.REF }, { type: BusType.PV, pdMw: loadMw }],
    branches: [{ from: 0, to: 1, xPu: 0.1 }],
    gens: [
      { bus: 0, pgMaxMw: 200 },
      { bus: 1, pgMaxMw: 200 },
    ],
  });
  net.branch.rateAMva[0] = rateMw;
  net.genCost = [poly(10, 0), poly(30, 0)];
  return net;
}

function expectCertificate(net: Network, r: ReturnType<typeof dcOpfWith>, tol = 1e-5): void {
  const c = dcOpfResiduals(net, r);
  expect(c.balanceMw).toBeLessThan(tol);
  expect(c.limitViolation).toBeLessThan(tol);
  expect(c.dualSign).toBeLessThan(tol);
  expect(c.genStationarity).toBeLessThan(tol);
  expect(c.angleStationarity).toBeLessThan(tol);
  expect(c.complementarity).toBeLessThan(1e3 * tol);
}

let solver: LpSolver;
beforeAll(async () => {
  solver = await highsSolver();
});

describe("DC-OPF on small networks", () => {
  it("prices a congested line: LMPs are the local marginal costs and μ is their difference", () => {
    const net = twoBus(150, 100);
    const r = dcOpfWith(solver, net);
    expect(r.status).toBe("optimal");
    expect(r.pgMw[0]).toBeCloseTo(100, 6);
    expect(r.pgMw[1]).toBeCloseTo(50, 6);
    expect(r.pfMw[0]).toBeCloseTo(100, 6);
    expect(r.lmp[0]).toBeCloseTo(10, 6);
    expect(r.lmp[1]).toBeCloseTo(30, 6);
    expect(r.muSf[0]).toBeCloseTo(20, 6);
    expect(r.muSt[0]).toBe(0);
    expect(r.objective).toBeCloseTo(100 * 10 + 50 * 30, 4);
    // Flow 100 MW over x = 0.1 p.u. on 100 MVA: θ0 − θ1 = 0.1 rad.
    expect(r.vaDeg[0] - r.vaDeg[1]).toBeCloseTo((0.1 * 180) / Math.PI, 6);
    expectCertificate(net, r);
  });

  it("gives one price everywhere when no limit binds, set by the marginal quadratic unit", () => {
    const net = twoBus(150, 0);
    net.genCost = [poly(0.1, 10, 5), poly(0.05, 20, 7)];
    const r = dcOpfWith(solver, net);
    // Equal marginal costs: 0.2·p0 + 10 = 0.1·p1 + 20, p0 + p1 = 150 → p0 = 250/3.
    expect(r.pgMw[0]).toBeCloseTo(250 / 3, 5);
    expect(r.lmp[0]).toBeCloseTo(0.2 * (250 / 3) + 10, 5);
    expect(r.lmp[1]).toBeCloseTo(r.lmp[0], 5);
    const cost = costAt(net.genCost[0], r.pgMw[0]) + costAt(net.genCost[1], r.pgMw[1]);
    expect(r.objective).toBeCloseTo(cost, 5);
    expectCertificate(net, r);
  });

  it("models piecewise-linear costs with a cost variable per unit (CCV)", () => {
    const net = twoBus(150, 0);
    // Convex: 10 $/MWh up to 60 MW, then 40 $/MWh; the other unit costs 25 $/MWh flat.
    net.genCost = [pwl(0, 0, 60, 600, 200, 6200), pwl(0, 0, 200, 5000)];
    const r = dcOpfWith(solver, net);
    expect(r.pgMw[0]).toBeCloseTo(60, 6);
    expect(r.pgMw[1]).toBeCloseTo(90, 6);
    expect(r.lmp[1]).toBeCloseTo(25, 6);
    expect(r.objective).toBeCloseTo(600 + 90 * 25, 5);
    expectCertificate(net, r);
  });

  it("gives the same answer for a two-point piecewise-linear cost and the equal linear polynomial", () => {
    const a = twoBus(150, 100);
    const b = twoBus(150, 100);
    b.genCost = [pwl(0, 0, 200, 2000), pwl(0, 0, 200, 6000)];
    const ra = dcOpfWith(solver, a);
    const rb = dcOpfWith(solver, b);
    expect(rb.objective).toBeCloseTo(ra.objective, 6);
    expect(maxAbsDiff(rb.lmp, ra.lmp)).toBeLessThan(1e-6);
    expect(maxAbsDiff(rb.pgMw, ra.pgMw)).toBeLessThan(1e-6);
  });

  it("reports an infeasible dispatch as a status with NaN results", () => {
    const net = twoBus(500, 0);
    const r = dcOpfWith(solver, net);
    expect(r.status).toBe("infeasible");
    expect(r.objective).toBeNaN();
    expect(r.lmp[0]).toBeNaN();
  });

  it("asks HiGHS for the verdict when the interior-point method cannot converge (infeasible QP)", () => {
    const net = twoBus(500, 0);
    net.genCost = [poly(0.1, 10, 0), poly(0.1, 30, 0)];
    const r = dcOpfWith(solver, net);
    expect(r.status).toBe("infeasible");
    expect(r.message).toMatch(/interior point/);
  });

  it("solves each island with its own reference angle and prices", () => {
    // Island A: buses 0–1 (gen 10 $/MWh); island B: buses 2–3 (gen 50 $/MWh, no REF bus).
    const net = testNetwork({
      buses: [
        { type: BusType.REF, vaDeg: 5 },
        { type: BusType.PQ, pdMw: 40 },
        { type: BusType.PQ, pdMw: 30 },
        { type: BusType.PV, vaDeg: -3 },
      ],
      branches: [
        { from: 0, to: 1 },
        { from: 2, to: 3 },
      ],
      gens: [{ bus: 0 }, { bus: 3 }],
    });
    net.genCost = [poly(10, 0), poly(50, 0)];
    const r = dcOpfWith(solver, net);
    expect(r.status).toBe("optimal");
    expect(r.pgMw[0]).toBeCloseTo(40, 6);
    expect(r.pgMw[1]).toBeCloseTo(30, 6);
    expect(Array.from(r.lmp)).toEqual([10, 10, 50, 50].map((v) => expect.closeTo(v, 6)));
    expect(r.vaDeg[0]).toBeCloseTo(5, 9);
    expect(r.vaDeg[3]).toBeCloseTo(-3, 9);
    expectCertificate(net, r);
  });

  it("ignores out-of-service generators and branches, and isolated buses", () => {
    const net = testNetwork({
      buses: [{ type: BusType.REF }, { type: BusType.PQ, pdMw: 50 }, { type: BusType.NONE, pdMw: 99 }],
      branches: [
        { from: 0, to: 1 },
        { from: 0, to: 1, status: 0 },
        { from: 1, to: 2 },
      ],
      gens: [{ bus: 0 }, { bus: 1, status: 0 }, { bus: 2 }],
    });
    net.genCost = [poly(10, 0), poly(1, 0), poly(1, 0)];
    const r = dcOpfWith(solver, net);
    expect(r.pgMw[0]).toBeCloseTo(50, 6);
    expect(r.pgMw[1]).toBe(0);
    expect(r.pgMw[2]).toBe(0);
    expect(r.pfMw[1]).toBe(0);
    expect(r.lmp[2]).toBeNaN();
    expectCertificate(net, r);
  });

  it("joins buses across a closed switch: equal angles and prices, flow carried", () => {
    const net = testNetwork({
      buses: [{ type: BusType.REF }, { type: BusType.PQ }, { type: BusType.PQ, pdMw: 70 }],
      branches: [{ from: 0, to: 1 }],
      gens: [{ bus: 0 }],
      switches: [{ from: 1, to: 2 }],
    });
    net.genCost = [poly(12, 0)];
    const r = dcOpfWith(solver, net);
    expect(r.status).toBe("optimal");
    expect(r.pfMw[0]).toBeCloseTo(70, 6);
    expect(r.vaDeg[2]).toBeCloseTo(r.vaDeg[1], 9);
    expect(r.lmp[2]).toBeCloseTo(12, 6);
  });

  it("accounts for phase shifters in flows and balance", () => {
    const net = testNetwork({
      buses: [{ type: BusType.REF }, { type: BusType.PQ, pdMw: 100 }],
      branches: [
        { from: 0, to: 1, xPu: 0.1, shiftDeg: 5 },
        { from: 0, to: 1, xPu: 0.2 },
      ],
      gens: [{ bus: 0 }],
    });
    net.genCost = [poly(10, 0)];
    const r = dcOpfWith(solver, net);
    expect(r.pfMw[0] + r.pfMw[1]).toBeCloseTo(100, 6);
    // Same angle difference across both: pf0 = 10·(Δθ − shift)·100, pf1 = 5·Δθ·100.
    const dth = ((r.vaDeg[0] - r.vaDeg[1]) * Math.PI) / 180;
    expect(r.pfMw[0]).toBeCloseTo(1000 * (dth - (5 * Math.PI) / 180), 6);
    expect(r.pfMw[1]).toBeCloseTo(500 * dth, 6);
    expectCertificate(net, r);
  });

  it("rejects costs it cannot model convexly, naming the generator", () => {
    const net = twoBus(100, 0);
    net.genCost = [poly(-0.1, 10, 0), poly(30, 0)];
    expect(() => dcOpfWith(solver, net)).toThrow(expect.objectContaining({ code: "OPF_NONCONVEX_COST" }));
    net.genCost = [pwl(0, 0, 50, 1000, 100, 1200), poly(30, 0)];
    expect(() => dcOpfWith(solver, net)).toThrow(expect.objectContaining({ code: "OPF_NONCONVEX_COST" }));
    net.genCost = [poly(1, 0, 0, 0), poly(30, 0)];
    try {
      dcOpfWith(solver, net);
      expect.unreachable();
    } catch (e) {
      expect(isPlurigridError(e, "OPF_COST_UNSUPPORTED")).toBe(true);
    }
  });
});

describeData("DC-OPF against MATPOWER's rundcopf", () => {
  for (const name of dcOpfReferenceCases()) {
    it.each(["auto", "highs", "ipm"] as const)(
      `${name} (%s): objective, LMPs, dispatch, flows, shadow prices`,
      (method) => {
        const ref = loadDcOpfReference(name)!;
        const net = readCase(dataPath("grid", `${name}.m`));
        const r = dcOpfWith(solver, net, { method });
        expect(r.status).toBe("optimal");
        expect(Math.abs(r.objective - ref.f) / Math.abs(ref.f)).toBeLessThan(1e-6);
        expect(maxAbsDiff(r.lmp, ref.lam_p)).toBeLessThan(1e-3);
        expect(maxAbsDiff(r.pgMw, ref.pg)).toBeLessThan(1e-3);
        expect(maxAbsDiff(r.pfMw, ref.pf)).toBeLessThan(1e-3);
        expect(maxAbsDiff(r.vaDeg, ref.va_deg)).toBeLessThan(1e-4);
        expect(maxAbsDiff(r.muSf, ref.mu_sf)).toBeLessThan(1e-3);
        expect(maxAbsDiff(r.muSt, ref.mu_st)).toBeLessThan(1e-3);
        expectCertificate(net, r, 1e-4);
      },
    );
  }

  it("keeps the KKT conditions under random loads and line limits (case30)", () => {
    const base = readCase(dataPath("grid", "case30.m"));
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.5, max: 1.5, noNaN: true }), { minLength: 30, maxLength: 30 }),
        fc.array(fc.double({ min: 0.3, max: 1.2, noNaN: true }), { minLength: 41, maxLength: 41 }),
        (loadScale, rateScale) => {
          const net = structuredClone(base);
          for (let i = 0; i < net.bus.count; i++) net.bus.pdMw[i] *= loadScale[i];
          for (let k = 0; k < net.branch.count; k++) net.branch.rateAMva[k] *= rateScale[k];
          const r = dcOpfWith(solver, net);
          if (r.status === "infeasible") {
            // Loads stay within case30's capacity, so only the line limits can make it infeasible.
            net.branch.rateAMva.fill(0);
            expect(dcOpfWith(solver, net).status).toBe("optimal");
            return;
          }
          expect(r.status).toBe("optimal");
          expectCertificate(net, r, 1e-4);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("implied angle bounds leave the optimum and its prices unchanged (pglib_opf_case118_ieee)", () => {
    const net = readCase(dataPath("grid", "pglib_opf_case118_ieee.m"));
    const model = buildDcOpf(net);
    const bounded = withImpliedAngleBounds(net, model);
    const free = solver.solve(model.problem);
    const r = solver.solve(bounded);
    expect(r.status).toBe("optimal");
    expect(r.objective).toBeCloseTo(free.objective, 6);
    let finite = 0;
    for (let i = 0; i < net.bus.count; i++) {
      const c = model.vaCol[i];
      expect(maxAbsDiff([r.rowDual[model.balanceRow[i]]], [free.rowDual[model.balanceRow[i]]])).toBeLessThan(
        1e-6,
      );
      // The free solution lies inside the bounds: they only restate what the constraints imply.
      expect(free.x[c]).toBeGreaterThanOrEqual(bounded.colLower[c] - 1e-9);
      expect(free.x[c]).toBeLessThanOrEqual(bounded.colUpper[c] + 1e-9);
      if (Number.isFinite(bounded.colLower[c])) finite++;
    }
    expect(finite).toBe(net.bus.count);
  });
});
