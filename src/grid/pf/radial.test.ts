import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dataPath } from "../../core/data.js";
import { isPlurigridError } from "../../core/errors.js";
import { describeData } from "../../test-support/data.js";
import { readCase } from "../matpower/index.js";
import { BusType, type BusTypeCode, type Network } from "../model.js";
import { testNetwork } from "../topology/test-network.js";
import { runPf } from "./run.js";
import { loadReference, maxAbsDiff } from "./test-support/reference.js";
import type { PfResult } from "./types.js";

function expectSameAnswer(a: PfResult, b: PfResult): void {
  expect(maxAbsDiff(a.vmPu, b.vmPu)).toBeLessThanOrEqual(1e-6);
  expect(maxAbsDiff(a.vaDeg, b.vaDeg)).toBeLessThanOrEqual(1e-5);
  for (const key of ["pgMw", "qgMvar", "pfMw", "qfMvar", "ptMw", "qtMvar"] as const) {
    expect(maxAbsDiff(a[key], b[key])).toBeLessThanOrEqual(1e-4);
  }
}

function errorCode(f: () => unknown): string | null {
  try {
    f();
  } catch (e) {
    return isPlurigridError(e) ? e.code : "not a PlurigridError";
  }
  return null;
}

/** A random feeder: a tree rooted at bus 0, loads only, some transformers and line charging. */
const arbitraryFeeder = fc.integer({ min: 2, max: 30 }).chain((n) =>
  fc
    .record({
      parents: fc.array(fc.nat(), { minLength: n - 1, maxLength: n - 1 }),
      reversed: fc.array(fc.boolean(), { minLength: n - 1, maxLength: n - 1 }),
      r: fc.array(fc.double({ min: 0.005, max: 0.05, noNaN: true }), { minLength: n - 1, maxLength: n - 1 }),
      x: fc.array(fc.double({ min: 0.005, max: 0.05, noNaN: true }), { minLength: n - 1, maxLength: n - 1 }),
      b: fc.array(fc.double({ min: 0, max: 0.01, noNaN: true }), { minLength: n - 1, maxLength: n - 1 }),
      tap: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0.97, max: 1.03, noNaN: true })), {
        minLength: n - 1,
        maxLength: n - 1,
      }),
      shift: fc.array(fc.oneof(fc.constant(0), fc.double({ min: -3, max: 3, noNaN: true })), {
        minLength: n - 1,
        maxLength: n - 1,
      }),
      pd: fc.array(fc.double({ min: 0.1, max: 3, noNaN: true }), { minLength: n, maxLength: n }),
      qd: fc.array(fc.double({ min: -1, max: 2, noNaN: true }), { minLength: n, maxLength: n }),
      bs: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
    })
    .map((s): Network => {
      const branches = s.parents.map((p, i) => {
        const parent = p % (i + 1);
        const child = i + 1;
        const [from, to] = s.reversed[i] ? [child, parent] : [parent, child];
        return { from, to, rPu: s.r[i], xPu: s.x[i], bPu: s.b[i], tap: s.tap[i], shiftDeg: s.shift[i] };
      });
      return testNetwork({
        buses: Array.from({ length: n }, (_, i) => ({
          type: (i === 0 ? BusType.REF : BusType.PQ) as BusTypeCode,
          pdMw: s.pd[i],
          qdMvar: s.qd[i],
          bsMvar: s.bs[i],
        })),
        branches,
        gens: [{ bus: 0, vgPu: 1.02 }],
      });
    }),
);

