import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dataPath } from "../../core/data.js";
import { describeData } from "../../test-support/data.js";
import { readCase } from "../matpower/index.js";
import { BusType, type Network } from "../model.js";
import { runPf } from "../pf/index.js";
import { islands } from "../topology/index.js";
import { testNetwork } from "../topology/test-network.js";
import { bridges } from "./bridges.js";
import { dcSensitivity } from "./dc-sensitivity.js";
import { lodfColumn, lodfMatrix, ptdfMatrix, ptdfRow } from "./dense.js";

/** Three buses in a triangle of equal reactances, bus 0 the reference. */
function triangle(): Network {
  return testNetwork({
    buses: [{ type: BusType.REF }, { type: BusType.PQ, pdMw: 10 }, { type: BusType.PQ, pdMw: 20 }],
    branches: [
      { from: 0, to: 1 },
      { from: 1, to: 2 },
      { from: 0, to: 2 },
    ],
    gens: [{ bus: 0 }],
  });
}

function dcFlows(net: Network): Float64Array {
  const r = runPf(net, { dc: true });
  expect(r.converged).toBe(true);
  return r.pfMw;
}

describe("bridges", () => {
  it("finds the radial edges and never a parallel pair or a cycle edge", () => {
    // 0–1–2–0 cycle, 2–3 bridge, 3–4 double (parallel) edge, 4–5 bridge, 6 alone.
    const from = Int32Array.from([0, 1, 2, 2, 3, 3, 4]);
    const to = Int32Array.from([1, 2, 0, 3, 4, 4, 5]);
    const on = new Uint8Array(7).fill(1);
    expect(Array.from(bridges(7, from, to, on))).toEqual([0, 0, 0, 1, 0, 0, 1]);
    on[5] = 0;
    expect(Array.from(bridges(7, from, to, on))).toEqual([0, 0, 0, 1, 1, 0, 1]);
  });
});

describe("PTDF and LODF on a triangle", () => {
  it("splits an injection 2/3 over the direct path and 1/3 over the other", () => {
    const h = ptdfMatrix(triangle());
    // Injection at bus 1, withdrawn at bus 0: 2/3 flows 1→0 (against branch 0's direction).
    expect(h.data[0 * 3 + 1]).toBeCloseTo(-2 / 3, 12);
    expect(h.data[1 * 3 + 1]).toBeCloseTo(1 / 3, 12);
    expect(h.data[2 * 3 + 1]).toBeCloseTo(-1 / 3, 12);
    expect(h.data[0 * 3 + 0]).toBe(0);
  });

  it("moves all of an outaged branch's flow onto the remaining path", () => {
    const c = lodfColumn(triangle(), 0);
    expect(c.islanding).toBe(false);
    expect(c.values[0]).toBe(-1);
    // Flow 0→1 lost from branch 0 must now go 0→2→1: branch 2 (0→2) +1, branch 1 (1→2) −1.
    expect(c.values[2]).toBeCloseTo(1, 12);
    expect(c.values[1]).toBeCloseTo(-1, 12);
  });

  it("flags a radial branch outage as islanding instead of dividing by zero", () => {
    const net = testNetwork({
      buses: [{ type: BusType.REF }, { type: BusType.PQ }, { type: BusType.PQ }],
      branches: [
        { from: 0, to: 1 },
        { from: 1, to: 2 },
      ],
      gens: [{ bus: 0 }],
    });
    const c = lodfColumn(net, 1);
    expect(c.islanding).toBe(true);
    expect(c.values[0]).toBeNaN();
    expect(c.values[1]).toBe(-1);
  });

  it("refuses a dense matrix beyond the size limit", () => {
    expect(() => ptdfMatrix(triangle(), { maxEntries: 8 })).toThrow(
      expect.objectContaining({ code: "SENS_TOO_LARGE" }),
    );
    expect(() => lodfMatrix(triangle(), { maxEntries: 8 })).toThrow(
      expect.objectContaining({ code: "SENS_TOO_LARGE" }),
    );
  });

  it("gives each island its own slack and no transfer between islands", () => {
    const net = testNetwork({
      buses: [{ type: BusType.REF }, { type: BusType.PQ }, { type: BusType.PV }, { type: BusType.PQ }],
      branches: [
        { from: 0, to: 1 },
        { from: 2, to: 3 },
      ],
      gens: [{ bus: 0 }, { bus: 2 }],
    });
    const s = dcSensitivity(net);
    expect(Array.from(s.slackBusOfIsland)).toEqual([0, 2]);
    expect(Array.from(s.ptdfColumn(3))).toEqual([0, -1]);
    expect(() => s.transferColumn(1, 3)).toThrow(expect.objectContaining({ code: "SENS_NO_PATH" }));
  });
});

