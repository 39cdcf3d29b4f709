import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LpBuilder } from "./builder.js";
import { highsSolver } from "./highs.js";
import { interiorPointSolver } from "./ipm.js";
import { arbitraryFeasibleProblem, cyclingQp, expectKkt, wyndor } from "./test-kkt.js";

const ipm = interiorPointSolver();
const INF = Number.POSITIVE_INFINITY;

describe("interior-point solver", () => {
  it("solves the Wyndor LP with its textbook duals, in both senses", () => {
    const max = ipm.solve(wyndor("max"));
    expect(max.status).toBe("optimal");
    expect(max.objective).toBeCloseTo(36, 8);
    expect(Array.from(max.x)).toEqual([expect.closeTo(2, 7), expect.closeTo(6, 7)]);
    expect(Array.from(max.rowDual)).toEqual([
      expect.closeTo(0, 7),
      expect.closeTo(1.5, 7),
      expect.closeTo(1, 7),
    ]);
    const min = ipm.solve(wyndor("min"));
    expect(min.objective).toBeCloseTo(-36, 8);
    expect(Array.from(min.rowDual)).toEqual([
      expect.closeTo(0, 7),
      expect.closeTo(-1.5, 7),
      expect.closeTo(-1, 7),
    ]);
    expectKkt(wyndor("min"), min, 6);
  });

  it("solves a convex QP with an equality row: analytic optimum and multiplier", () => {
    // min x² + 2y² + 3 − 2x s.t. x + y = 4: x = 3, y = 1, λ = ∂z/∂b = 4, z = 8.
    const b = new LpBuilder();
    const x = b.addCol(-INF, INF, -2);
    const y = b.addCol(-INF, INF, 0);
    b.addQuadratic(x, x, 1);
    b.addQuadratic(y, y, 2);
    b.addOffset(3);
    b.addRow(4, 4, [x, y], [1, 1]);
    const r = ipm.solve(b.build());
    expect(r.status).toBe("optimal");
    expect(r.x[0]).toBeCloseTo(3, 8);
    expect(r.x[1]).toBeCloseTo(1, 8);
    expect(r.objective).toBeCloseTo(8, 8);
    expect(r.rowDual[0]).toBeCloseTo(4, 7);
  });

  it("substitutes fixed columns and still reports their reduced costs", () => {
    // min x + 3y, x + y ≥ 2, y fixed at 0.5: x = 1.5, row dual 1, reduced cost of y = 3 − 1 = 2.
    const b = new LpBuilder();
    const x = b.addCol(0, 10, 1);
    const y = b.addCol(0.5, 0.5, 3);
    b.addRow(2, INF, [x, y], [1, 1]);
    b.addRow(-INF, INF, [x], [1]);
    const p = b.build();
    const r = ipm.solve(p);
    expect(r.status).toBe("optimal");
    expect(r.x[0]).toBeCloseTo(1.5, 8);
    expect(r.x[1]).toBe(0.5);
    expect(r.objective).toBeCloseTo(3, 8);
    expect(r.rowDual[0]).toBeCloseTo(1, 7);
    expect(r.rowDual[1]).toBe(0);
    expect(r.colDual[1]).toBeCloseTo(2, 7);
  });

  it("proves infeasibility when a row loses all its columns to fixing", () => {
    const b = new LpBuilder();
    const x = b.addCol(1, 1, 1);
    b.addRow(2, INF, [x], [1]);
    expect(ipm.solve(b.build()).status).toBe("infeasible");
  });

  it("reports a problem it cannot solve as an error, never as optimal", () => {
    const b = new LpBuilder();
    const x = b.addCol(0, 1, 1);
    const y = b.addCol(0, 1, 1);
    b.addRow(5, INF, [x, y], [1, 1]);
    const r = ipm.solve(b.build());
    expect(r.status).toBe("error");
    expect(r.objective).toBeNaN();
  });

  it("refuses integer columns", () => {
    const b = new LpBuilder();
    b.setInteger(b.addCol(0, 1, 1));
    expect(() => ipm.solve(b.build())).toThrow(expect.objectContaining({ code: "LP_UNSUPPORTED" }));
  });

  it("solves the QP that makes HiGHS cycle", () => {
    const p = cyclingQp();
    const r = ipm.solve(p);
    expect(r.status).toBe("optimal");
    expect(r.objective).toBeCloseTo(-5.625, 8);
    expectKkt(p, r, 7);
  });

  it("agrees with HiGHS on random feasible LPs", async () => {
    const highs = await highsSolver();
    fc.assert(
      fc.property(arbitraryFeasibleProblem(false), (p) => {
        const r = ipm.solve(p);
        expect(r.status).toBe("optimal");
        expect(r.objective).toBeCloseTo(highs.solve(p).objective, 6);
        expectKkt(p, r, 5);
      }),
      { numRuns: 300 },
    );
  });

  it("satisfies the KKT conditions (a certificate of optimality for a convex QP) on random QPs", () => {
    fc.assert(
      fc.property(arbitraryFeasibleProblem(true), (p) => {
        const r = ipm.solve(p);
        expect(r.status).toBe("optimal");
        expectKkt(p, r, 5);
      }),
      { numRuns: 300 },
    );
  });
});