describe("backward/forward sweep", () => {
  it("converges to the Newton–Raphson answer on random feeders (either branch orientation)", () => {
    fc.assert(
      fc.property(arbitraryFeeder, (net) => {
        const nr = runPf(net);
        // Newton from a flat start may fail on an odd random feeder; that is not what this test is about
        // (fast-check fails the property if it has to discard too many cases).
        fc.pre(nr.converged);
        const sweep = runPf(net, { method: "radial" });
        expect(sweep.converged).toBe(true);
        expect(sweep.method).toBe("radial");
        expect(sweep.mismatch).toBeLessThan(1e-8);
        expectSameAnswer(sweep, nr);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a meshed network with PF_NOT_RADIAL and PV buses with PF_RADIAL_UNSUPPORTED", () => {
    const loop = testNetwork({
      buses: [{ type: BusType.REF }, { type: BusType.PQ, pdMw: 1 }, { type: BusType.PQ, pdMw: 1 }],
      branches: [
        { from: 0, to: 1 },
        { from: 1, to: 2 },
        { from: 2, to: 0 },
      ],
      gens: [{ bus: 0 }],
    });
    expect(errorCode(() => runPf(loop, { method: "radial" }))).toBe("PF_NOT_RADIAL");
    const parallel = testNetwork({
      buses: [{ type: BusType.REF }, { type: BusType.PQ, pdMw: 1 }, { type: BusType.PQ, pdMw: 1 }],
      branches: [
        { from: 0, to: 1 },
        { from: 0, to: 1 },
      ],
      gens: [{ bus: 0 }, { bus: 2 }],
    });
    expect(errorCode(() => runPf(parallel, { method: "radial" }))).toBe("PF_NOT_RADIAL");
    const pv = testNetwork({
      buses: [{ type: BusType.REF }, { type: BusType.PV, pdMw: 1 }],
      branches: [{ from: 0, to: 1 }],
      gens: [{ bus: 0 }, { bus: 1 }],
    });
    expect(errorCode(() => runPf(pv, { method: "radial" }))).toBe("PF_RADIAL_UNSUPPORTED");
  });

  it("reports non-convergence within the sweep budget as a result", () => {
    const net = testNetwork({
      buses: [{ type: BusType.REF }, { type: BusType.PQ, pdMw: 1, qdMvar: 0.5 }],
      branches: [{ from: 0, to: 1, rPu: 0.01, xPu: 0.02 }],
      gens: [{ bus: 0 }],
    });
    const r = runPf(net, { method: "radial", maxIterations: 1 });
    expect(r.converged).toBe(false);
    expect(r.stop).toBe("max-iterations");
    expect(r.iterations).toBe(1);
  });
});

describeData("backward/forward sweep on the distribution feeders", () => {
  for (const name of ["case33bw", "case69", "case85", "case141"]) {
    it(`${name}: same answer as Newton–Raphson`, () => {
      const net = readCase(dataPath("grid", `${name}.m`));
      const sweep = runPf(net, { method: "radial" });
      expect(sweep.converged).toBe(true);
      expectSameAnswer(sweep, runPf(net));
    });
  }

  for (const name of ["case33bw", "case69"]) {
    it(`${name}: same answer as MATPOWER`, () => {
      const net = readCase(dataPath("grid", `${name}.m`));
      const ref = loadReference(name).acpf;
      const r = runPf(net, { method: "radial" });
      expect(maxAbsDiff(r.vmPu, ref.vm)).toBeLessThanOrEqual(1e-6);
      expect(maxAbsDiff(r.vaDeg, ref.va_deg)).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDiff(r.pgMw, ref.pg)).toBeLessThanOrEqual(1e-4);
      expect(maxAbsDiff(r.qgMvar, ref.qg)).toBeLessThanOrEqual(1e-4);
      expect(maxAbsDiff(r.pfMw, ref.pf)).toBeLessThanOrEqual(1e-4);
      expect(maxAbsDiff(r.qtMvar, ref.qt)).toBeLessThanOrEqual(1e-4);
    });
  }

  it("case33bw with its tie switches closed is meshed: PF_NOT_RADIAL", () => {
    const net = readCase(dataPath("grid", "case33bw.m"));
    net.branch.status.fill(1);
    expect(errorCode(() => runPf(net, { method: "radial" }))).toBe("PF_NOT_RADIAL");
    expect(runPf(net).converged).toBe(true);
  });
});
