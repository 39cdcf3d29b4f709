import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPlurigridError } from "../../core/errors.js";
import {
  assertCanonical,
  fromTriplets,
  multiply,
  multiplyTranspose,
  nnz,
  patternFromTriplets,
  refillFromTriplets,
  transpose,
} from "./csc.js";
import { toDense } from "./test-support/matrices.js";

/** Triplets with many repeated positions (small index ranges), plus the matrix size. */
const tripletsArb = fc
  .record({ nRows: fc.integer({ min: 1, max: 12 }), nCols: fc.integer({ min: 1, max: 12 }) })
  .chain(({ nRows, nCols }) =>
    fc.record({
      nRows: fc.constant(nRows),
      nCols: fc.constant(nCols),
      entries: fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: nRows - 1 }),
          fc.integer({ min: 0, max: nCols - 1 }),
          fc.integer({ min: -50, max: 50 }),
        ),
        { maxLength: 80 },
      ),
    }),
  );

function denseSum(nRows: number, nCols: number, entries: [number, number, number][]): Float64Array {
  const d = new Float64Array(nRows * nCols);
  for (const [i, j, v] of entries) d[i * nCols + j] += v;
  return d;
}

describe("fromTriplets", () => {
  it("sums duplicates, keeps every distinct position once, and is canonical", () => {
    fc.assert(
      fc.property(tripletsArb, ({ nRows, nCols, entries }) => {
        const a = fromTriplets(
          nRows,
          nCols,
          entries.map((e) => e[0]),
          entries.map((e) => e[1]),
          entries.map((e) => e[2]),
        );
        assertCanonical(a);
        expect(Array.from(toDense(a))).toEqual(Array.from(denseSum(nRows, nCols, entries)));
        const distinct = new Set(entries.map(([i, j]) => i * nCols + j));
        expect(nnz(a)).toBe(distinct.size);
      }),
      { numRuns: 300 },
    );
  });

  it("sums a known duplicate", () => {
    const a = fromTriplets(2, 2, [1, 0, 1, 1], [0, 1, 0, 0], [2, 5, 3, -1]);
    expect(Array.from(a.colPtr)).toEqual([0, 1, 2]);
    expect(Array.from(a.rowIdx)).toEqual([1, 0]);
    expect(Array.from(a.values)).toEqual([4, 5]);
  });

  it("rejects an index outside the matrix", () => {
    let caught: unknown;
    try {
      fromTriplets(2, 2, [0, 2], [0, 0], [1, 1]);
    } catch (e) {
      caught = e;
    }
    expect(isPlurigridError(caught, "SPARSE_INDEX")).toBe(true);
  });
});

describe("patternFromTriplets / refillFromTriplets", () => {
  it("refilling the pattern with new values equals building from scratch", () => {
    fc.assert(
      fc.property(tripletsArb, fc.integer(), ({ nRows, nCols, entries }, seed) => {
        const rows = entries.map((e) => e[0]);
        const cols = entries.map((e) => e[1]);
        const assembly = patternFromTriplets(nRows, nCols, rows, cols);
        // Two refills in a row: the second must not see the first one's values.
        refillFromTriplets(
          assembly,
          entries.map((e) => e[2]),
        );
        const second = entries.map((_, t) => ((seed + 31 * t) % 17) - 8);
        const refilled = refillFromTriplets(assembly, second);
        const fresh = fromTriplets(nRows, nCols, rows, cols, second);
        expect(Array.from(refilled.colPtr)).toEqual(Array.from(fresh.colPtr));
        expect(Array.from(refilled.rowIdx)).toEqual(Array.from(fresh.rowIdx));
        expect(Array.from(refilled.values)).toEqual(Array.from(fresh.values));
        for (let t = 0; t < entries.length; t++) {
          const s = assembly.slotOfTriplet[t];
          expect(refilled.rowIdx[s]).toBe(rows[t]);
          expect(s >= refilled.colPtr[cols[t]] && s < refilled.colPtr[cols[t] + 1]).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("transpose and products", () => {
  it("transpose matches the dense transpose and is canonical; y = A x and A^T x match dense products", () => {
    fc.assert(
      fc.property(tripletsArb, ({ nRows, nCols, entries }) => {
        const a = fromTriplets(
          nRows,
          nCols,
          entries.map((e) => e[0]),
          entries.map((e) => e[1]),
          entries.map((e) => e[2]),
        );
        const t = transpose(a);
        assertCanonical(t);
        const d = toDense(a);
        const dt = toDense(t);
        for (let i = 0; i < nRows; i++)
          for (let j = 0; j < nCols; j++) expect(dt[j * nRows + i]).toBe(d[i * nCols + j]);
        const x = Float64Array.from({ length: nCols }, (_, j) => j - 2);
        const y = multiply(a, x);
        for (let i = 0; i < nRows; i++) {
          let s = 0;
          for (let j = 0; j < nCols; j++) s += d[i * nCols + j] * x[j];
          expect(y[i]).toBe(s);
        }
        const z = Float64Array.from({ length: nRows }, (_, i) => 3 - i);
        expect(Array.from(multiplyTranspose(a, z))).toEqual(Array.from(multiply(t, z)));
      }),
      { numRuns: 300 },
    );
  });
});

describe("assertCanonical", () => {
  it("rejects unsorted or repeated row indices", () => {
    const base = { nRows: 3, nCols: 1, colPtr: Int32Array.from([0, 2]), values: new Float64Array(2) };
    expect(() => assertCanonical({ ...base, rowIdx: Int32Array.from([2, 1]) })).toThrow(/increasing/);
    expect(() => assertCanonical({ ...base, rowIdx: Int32Array.from([1, 1]) })).toThrow(/increasing/);
    expect(() => assertCanonical({ ...base, rowIdx: Int32Array.from([0, 3]) })).toThrow(/below 3/);
    expect(() => assertCanonical({ ...base, rowIdx: Int32Array.from([0, 2]) })).not.toThrow();
  });
});
