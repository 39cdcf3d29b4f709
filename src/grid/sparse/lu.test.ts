import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPlurigridError } from "../../core/errors.js";
import { type CscMatrix, fromTriplets, multiply, multiplyTranspose } from "./csc.js";
import { analyze, factor, type LuNumeric, type LuOptions, luNnz, pivotRcond, refactor } from "./lu.js";
import { luSolve, solve, solveTranspose } from "./lu-solve.js";
import { choleskyNnz, naturalOrder } from "./ordering.js";
import {
  derangement,
  dominant,
  grid2d,
  permuteRowsDropDiagonal,
  randomVector,
  relativeResidual,
  revalueDominant,
  rng,
} from "./test-support/matrices.js";

const caseArb = fc.record({
  n: fc.integer({ min: 1, max: 120 }),
  perColumn: fc.integer({ min: 0, max: 5 }),
  seed: fc.integer(),
  ordering: fc.constantFrom<"amd" | "rcm" | "natural">("amd", "rcm", "natural"),
});

function solveBoth(a: CscMatrix, options: LuOptions, seed: number): { residual: number; residualT: number } {
  const numeric = factor(a, analyze(a, options));
  const b = randomVector(a.nCols, seed);
  const x = solve(numeric, Float64Array.from(b));
  const y = solveTranspose(numeric, Float64Array.from(b));
  return { residual: relativeResidual(a, x, b), residualT: relativeResidual(a, y, b, true) };
}

/** max|L| (at least 1, the unit diagonal) times max|U|. */
function growth(numeric: LuNumeric): number {
  let l = 1;
  let u = 0;
  for (const v of numeric.lValues) l = Math.max(l, Math.abs(v));
  for (const v of numeric.uValues) u = Math.max(u, Math.abs(v));
  for (const v of numeric.uDiag) u = Math.max(u, Math.abs(v));
  return l * u;
}

/**
 * Normwise backward error (max norms) of x for the row-scaled system the factors solve: (R A) x = R b,
 * or for the transpose (R A)^T z = b with z = R^-1 x. Entries of R A are at most 1 in magnitude.
 */
