import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dataPath } from "../../core/data.js";
import { describeData } from "../../test-support/data.js";
import { readCase } from "../matpower/index.js";
import { BusType, type BusTypeCode } from "../model.js";
import { islands } from "./islands.js";
import { switchGroups } from "./switch-groups.js";
import { type BranchRow, type BusRow, type GenRow, testNetwork } from "./test-network.js";

const { PQ, PV, REF, NONE } = BusType;

describe("islands on synthetic networks", () => {
  // Two triangles joined by branch 6 (2-3); bus 6 isolated.
  const base = (): { buses: BusRow[]; branches: BranchRow[]; gens: GenRow[] } => ({
    buses: [
      { type: REF, pdMw: 10 },
      { type: PQ, pdMw: 20 },
      { type: PQ, pdMw: 30 },
      { type: PV, pdMw: 40 },
      { type: PQ, pdMw: 50 },
      { type: PV, pdMw: 60 },
      { type: NONE, pdMw: 70 },
    ],
    branches: [
      { from: 0, to: 1 },
      { from: 1, to: 2 },
      { from: 2, to: 0 },
      { from: 3, to: 4 },
      { from: 4, to: 5 },
      { from: 5, to: 3 },
      { from: 2, to: 3 },
      { from: 5, to: 6 },
    ],
    gens: [
      { bus: 0, pgMaxMw: 100 },
      { bus: 3, pgMaxMw: 50 },
      { bus: 5, pgMaxMw: 80 },
    ],
  });

  it("finds one island when the tie is in service, and leaves the isolated bus out", () => {
    const r = islands(testNetwork(base()));
    expect(r.count).toBe(1);
    expect(Array.from(r.islandOfBus)).toEqual([0, 0, 0, 0, 0, 0, -1]);
    expect(Array.from(r.buses[0])).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.refBus[0]).toBe(0);
    expect(r.refRule[0]).toBe("ref");
    expect(r.loadMw[0]).toBe(210);
    expect(r.totalUnsuppliedLoadMw).toBe(0);
  });

  it("splits at an open tie and gives the second island the PV bus of the largest unit", () => {
    const rows = base();
    rows.branches[6] = { ...rows.branches[6], status: 0 };
    const r = islands(testNetwork(rows));
    expect(r.count).toBe(2);
    expect(Array.from(r.islandOfBus)).toEqual([0, 0, 0, 1, 1, 1, -1]);
    expect(Array.from(r.refBus)).toEqual([0, 5]);
    expect(r.refRule).toEqual(["ref", "pv-largest-pmax"]);
    expect(Array.from(r.loadMw)).toEqual([60, 150]);
    expect(Array.from(r.deenergized)).toEqual([0, 0]);
  });

  it("reports an island without generation as de-energized with its load", () => {
    const rows = base();
    rows.branches[6] = { ...rows.branches[6], status: 0 };
    rows.gens = [
      { bus: 0, pgMaxMw: 100 },
      { bus: 3, pgMaxMw: 50, status: 0 },
      { bus: 5, status: 0 },
    ];
    const r = islands(testNetwork(rows));
    expect(Array.from(r.hasGeneration)).toEqual([1, 0]);
    expect(Array.from(r.deenergized)).toEqual([0, 1]);
    expect(r.refBus[1]).toBe(-1);
    expect(r.refRule[1]).toBe("none");
    expect(Array.from(r.unsuppliedLoadMw)).toEqual([0, 150]);
    expect(r.totalUnsuppliedLoadMw).toBe(150);
  });

  it("falls back to a PQ bus with generation when an island has no PV bus", () => {
    const rows = base();
    rows.branches[6] = { ...rows.branches[6], status: 0 };
    rows.gens = [
      { bus: 0, pgMaxMw: 100 },
      { bus: 4, pgMaxMw: 5 },
      { bus: 4, pgMaxMw: 7 },
    ];
    const r = islands(testNetwork(rows));
    expect(r.refBus[1]).toBe(4);
    expect(r.refRule[1]).toBe("gen-largest-pmax");
  });

  it("ignores a REF bus without in-service generation", () => {
    const rows = base();
    rows.gens = [
      { bus: 0, status: 0 },
      { bus: 3, pgMaxMw: 90 },
      { bus: 5, pgMaxMw: 90 },
    ];
    const r = islands(testNetwork(rows));
    // Equal Pmax: the lower bus index wins.
    expect(r.refBus[0]).toBe(3);
    expect(r.refRule[0]).toBe("pv-largest-pmax");
  });

  it("joins buses through closed switches, not open ones", () => {
    const rows = base();
    rows.branches[6] = { ...rows.branches[6], status: 0 };
    const closed = islands(testNetwork({ ...rows, switches: [{ from: 1, to: 4 }] }));
    expect(closed.count).toBe(1);
    const open = islands(testNetwork({ ...rows, switches: [{ from: 1, to: 4, closed: false }] }));
    expect(open.count).toBe(2);
    const toIsolated = islands(testNetwork({ ...rows, switches: [{ from: 1, to: 6 }] }));
    expect(toIsolated.islandOfBus[6]).toBe(-1);
    const groups = switchGroups(testNetwork({ ...rows, switches: [{ from: 4, to: 1 }] }));
    expect(groups.count).toBe(6);
    expect(groups.groupOfBus[4]).toBe(groups.groupOfBus[1]);
    expect(groups.firstBus[groups.groupOfBus[4]]).toBe(1);
  });

  it("agrees with a breadth-first search on random graphs (partition, numbering, references)", () => {
    const arb = fc.record({
      n: fc.integer({ min: 1, max: 25 }),
      edges: fc.array(fc.tuple(fc.nat(24), fc.nat(24), fc.boolean()), { maxLength: 40 }),
      types: fc.array(fc.constantFrom(PQ, PV, REF, NONE), { minLength: 25, maxLength: 25 }),
      gens: fc.array(fc.tuple(fc.nat(24), fc.boolean(), fc.integer({ min: 0, max: 5 })), { maxLength: 10 }),
    });
    fc.assert(
      fc.property(arb, ({ n, edges, types, gens }) => {
        const net = testNetwork({
          buses: Array.from({ length: n }, (_, i) => ({ type: types[i] as BusTypeCode, pdMw: i })),
          branches: edges.map(([a, b, on]) => ({ from: a % n, to: b % n, status: on ? 1 : 0 })),
          gens: gens.map(([b, on, p]) => ({ bus: b % n, status: on ? 1 : 0, pgMaxMw: p })),
        });
        const r = islands(net);
        // Reference partition by BFS.
        const label = new Int32Array(n).fill(-1);
        let count = 0;
        for (let s = 0; s < n; s++) {
          if (label[s] >= 0 || net.bus.type[s] === NONE) continue;
          const queue = [s];
          label[s] = count;
          while (queue.length > 0) {
            const u = queue.pop() as number;
            for (let k = 0; k < net.branch.count; k++) {
              if (!net.branch.status[k]) continue;
              const a = net.branch.from[k];
              const b = net.branch.to[k];
              if (net.bus.type[a] === NONE || net.bus.type[b] === NONE) continue;
              const v = a === u ? b : b === u ? a : -1;
              if (v >= 0 && label[v] < 0) {
                label[v] = count;
                queue.push(v);
              }
            }
          }
          count++;
        }
        expect(r.count).toBe(count);
        expect(Array.from(r.islandOfBus)).toEqual(Array.from(label));
        for (let k = 0; k < r.count; k++) {
          const members = Array.from(r.buses[k]);
          const hasGen = gens.some(([b, on]) => on && label[b % n] === k);
          expect(r.hasGeneration[k]).toBe(hasGen ? 1 : 0);
          expect(r.deenergized[k]).toBe(hasGen ? 0 : 1);
          if (hasGen) {
            expect(members).toContain(r.refBus[k]);
            const genAtRef = gens.some(([b, on]) => on && b % n === r.refBus[k]);
            expect(genAtRef).toBe(true);
          } else {
            expect(r.refBus[k]).toBe(-1);
            expect(r.unsuppliedLoadMw[k]).toBe(members.reduce((s, i) => s + i, 0));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describeData("islands of the case files", () => {
  it("case9 is one island referenced at its REF bus; opening both lines of bus 5 leaves it unsupplied", () => {
    const net = readCase(dataPath("grid", "case9.m"));
    const whole = islands(net);
    expect(whole.count).toBe(1);
    expect(net.bus.type[whole.refBus[0]]).toBe(REF);
    // Rows 1 and 2 are the branches 4-5 and 5-6, the only ones at bus 5 (a 90 MW load, no generator).
    const cut = structuredClone(net);
    for (const k of [1, 2]) cut.branch.status[k] = 0;
    const r = islands(cut);
    expect(r.count).toBe(2);
    const island5 = r.islandOfBus[4];
    expect(r.buses[island5].length).toBe(1);
    expect(r.deenergized[island5]).toBe(1);
    expect(r.unsuppliedLoadMw[island5]).toBe(net.bus.pdMw[4]);
    expect(r.totalUnsuppliedLoadMw).toBe(90);
  });

  it("case33bw has its five tie switches open and stays one island; closing them changes nothing", () => {
    const net = readCase(dataPath("grid", "case33bw.m"));
    expect(islands(net).count).toBe(1);
    const closed = structuredClone(net);
    closed.branch.status.fill(1);
    expect(islands(closed).count).toBe(1);
  });

  it("cutting every branch of case118 leaves one island per bus, energized only where a generator sits", () => {
    const net = readCase(dataPath("grid", "case118.m"));
    const cut = structuredClone(net);
    cut.branch.status.fill(0);
    const r = islands(cut);
    expect(r.count).toBe(118);
    const genBuses = new Set(Array.from(net.gen.bus));
    expect(r.hasGeneration.reduce((s, v) => s + v, 0)).toBe(genBuses.size);
    let unsupplied = 0;
    for (let i = 0; i < 118; i++) if (!genBuses.has(i)) unsupplied += net.bus.pdMw[i];
    expect(r.totalUnsuppliedLoadMw).toBeCloseTo(unsupplied, 9);
  });
});