describeData("PTDF and LODF against the DC power flow", () => {
  for (const name of ["case30", "case118"]) {
    describe(name, () => {
      const net = readCase(dataPath("grid", `${name}.m`));
      const s = dcSensitivity(net);
      const base = dcFlows(net);
      const nb = net.bus.count;
      const nl = net.branch.count;

      it("rows and columns are two views of one matrix", () => {
        fc.assert(
          fc.property(fc.nat(nl - 1), fc.nat(nb - 1), (l, i) => {
            expect(s.ptdfRow(l)[i]).toBeCloseTo(s.ptdfColumn(i)[l], 10);
          }),
          { numRuns: 300 },
        );
      });

      it("predicts the DC flow change when injection moves between two buses", () => {
        fc.assert(
          fc.property(
            fc.nat(nb - 1),
            fc.nat(nb - 1),
            fc.double({ min: -50, max: 50, noNaN: true }),
            (i, j, mw) => {
              const moved = structuredClone(net);
              moved.bus.pdMw[i] -= mw;
              moved.bus.pdMw[j] += mw;
              const after = dcFlows(moved);
              const hi = s.ptdfColumn(i);
              const hj = s.ptdfColumn(j);
              for (let l = 0; l < nl; l++) expect(after[l] - base[l]).toBeCloseTo(mw * (hi[l] - hj[l]), 6);
            },
          ),
          { numRuns: 300 },
        );
      });

      it("with another slack, PTDF columns shift by the slack's column", () => {
        fc.assert(
          fc.property(fc.nat(nb - 1), fc.nat(nb - 1), (slack, i) => {
            const other = dcSensitivity(net, { slackBus: slack });
            const hi = s.ptdfColumn(i);
            const hs = s.ptdfColumn(slack);
            const moved = other.ptdfColumn(i);
            for (let l = 0; l < nl; l++) expect(moved[l]).toBeCloseTo(hi[l] - hs[l], 10);
          }),
          { numRuns: 100 },
        );
      });

      it("predicts post-outage flows, and flags exactly the outages that split an island", () => {
        const islandCount = islands(net).count;
        let checked = 0;
        for (let k = 0; k < nl; k++) {
          const c = s.lodfColumn(k);
          const out = structuredClone(net);
          out.branch.status[k] = 0;
          expect(c.islanding).toBe(islands(out).count > islandCount);
          if (c.islanding) continue;
          const after = dcFlows(out);
          for (let l = 0; l < nl; l++) expect(after[l]).toBeCloseTo(base[l] + c.values[l] * base[k], 5);
          checked++;
        }
        expect(checked).toBeGreaterThan(nl / 2);
      });

      it("dense PTDF matches the per-row answers", () => {
        const dense = ptdfMatrix(net);
        for (const l of [0, Math.floor(nl / 2), nl - 1]) {
          const row = ptdfRow(net, l);
          for (let i = 0; i < nb; i++) expect(dense.data[l * nb + i]).toBeCloseTo(row[i], 10);
        }
      });
    });
  }
});
