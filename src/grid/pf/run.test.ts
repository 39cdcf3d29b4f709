import { describe, expect, it } from "vitest";
import { dataPath } from "../../core/data.js";
import { isPlurigridError } from "../../core/errors.js";
import { describeData } from "../../test-support/data.js";
import { readCase } from "../matpower/index.js";
import { BusType, type Network } from "../model.js";
import { testNetwork } from "../topology/test-network.js";
import { runPf } from "./run.js";
import { maxAbsDiff } from "./test-support/reference.js";

const case9 = (): Network => readCase(dataPath("grid", "case9.m"));

/** Two networks side by side, with no branch between them. */
function disjointUnion(a: Network, b: Network): Network {
  const cat = <T extends Float64Array | Int32Array | Int8Array | Uint8Array>(x: T, y: T): T => {
    const out = new (x.constructor as new (n: number) => T)(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  const shifted = (x: Int32Array, by: number): Int32Array => Int32Array.from(x, (v) => v + by);
  const nb = a.bus.count;
  const tables = (ta: object, tb: object, shift: string[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, va] of Object.entries(ta)) {
      const vb = (tb as Record<string, unknown>)[key];
      if (key === "count") out[key] = (va as number) + (vb as number);
      else if (shift.includes(key)) out[key] = cat(va as Int32Array, shifted(vb as Int32Array, nb));
      else out[key] = cat(va as Float64Array, vb as Float64Array);
    }
    return out;
  };
  return {
    ...a,
    bus: tables(a.bus, { ...b.bus, id: shifted(b.bus.id, 1000) }, []) as unknown as Network["bus"],
    gen: tables(a.gen, b.gen, ["bus"]) as unknown as Network["gen"],
    branch: tables(a.branch, b.branch, ["from", "to"]) as unknown as Network["branch"],
    genCost: [],
  };
}

function slice(x: ArrayLike<number>, from: number, to: number): number[] {
  return Array.from(x).slice(from, to);
}

describeData("runPf behaviour", () => {
  it("never changes the network it is given", () => {
    const net = case9();
    net.bus.type[1] = BusType.PQ; // a generator at a PQ bus
    const before = structuredClone(net);
    runPf(net);
    runPf(net, { dc: true });
    runPf(net, { enforceQLims: true });
    expect(net).toEqual(before);
  });

  it("reports non-convergence as a result: too much load, too few iterations, non-finite data", () => {
    const heavy = case9();
    for (let i = 0; i < heavy.bus.count; i++) heavy.bus.pdMw[i] *= 10;
    const r = runPf(heavy);
    expect(r.converged).toBe(false);
    expect(r.stop).not.toBe("converged");
    expect(r.iterations).toBeLessThanOrEqual(10);

    const short = runPf(case9(), { maxIterations: 2 });
    expect(short.converged).toBe(false);
    expect(short.stop).toBe("max-iterations");
    expect(short.iterations).toBe(2);
    expect(short.mismatch).toBeGreaterThan(1e-8);

    const broken = case9();
    broken.bus.vmPu[4] = Number.NaN;
    const nan = runPf(broken);
    expect(nan.converged).toBe(false);
    expect(nan.stop).toBe("non-finite");
    expect(nan.iterations).toBe(0);
  });

  it("takes no Newton update when started at the solution", () => {
    const net = case9();
    const first = runPf(net);
    const warm = structuredClone(net);
    warm.bus.vmPu.set(first.vmPu);
    warm.bus.vaDeg.set(first.vaDeg);
    const again = runPf(warm);
    expect(again.converged).toBe(true);
    expect(again.iterations).toBe(0);
    expect(maxAbsDiff(again.vmPu, first.vmPu)).toBeLessThan(1e-9);
    expect(maxAbsDiff(again.pgMw, first.pgMw)).toBeLessThan(1e-6);
  });

  it("holds PV buses at the generator set point Vg, whatever the bus table says", () => {
    const net = case9();
    net.bus.vmPu.fill(0.9);
    const r = runPf(net);
    expect(r.converged).toBe(true);
    for (let g = 0; g < net.gen.count; g++) expect(r.vmPu[net.gen.bus[g]]).toBeCloseTo(net.gen.vgPu[g], 12);
  });

  it("solves two islands, each against its own reference, as if each were alone", () => {
    const a = case9();
    const b = case9();
    b.bus.type[0] = BusType.PV; // the second copy loses its REF: the largest unit (bus 2, 300 MW) takes it
    const both = runPf(disjointUnion(a, b));
    expect(both.converged).toBe(true);
    expect(both.islands.count).toBe(2);
    expect(Array.from(both.refBuses)).toEqual([0, 10]);
    expect(both.islands.refRule).toEqual(["ref", "pv-largest-pmax"]);

    const alone = runPf(a);
    expect(maxAbsDiff(slice(both.vmPu, 0, 9), alone.vmPu)).toBeLessThan(1e-9);
    expect(maxAbsDiff(slice(both.vaDeg, 0, 9), alone.vaDeg)).toBeLessThan(1e-9);
    const bRef = case9();
    bRef.bus.type[0] = BusType.PV;
    bRef.bus.type[1] = BusType.REF;
    const aloneB = runPf(bRef);
    expect(maxAbsDiff(slice(both.vmPu, 9, 18), aloneB.vmPu)).toBeLessThan(1e-9);
    expect(maxAbsDiff(slice(both.vaDeg, 9, 18), aloneB.vaDeg)).toBeLessThan(1e-9);
    expect(maxAbsDiff(slice(both.pgMw, 3, 6), aloneB.pgMw)).toBeLessThan(1e-7);
    // The second island's slack is its largest unit, not MATPOWER's scheduled reference.
    expect(both.pgMw[4]).not.toBeCloseTo(b.gen.pgMw[1], 3);
    expect(both.pgMw[3]).toBe(b.gen.pgMw[0]);

    const dc = runPf(disjointUnion(a, b), { dc: true });
    expect(maxAbsDiff(slice(dc.vaDeg, 0, 9), runPf(a, { dc: true }).vaDeg)).toBeLessThan(1e-9);
    expect(maxAbsDiff(slice(dc.vaDeg, 9, 18), runPf(bRef, { dc: true }).vaDeg)).toBeLessThan(1e-9);
  });

  it("reports an island without generation as de-energized and solves the rest as MATPOWER would", () => {
    const cut = case9();
    cut.branch.status[1] = 0; // 4-5
    cut.branch.status[2] = 0; // 5-6
    const r = runPf(cut);
    expect(r.converged).toBe(true);
    expect(r.energized[4]).toBe(0);
    expect(r.vmPu[4]).toBe(0);
    expect(r.islands.totalUnsuppliedLoadMw).toBe(90);
    expect(r.pfMw[1]).toBe(0);
    // MATPOWER's way to say the same: bus 5 isolated (type 4).
    const isolated = case9();
    isolated.bus.type[4] = BusType.NONE;
    const m = runPf(isolated);
    expect(maxAbsDiff(r.vmPu, m.vmPu)).toBeLessThan(1e-12);
    expect(maxAbsDiff(r.pgMw, m.pgMw)).toBeLessThan(1e-9);
    expect(maxAbsDiff(r.qfMvar, m.qfMvar)).toBeLessThan(1e-9);
  });

  it("treats buses joined by a closed switch as one node", () => {
    const net = case9();
    // Bus 10 hangs on bus 5 by a closed switch, takes 40 MW of its load and the end of branch 5-6.
    const split: Network = structuredClone(net);
    const grow = <T extends Float64Array | Int32Array | Int8Array>(x: T, v: number): T => {
      const out = new (x.constructor as new (n: number) => T)(x.length + 1);
      out.set(x);
      out[x.length] = v;
      return out;
    };
    const bus = split.bus;
    for (const key of Object.keys(bus) as (keyof typeof bus)[]) {
      if (key !== "count")
        (bus[key] as unknown) = grow(bus[key] as Float64Array, (bus[key] as Float64Array)[4]);
    }
    bus.count = 10;
    bus.id[9] = 10;
    bus.pdMw[9] = 40;
    bus.pdMw[4] = 50;
    bus.qdMvar[9] = 0;
    split.branch.from[2] = 9; // branch 5-6 now starts at bus 10
    split.switches = { count: 1, from: Int32Array.of(4), to: Int32Array.of(9), closed: Uint8Array.of(1) };
    const r = runPf(split);
    const base = runPf(net);
    expect(r.converged).toBe(true);
    expect(r.iterations).toBe(base.iterations);
    expect(maxAbsDiff(r.vmPu.subarray(0, 9), base.vmPu)).toBeLessThan(1e-10);
    expect(r.vmPu[9]).toBe(r.vmPu[4]);
    expect(r.vaDeg[9]).toBe(r.vaDeg[4]);
    expect(maxAbsDiff(r.pfMw, base.pfMw)).toBeLessThan(1e-8);
    // Opened, the switch separates bus 10 (now fed through 6-10 only) from bus 5.
    const open = structuredClone(split);
    open.switches.closed[0] = 0;
    const o = runPf(open);
    expect(o.converged).toBe(true);
    expect(Math.abs(o.vmPu[9] - o.vmPu[4])).toBeGreaterThan(1e-3);
  });

  it("refuses meaningless options with PF_BAD_OPTION", () => {
    let error: unknown = null;
    try {
      runPf(case9(), { tolerance: 0 });
    } catch (e) {
      error = e;
    }
    expect(isPlurigridError(error, "PF_BAD_OPTION")).toBe(true);
  });
});

describe("generator outputs after the solve (MATPOWER pfsoln)", () => {
  // Bus 0 REF with two units, bus 1 PV with three units, bus 2 a PQ load with a unit, one unit off.
  const rows = (qlims: [number, number][]) =>
    testNetwork({
      buses: [
        { type: BusType.REF },
        { type: BusType.PV, pdMw: 20, qdMvar: 5 },
        { type: BusType.PQ, pdMw: 150, qdMvar: 60 },
      ],
      branches: [
        { from: 0, to: 1, rPu: 0.01, xPu: 0.05, bPu: 0.02 },
        { from: 1, to: 2, rPu: 0.02, xPu: 0.08 },
        { from: 0, to: 2, rPu: 0.02, xPu: 0.1 },
      ],
      gens: [
        { bus: 0, pgMw: 10, vgPu: 1.03 },
        { bus: 0, pgMw: 25, vgPu: 1.03 },
        { bus: 1, pgMw: 20, vgPu: 1.01, qgMinMvar: qlims[0][0], qgMaxMvar: qlims[0][1] },
        { bus: 1, pgMw: 30, vgPu: 1.01, qgMinMvar: qlims[1][0], qgMaxMvar: qlims[1][1] },
        { bus: 1, pgMw: 10, vgPu: 1.01, qgMinMvar: qlims[2][0], qgMaxMvar: qlims[2][1] },
        { bus: 2, pgMw: 5, qgMvar: 3 },
        { bus: 1, pgMw: 99, qgMvar: 9, status: 0 },
      ],
    });

  const busQ = (qlims: [number, number][]): { r: ReturnType<typeof runPf>; total: number } => {
    const r = runPf(rows(qlims));
    return { r, total: r.qgMvar[2] + r.qgMvar[3] + r.qgMvar[4] };
  };

  it("splits a bus's reactive output in proportion to each unit's range, conserving the total", () => {
    const { r, total } = busQ([
      [-10, 30],
      [0, 100],
      [-50, 50],
    ]);
    expect(r.converged).toBe(true);
    const same = busQ([
      [0, 0],
      [0, 0],
      [0, 0],
    ]).total;
    expect(total).toBeCloseTo(same, 9);
    const pos = [(r.qgMvar[2] + 10) / 40, (r.qgMvar[3] - 0) / 100, (r.qgMvar[4] + 50) / 100];
    expect(pos[1]).toBeCloseTo(pos[0], 12);
    expect(pos[2]).toBeCloseTo(pos[0], 12);
  });

  it("gives units with zero total range an equal share above their Qmin", () => {
    const { r, total } = busQ([
      [5, 5],
      [-5, -5],
      [0, 0],
    ]);
    expect(r.qgMvar[2] - 5).toBeCloseTo(total / 3, 12);
    expect(r.qgMvar[3] + 5).toBeCloseTo(total / 3, 12);
    expect(r.qgMvar[4]).toBeCloseTo(total / 3, 12);
  });

  it("replaces infinite limits by a finite proxy and still conserves the total", () => {
    const inf = Number.POSITIVE_INFINITY;
    const { r, total } = busQ([
      [-inf, inf],
      [0, 10],
      [-10, 10],
    ]);
    const ref = busQ([
      [0, 0],
      [0, 0],
      [0, 0],
    ]).total;
    expect(total).toBeCloseTo(ref, 9);
    for (const q of [r.qgMvar[2], r.qgMvar[3], r.qgMvar[4]]) expect(Number.isFinite(q)).toBe(true);
  });

  it("moves only the first unit at the reference bus; PQ-bus and off units keep their schedule or 0", () => {
    const { r } = busQ([
      [-10, 30],
      [0, 100],
      [-50, 50],
    ]);
    expect(r.pgMw[1]).toBe(25);
    expect(r.pgMw[2]).toBe(20);
    expect(r.pgMw[5]).toBe(5);
    expect(r.qgMvar[5]).toBe(3);
    expect(r.pgMw[6]).toBe(0);
    expect(r.qgMvar[6]).toBe(0);
    // Bus 0 injects what the flows out of it say: Pg0 + Pg1 = Σ pf over its branches.
    const out = r.pfMw[0] + r.pfMw[2];
    expect(r.pgMw[0] + r.pgMw[1]).toBeCloseTo(out, 9);
  });
});
