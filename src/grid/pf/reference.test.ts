/**
 * Every case with a MATPOWER reference answer: AC Newton–Raphson and DC power flow against MATPOWER 8.1.
 */
import { expect, it } from "vitest";
import { dataPath } from "../../core/data.js";
import { describeData } from "../../test-support/data.js";
import { readCase } from "../matpower/index.js";
import { runPf } from "./run.js";
import { loadReference, maxAbsDiff, referenceCases } from "./test-support/reference.js";

/** MATPOWER reports Va wrapped to (−180°, 180°]; compare angles modulo 360°. */
function maxAngleDiff(a: ArrayLike<number>, b: number[]): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    let d = Math.abs(a[i] - b[i]) % 360;
    if (d > 180) d = 360 - d;
    if (Number.isNaN(d)) return Number.NaN;
    if (d > m) m = d;
  }
  return m;
}

describeData("power flow against MATPOWER's answers", () => {
  const cases = referenceCases();

  it("has reference cases to compare with", () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
  });

  for (const name of cases) {
    it(`${name}: AC Newton–Raphson and DC flow match MATPOWER`, () => {
      const ref = loadReference(name);
      const net = readCase(dataPath("grid", `${name}.m`));
      const ac = runPf(net);
      const a = ref.acpf;
      expect(ac.converged).toBe(a.success);
      expect(Math.abs(ac.iterations - a.iterations)).toBeLessThanOrEqual(1);
      if (a.success) {
        expect(maxAbsDiff(ac.vmPu, a.vm)).toBeLessThanOrEqual(1e-6);
        expect(maxAngleDiff(ac.vaDeg, a.va_deg)).toBeLessThanOrEqual(1e-5);
        expect(maxAbsDiff(ac.pgMw, a.pg)).toBeLessThanOrEqual(1e-4);
        expect(maxAbsDiff(ac.qgMvar, a.qg)).toBeLessThanOrEqual(1e-4);
        expect(maxAbsDiff(ac.pfMw, a.pf)).toBeLessThanOrEqual(1e-4);
        expect(maxAbsDiff(ac.qfMvar, a.qf)).toBeLessThanOrEqual(1e-4);
        expect(maxAbsDiff(ac.ptMw, a.pt)).toBeLessThanOrEqual(1e-4);
        expect(maxAbsDiff(ac.qtMvar, a.qt)).toBeLessThanOrEqual(1e-4);
        expect(Math.abs(ac.lossesMw - a.losses_mw)).toBeLessThanOrEqual(1e-4);
        expect(ac.mismatch).toBeLessThan(1e-8);
      }

      const dc = runPf(net, { dc: true });
      const d = ref.dcpf;
      expect(dc.converged).toBe(d.success);
      expect(maxAngleDiff(dc.vaDeg, d.va_deg)).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDiff(dc.pfMw, d.pf)).toBeLessThanOrEqual(1e-4);
      expect(maxAbsDiff(dc.pgMw, d.pg)).toBeLessThanOrEqual(1e-4);
      expect(
        maxAbsDiff(
          dc.ptMw,
          d.pf.map((x) => -x),
        ),
      ).toBeLessThanOrEqual(1e-4);
    });
  }
});
