/** KKT checks and random problems shared by the tests of the LP solvers. */
import fc from "fast-check";
import { expect } from "vitest";
import { LpBuilder } from "./builder.js";
import type { LpProblem, LpResult } from "./types.js";

/** colCost − Aᵀ rowDual (+ Q x for quadratic terms): must equal colDual at an optimum. */
export function reducedCosts(p: LpProblem, r: LpResult): Float64Array {
  const d = Float64Array.from(p.colCost);
  for (let i = 0; i < p.numRows; i++) {
    for (let k = p.rowStart[i]; k < p.rowStart[i + 1]; k++) d[p.rowIndex[k]] -= p.rowValue[k] * r.rowDual[i];
  }
  const q = p.quadratic;
  if (q) {
    for (let k = 0; k < q.value.length; k++) {
      d[q.i[k]] += q.value[k] * r.x[q.j[k]];
      d[q.j[k]] += q.value[k] * r.x[q.i[k]];
    }
  }
  return d;
}

/**
 * Primal feasibility, the documented dual signs (∂z/∂active bound: for min, positive only at a lower bound,
 * negative only at an upper one), complementary slackness as products |dual · distance to its bound|, and
 * colDual = reduced costs, all to 10^-digits. Products rather than "a positive dual means the bound is
 * active": an interior-point method approaches a degenerate optimum (zero multiplier at an active bound)
 * with both factors small, which is a correct answer.
 */
export function expectKkt(p: LpProblem, r: LpResult, digits = 5): void {
  const tol = 10 ** -digits;
  const sign = p.sense === "min" ? 1 : -1;
  // A multiplier may only lean on a bound that exists; its product with that bound's slack must vanish.
  const lean = (y: number, v: number, bound: number) =>
    expect(Number.isFinite(bound) ? y * Math.abs(v - bound) : y).toBeLessThan(tol);
  const check = (dual: number, v: number, lo: number, hi: number) => {
    expect(v).toBeGreaterThanOrEqual(lo - tol);
    expect(v).toBeLessThanOrEqual(hi + tol);
    const y = sign * dual;
    if (y > 0) lean(y, v, lo);
    if (y < 0) lean(-y, v, hi);
  };
  for (let i = 0; i < p.numRows; i++) check(r.rowDual[i], r.rowActivity[i], p.rowLower[i], p.rowUpper[i]);
  const d = reducedCosts(p, r);
  for (let j = 0; j < p.numCols; j++) {
    expect(r.colDual[j]).toBeCloseTo(d[j], digits);
    check(r.colDual[j], r.x[j], p.colLower[j], p.colUpper[j]);
  }
}

/** Wyndor Glass (Hillier & Lieberman): max 3x + 5y, x ≤ 4, 2y ≤ 12, 3x + 2y ≤ 18; x = 2, y = 6, z = 36. */
export function wyndor(sense: "min" | "max"): LpProblem {
  const s = sense === "max" ? 1 : -1;
  const b = new LpBuilder(sense);
  const x = b.addCol(0, Number.POSITIVE_INFINITY, 3 * s);
  const y = b.addCol(0, Number.POSITIVE_INFINITY, 5 * s);
  b.addRow(Number.NEGATIVE_INFINITY, 4, [x], [1]);
  b.addRow(Number.NEGATIVE_INFINITY, 12, [y], [2]);
  b.addRow(Number.NEGATIVE_INFINITY, 18, [x, y], [3, 2]);
  return b.build();
}

/**
 * Feasible random problems: up to 6 columns in [−4, 4] and 6 rows built around a known interior point,
 * optionally with convex separable quadratic terms (so the optimum is unique in x when all are present).
 */
export function arbitraryFeasibleProblem(withQuadratic: boolean): fc.Arbitrary<LpProblem> {
  const coef = fc.integer({ min: -5, max: 5 });
  return fc
    .record({
      n: fc.integer({ min: 1, max: 6 }),
      m: fc.integer({ min: 1, max: 6 }),
      a: fc.array(coef, { minLength: 36, maxLength: 36 }),
      cost: fc.array(coef, { minLength: 6, maxLength: 6 }),
      quad: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 6, maxLength: 6 }),
      x0: fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 6, maxLength: 6 }),
      slackLo: fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 6, maxLength: 6 }),
      slackHi: fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 6, maxLength: 6 }),
      sense: fc.constantFrom("min" as const, "max" as const),
    })
    .map((g) => {
      const b = new LpBuilder(g.sense);
      for (let j = 0; j < g.n; j++) {
        b.addCol(-4, 4, g.cost[j]);
        // Convex for min, concave for max.
        if (withQuadratic && g.quad[j] > 0) b.addQuadratic(j, j, g.sense === "min" ? g.quad[j] : -g.quad[j]);
      }
      for (let i = 0; i < g.m; i++) {
        const idx: number[] = [];
        const val: number[] = [];
        let ax = 0;
        for (let j = 0; j < g.n; j++) {
          const v = g.a[i * 6 + j];
          if (v === 0) continue;
          idx.push(j);
          val.push(v);
          ax += v * g.x0[j];
        }
        const lo = g.slackLo[i] < 0 ? Number.NEGATIVE_INFINITY : ax - g.slackLo[i];
        const hi = g.slackHi[i] < 0 ? Number.POSITIVE_INFINITY : ax + g.slackHi[i];
        b.addRow(lo, hi, idx, val);
      }
      return b.build();
    });
}

/**
 * min c0 − 5c2 − c3 − 3c4 + 3c1² + 3c2² + 2c3² + 3c4², −2c0 + 4c1 − 4c4 ≤ 2, all in [−4, 4]: optimum
 * −5.625. HiGHS 1.15.1's active-set QP method cycles on it (found by the property tests).
 */
export function cyclingQp(): LpProblem {
  const b = new LpBuilder();
  const cost = [1, 0, -5, -1, -3];
  const quad = [0, 3, 3, 2, 3];
  for (let j = 0; j < 5; j++) {
    b.addCol(-4, 4, cost[j]);
    if (quad[j] > 0) b.addQuadratic(j, j, quad[j]);
  }
  b.addRow(Number.NEGATIVE_INFINITY, 2, [0, 1, 4], [-2, 4, -4]);
  return b.build();
}
