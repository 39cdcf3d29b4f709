/**
 * Every case file in the data folder, with or without a full reference answer: the AC flow converges
 * exactly where MATPOWER's does, in the same number of Newton updates (±1). Large cases run once each.
 */
import { expect, it } from "vitest";
import { dataPath } from "../../core/data.js";
import { describeData } from "../../test-support/data.js";
import { readCase } from "../matpower/index.js";
import { runPf } from "./run.js";
import { caseTimings } from "./test-support/reference.js";

describeData("convergence and iteration counts of every case against MATPOWER", () => {
  const timings = caseTimings();

  it("lists the case files", () => {
    expect(Object.keys(timings).length).toBeGreaterThanOrEqual(30);
  });

  for (const [name, t] of Object.entries(timings)) {
    it(`${name} (${t.buses} buses): converged ${t.acpfConverged} in ${t.acpfIterations} iterations`, () => {
      const net = readCase(dataPath("grid", `${name}.m`));
      const r = runPf(net);
      expect(r.converged).toBe(t.acpfConverged);
      expect(Math.abs(r.iterations - t.acpfIterations)).toBeLessThanOrEqual(1);
      if (r.converged) {
        expect(r.mismatch).toBeLessThan(1e-8);
        // Power balance: generation = load + shunt conductance + branch losses (all in MW).
        let gen = 0;
        for (let g = 0; g < net.gen.count; g++) gen += r.pgMw[g];
        let demand = 0;
        for (let i = 0; i < net.bus.count; i++) {
          if (!r.energized[i]) continue;
          demand += net.bus.pdMw[i] + net.bus.gsMw[i] * r.vmPu[i] * r.vmPu[i];
        }
        expect(Math.abs(gen - demand - r.lossesMw)).toBeLessThan(1e-5 * Math.max(1, gen));
      } else {
        expect(r.stop).not.toBe("converged");
      }
    });
  }
});