function scaledBackwardError(
  a: CscMatrix,
  numeric: LuNumeric,
  x: Float64Array,
  b: Float64Array,
  transposed: boolean,
) {
  const r = transposed ? multiplyTranspose(a, x) : multiply(a, x);
  const rs = numeric.rowScale;
  let res = 0;
  let xn = 0;
  let bn = 0;
  for (let i = 0; i < b.length; i++) {
    const s = transposed ? 1 : rs[i];
    res = Math.max(res, Math.abs(r[i] - b[i]) * s);
    bn = Math.max(bn, Math.abs(b[i]) * s);
    xn = Math.max(xn, Math.abs(transposed ? x[i] / rs[i] : x[i]));
  }
  return res / (xn + bn);
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("factor + solve", () => {
  it("solves diagonally dominant matrices (A x = b and A^T x = b) for every ordering", () => {
    fc.assert(
      fc.property(caseArb, ({ n, perColumn, seed, ordering }) => {
        const r = solveBoth(dominant(n, perColumn, seed), { ordering }, seed + 1);
        expect(r.residual).toBeLessThan(1e-12);
        expect(r.residualT).toBeLessThan(1e-12);
      }),
      { numRuns: 300 },
    );
  });

  it("solves matrices with no diagonal at all, where every pivot is off the diagonal", () => {
    fc.assert(
      fc.property(caseArb, ({ n, perColumn, seed, ordering }) => {
        const size = Math.max(2, n);
        const a = permuteRowsDropDiagonal(dominant(size, perColumn, seed), derangement(size, seed + 17));
        const numeric = factor(a, analyze(a, { ordering }));
        // Step 0 prefers a diagonal entry that is not even stored.
        expect(numeric.offDiagonalPivots).toBeGreaterThan(0);
        // The diagonal preference (tol 0.001) lets entries grow by up to 1000 per step, so the residual
        // is judged by Wilkinson's bound: backward error of the row-scaled system <= n eps max|L| max|U|.
        const b = randomVector(size, seed + 2);
        const bound = size * Number.EPSILON * growth(numeric);
        expect(scaledBackwardError(a, numeric, solve(numeric, Float64Array.from(b)), b, false)).toBeLessThan(
          bound,
        );
        expect(
          scaledBackwardError(a, numeric, solveTranspose(numeric, Float64Array.from(b)), b, true),
        ).toBeLessThan(bound);
        // Plain partial pivoting (|L| <= 1) is backward stable here.
        const partial = solveBoth(a, { ordering, pivotTol: 1 }, seed + 2);
        expect(partial.residual).toBeLessThan(1e-13);
        expect(partial.residualT).toBeLessThan(1e-13);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps the diagonal when it passes the threshold, and leaves it when it does not", () => {
    // Column 0: diagonal 1e-4 against 1 below it. With tol 1e-3 the diagonal fails; with 1e-5 it passes.
    const a = fromTriplets(2, 2, [0, 1, 0, 1], [0, 0, 1, 1], [1e-4, 1, 1, 1]);
    const options = { ordering: "natural" as const, scale: "none" as const };
    expect(factor(a, analyze(a, { ...options, pivotTol: 1e-3 })).offDiagonalPivots).toBe(1);
    expect(factor(a, analyze(a, { ...options, pivotTol: 1e-5 })).offDiagonalPivots).toBe(0);
    const x = luSolve(a, [1, 2], options);
    expect(relativeResidual(a, x, Float64Array.from([1, 2]))).toBeLessThan(1e-14);
  });

  it("handles the empty and 1x1 matrices", () => {
    const empty = fromTriplets(0, 0, [], [], []);
    expect(luSolve(empty, []).length).toBe(0);
    expect(Array.from(luSolve(fromTriplets(1, 1, [0], [0], [4]), [2]))).toEqual([0.5]);
  });
});

describe("refactor", () => {
  it("with new values of the same pattern gives the answer of a fresh factor", () => {
    fc.assert(
      fc.property(caseArb, ({ n, perColumn, seed, ordering }) => {
        const a1 = dominant(n, perColumn, seed);
        const a2 = revalueDominant(a1, seed + 5);
        const numeric = factor(a1, analyze(a1, { ordering }));
        expect(refactor(a2, numeric)).toEqual({ ok: true });
        const b = randomVector(n, seed + 7);
        const xRe = solve(numeric, Float64Array.from(b));
        const xFresh = solve(factor(a2, analyze(a2, { ordering })), Float64Array.from(b));
        let diff = 0;
        let size = 0;
        for (let i = 0; i < n; i++) {
          diff = Math.max(diff, Math.abs(xRe[i] - xFresh[i]));
          size = Math.max(size, Math.abs(xFresh[i]));
        }
        expect(diff).toBeLessThanOrEqual(1e-12 * Math.max(size, 1e-300));
        expect(relativeResidual(a2, xRe, b)).toBeLessThan(1e-12);
      }),
      { numRuns: 300 },
    );
  });

  it("stays accurate when row magnitudes change by orders of magnitude (the row scaling is recomputed)", () => {
    fc.assert(
      fc.property(caseArb, ({ n, perColumn, seed, ordering }) => {
        const a1 = dominant(n, perColumn, seed);
        const rand = rng(seed + 9);
        const rowFactor = Array.from({ length: n }, () => 10 ** Math.round(12 * rand() - 6));
        const a2 = revalueDominant(a1, seed + 5);
        const values = a2.values.map((v, p) => v * rowFactor[a2.rowIdx[p]]);
        const scaled = { ...a2, values };
        const numeric = factor(a1, analyze(a1, { ordering }));
        expect(refactor(scaled, numeric).ok).toBe(true);
        // Compare with the solution of the unscaled system: scaling rows of A and b leaves x unchanged.
        const b = randomVector(n, seed + 7);
        const bScaled = b.map((v, i) => v * rowFactor[i]);
        const x = solve(numeric, Float64Array.from(bScaled));
        const xRef = solve(factor(a2, analyze(a2, { ordering })), Float64Array.from(b));
        for (let i = 0; i < n; i++)
          expect(Math.abs(x[i] - xRef[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(xRef[i])));
      }),
      { numRuns: 300 },
    );
  });

  it("scales each row by a power of two that puts its largest entry in [0.5, 1)", () => {
    fc.assert(
      fc.property(caseArb, ({ n, perColumn, seed }) => {
        const a = dominant(n, perColumn, seed);
        const rand = rng(seed);
        const rowFactor = Array.from(
          { length: n },
          () => 2 ** (Math.round(200 * rand()) - 100) * (1 + rand()),
        );
        const values = a.values.map((v, p) => v * rowFactor[a.rowIdx[p]]);
        const m = { ...a, values };
        const rs = factor(m, analyze(m)).rowScale;
        const rowMax = new Float64Array(n);
        for (let p = 0; p < values.length; p++)
          rowMax[m.rowIdx[p]] = Math.max(rowMax[m.rowIdx[p]], Math.abs(values[p]));
        for (let i = 0; i < n; i++) {
          expect(Number.isInteger(Math.log2(rs[i]))).toBe(true);
          expect(rowMax[i] * rs[i]).toBeGreaterThanOrEqual(0.5);
          expect(rowMax[i] * rs[i]).toBeLessThan(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("reproduces the factors bit for bit when refactoring the same values", () => {
    const a = permuteRowsDropDiagonal(dominant(300, 4, 9), derangement(300, 10));
    const numeric = factor(a, analyze(a));
    const lx = Float64Array.from(numeric.lValues);
    const ux = Float64Array.from(numeric.uValues);
    const ud = Float64Array.from(numeric.uDiag);
    expect(refactor(a, numeric).ok).toBe(true);
    expect(numeric.lValues).toEqual(lx);
    expect(numeric.uValues).toEqual(ux);
    expect(numeric.uDiag).toEqual(ud);
  });

  it("reports a pivot that became zero, blocks solves, and a fresh factor recovers", () => {
    // Same pattern; in a2 the (0,0) entry is an explicit zero, so the kept diagonal pivot order fails.
    const rows = [0, 1, 0, 1];
    const cols = [0, 0, 1, 1];
    const options = { ordering: "natural" as const };
    const a1 = fromTriplets(2, 2, rows, cols, [2, 1, 1, 3]);
    const a2 = fromTriplets(2, 2, rows, cols, [0, 1, 1, 3]);
    const numeric = factor(a1, analyze(a1, options));
    expect(numeric.offDiagonalPivots).toBe(0);
    const result = refactor(a2, numeric);
    expect(result).toEqual({ ok: false, code: "LU_TINY_PIVOT", column: 0, step: 0, pivot: 0 });
    expect(
      isPlurigridError(
        thrown(() => solve(numeric, new Float64Array(2))),
        "LU_INVALID",
      ),
    ).toBe(true);
    const fresh = factor(a2, numeric.symbolic);
    const x = solve(fresh, Float64Array.from([1, 1]));
    expect(relativeResidual(a2, x, Float64Array.from([1, 1]))).toBeLessThan(1e-15);
    // Back on values that suit the old pivot order, the same numeric object is usable again.
    expect(refactor(a1, numeric).ok).toBe(true);
    expect(
      relativeResidual(a1, solve(numeric, Float64Array.from([1, 1])), Float64Array.from([1, 1])),
    ).toBeLessThan(1e-15);
  });

  it("refuses a matrix of another pattern", () => {
    const a1 = fromTriplets(2, 2, [0, 1, 1], [0, 0, 1], [1, 1, 1]);
    const a2 = fromTriplets(2, 2, [0, 0, 1], [0, 1, 1], [1, 1, 1]);
    const numeric = factor(a1, analyze(a1));
    expect(
      isPlurigridError(
        thrown(() => refactor(a2, numeric)),
        "LU_PATTERN_MISMATCH",
      ),
    ).toBe(true);
  });
});

describe("singular matrices", () => {
  function singularDetails(a: CscMatrix): Record<string, unknown> {
    const e = thrown(() => factor(a, analyze(a)));
    expect(isPlurigridError(e, "LU_SINGULAR")).toBe(true);
    return isPlurigridError(e) ? e.details : {};
  }

  it("reports an empty column with its index", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 60 }), fc.integer(), (n, seed) => {
        const a = dominant(n, 3, seed);
        const zeroCol = Math.abs(seed) % n;
        // Drop column zeroCol entirely.
        const keep = fromTriplets(
          n,
          n,
          Array.from(a.rowIdx),
          colOfEntries(a),
          Array.from(a.values).map((v, p) => (colOfEntries(a)[p] === zeroCol ? 0 : v)),
        );
        expect(singularDetails(keep).column).toBe(zeroCol);
      }),
      { numRuns: 100 },
    );
  });

  it("reports structural rank deficiency: two columns with entries in one row only", () => {
    const a = fromTriplets(3, 3, [0, 0, 1, 2, 2], [0, 1, 2, 2, 1], [1, 2, 1, 1, 0]);
    expect([0, 1]).toContain(singularDetails({ ...a, values: Float64Array.from([1, 2, 0, 1, 1]) }).column);
  });

  it("reports numerically dependent columns, with diagonal and with off-diagonal pivots", () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 80 }), fc.integer(), fc.boolean(), (n, seed, offDiagonal) => {
        // Column n-1 := 3 x column 0 + 2 x column 1 of a nonsingular matrix.
        const base = dominant(n, 3, seed);
        const a = offDiagonal ? permuteRowsDropDiagonal(base, derangement(n, seed + 1)) : base;
        const rows: number[] = [];
        const cols: number[] = [];
        const vals: number[] = [];
        const colOf = colOfEntries(a);
        for (let p = 0; p < a.values.length; p++) {
          if (colOf[p] === n - 1) continue;
          rows.push(a.rowIdx[p]);
          cols.push(colOf[p]);
          vals.push(a.values[p]);
          if (colOf[p] <= 1) {
            rows.push(a.rowIdx[p]);
            cols.push(n - 1);
            vals.push((colOf[p] === 0 ? 3 : 2) * a.values[p]);
          }
        }
        const m = fromTriplets(n, n, rows, cols, vals);
        const e = thrown(() => factor(m, analyze(m, { pivotTol: offDiagonal ? 1 : 0.001 })));
        expect(isPlurigridError(e, "LU_SINGULAR")).toBe(true);
        if (isPlurigridError(e)) expect([0, 1, n - 1]).toContain(e.details.column);
      }),
      { numRuns: 300 },
    );
  });

  it("pivotRcond is tiny for a nearly singular matrix and moderate for a well conditioned one", () => {
    const good = dominant(50, 3, 1);
    expect(pivotRcond(factor(good, analyze(good)))).toBeGreaterThan(1e-3);
    const near = fromTriplets(2, 2, [0, 1, 0, 1], [0, 0, 1, 1], [1, 1, 1, 1 + 1e-10]);
    expect(pivotRcond(factor(near, analyze(near, { ordering: "natural" })))).toBeLessThan(1e-9);
  });
});

function colOfEntries(a: CscMatrix): number[] {
  const out: number[] = [];
  for (let j = 0; j < a.nCols; j++) for (let p = a.colPtr[j]; p < a.colPtr[j + 1]; p++) out.push(j);
  return out;
}

describe("a 100x100 grid with an unsymmetric perturbation (10,000 unknowns)", () => {
  it("solves to a small residual, refactors, and AMD fill is far below natural-order fill", () => {
    const a = grid2d(100, 3);
    const n = a.nCols;
    const numeric = factor(a, analyze(a));
    const b = randomVector(n, 4);
    expect(relativeResidual(a, solve(numeric, Float64Array.from(b)), b)).toBeLessThan(1e-12);
    expect(relativeResidual(a, solveTranspose(numeric, Float64Array.from(b)), b, true)).toBeLessThan(1e-12);

    const natural = factor(a, analyze(a, { ordering: "natural" }));
    expect(relativeResidual(a, solve(natural, Float64Array.from(b)), b)).toBeLessThan(1e-12);
    const fillAmd = luNnz(numeric).nnzLU;
    const fillNatural = luNnz(natural).nnzLU;
    expect(fillNatural).toBeGreaterThan(1_800_000);
    expect(fillAmd).toBeLessThan(0.3 * fillNatural);
    // With diagonal pivots the LU pattern is that of the symmetric elimination.
    expect(numeric.offDiagonalPivots).toBe(0);
    expect(fillAmd).toBe(2 * choleskyNnz(a, numeric.colPerm) - n);
    expect(fillNatural).toBe(2 * choleskyNnz(a, naturalOrder(n)) - n);

    // A Newton-like sequence of value changes, each refactored and solved.
    const rand = rng(11);
    for (let iteration = 0; iteration < 3; iteration++) {
      const values = a.values.map((v) => v * (1 + 0.1 * (rand() - 0.5)));
      const next = { ...a, values };
      expect(refactor(next, numeric).ok).toBe(true);
      expect(relativeResidual(next, solve(numeric, Float64Array.from(b)), b)).toBeLessThan(1e-12);
    }
  });
});
