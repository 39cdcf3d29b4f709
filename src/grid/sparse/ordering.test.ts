import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CscMatrix, fromTriplets } from "./csc.js";
import {
  amdOrder,
  choleskyNnz,
  invertPermutation,
  isPermutation,
  naturalOrder,
  rcmOrder,
  symmetricPattern,
} from "./ordering.js";
import { dominant, grid2d, randomTree, toDense } from "./test-support/matrices.js";

/** nnz(L) with diagonal by eliminating a dense boolean graph in the given order (the definition of fill). */
function bruteForceCholeskyNnz(a: CscMatrix, perm: Int32Array): number {
  const n = a.nCols;
  const d = toDense(a);
  const pinv = invertPermutation(perm);
  const adj: boolean[][] = Array.from({ length: n }, () => new Array<boolean>(n).fill(false));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i !== j && d[i * n + j] !== 0) {
        adj[pinv[i]][pinv[j]] = true;
        adj[pinv[j]][pinv[i]] = true;
      }
    }
  }
  let count = n;
  for (let k = 0; k < n; k++) {
    const later: number[] = [];
    for (let j = k + 1; j < n; j++) if (adj[k][j]) later.push(j);
    count += later.length;
    for (const x of later) for (const y of later) if (x !== y) adj[x][y] = true;
  }
  return count;
}

const matrixArb = fc
  .record({
    n: fc.integer({ min: 1, max: 40 }),
    perColumn: fc.integer({ min: 0, max: 4 }),
    seed: fc.integer(),
  })
  .map(({ n, perColumn, seed }) => dominant(n, perColumn, seed));

describe("symmetricPattern", () => {
  it("is the sorted, diagonal-free pattern of A + A^T", () => {
    fc.assert(
      fc.property(matrixArb, (a) => {
        const g = symmetricPattern(a);
        const n = a.nCols;
        const d = toDense(a);
        for (let v = 0; v < n; v++) {
          const expected: number[] = [];
          for (let u = 0; u < n; u++)
            if (u !== v && (d[u * n + v] !== 0 || d[v * n + u] !== 0)) expected.push(u);
          expect(Array.from(g.idx.subarray(g.ptr[v], g.ptr[v + 1]))).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("orderings", () => {
  it("AMD and RCM return permutations of 0..n-1", () => {
    fc.assert(
      fc.property(matrixArb, (a) => {
        expect(isPermutation(amdOrder(a).perm, a.nCols)).toBe(true);
        expect(isPermutation(rcmOrder(a), a.nCols)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("AMD handles dense rows (ordered last), empty matrices and isolated vertices", () => {
    // A star: vertex 0 is adjacent to all 299 others, above max(16, 10 sqrt(300)).
    const n = 300;
    const rows: number[] = [];
    const cols: number[] = [];
    for (let i = 0; i < n; i++) {
      rows.push(i);
      cols.push(i);
      if (i > 0) {
        rows.push(0, i);
        cols.push(i, 0);
      }
    }
    const star = fromTriplets(
      n,
      n,
      rows,
      cols,
      rows.map(() => 1),
    );
    const amd = amdOrder(star);
    expect(amd.denseCount).toBe(1);
    expect(amd.perm[n - 1]).toBe(0);
    expect(isPermutation(amd.perm, n)).toBe(true);
    expect(choleskyNnz(star, amd.perm)).toBe(2 * n - 1);
    const empty = fromTriplets(5, 5, [], [], []);
    expect(isPermutation(amdOrder(empty).perm, 5)).toBe(true);
    expect(amdOrder(fromTriplets(0, 0, [], [], [])).perm.length).toBe(0);
  });

  it("AMD's order does not depend on the workspace size (compaction keeps the quotient graph intact)", () => {
    for (const a of [grid2d(30, 2), dominant(2000, 3, 5), dominant(500, 8, 6)]) {
      const roomy = amdOrder(a, { elbowRoom: 5 });
      const tight = amdOrder(a, { elbowRoom: 0 });
      expect(roomy.compactions).toBe(0);
      expect(tight.compactions).toBeGreaterThan(0);
      expect(Array.from(tight.perm)).toEqual(Array.from(roomy.perm));
      expect(tight.lnzEstimate).toBe(roomy.lnzEstimate);
    }
  });

  it("AMD gives no fill on trees (a leaf is always of minimum degree)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer(), (n, seed) => {
        const tree = randomTree(n, seed);
        expect(choleskyNnz(tree, amdOrder(tree).perm)).toBe(2 * n - 1);
      }),
      { numRuns: 100 },
    );
  });

  it("AMD gives no fill on an arrow matrix whose natural order fills completely", () => {
    const n = 50;
    const rows: number[] = [];
    const cols: number[] = [];
    for (let i = 0; i < n; i++) {
      rows.push(i);
      cols.push(i);
      if (i > 0) rows.push(0, i);
      if (i > 0) cols.push(i, 0);
    }
    const arrow = fromTriplets(
      n,
      n,
      rows,
      cols,
      rows.map(() => 1),
    );
    expect(choleskyNnz(arrow, naturalOrder(n))).toBe((n * (n + 1)) / 2);
    expect(choleskyNnz(arrow, amdOrder(arrow).perm)).toBe(2 * n - 1);
  });
});

describe("choleskyNnz", () => {
  it("equals the fill of explicit elimination, for natural, AMD and RCM orders", () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 25 }),
          perColumn: fc.integer({ min: 0, max: 3 }),
          seed: fc.integer(),
        }),
        ({ n, perColumn, seed }) => {
          const a = dominant(n, perColumn, seed);
          for (const perm of [naturalOrder(n), amdOrder(a).perm, rcmOrder(a)]) {
            expect(choleskyNnz(a, perm)).toBe(bruteForceCholeskyNnz(a, perm));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("fill on a 100x100 grid (10,000 unknowns)", () => {
  it("AMD fill is far below RCM and natural-order fill, and AMD's estimate bounds it", () => {
    const a = grid2d(100, 1);
    const amd = amdOrder(a);
    const fillAmd = choleskyNnz(a, amd.perm);
    const fillRcm = choleskyNnz(a, rcmOrder(a));
    const fillNatural = choleskyNnz(a, naturalOrder(a.nCols));
    // Natural order of a k x k grid is a band of half-width k: about k^3 = 1e6 entries in L.
    expect(fillNatural).toBeGreaterThan(900_000);
    expect(fillAmd).toBeLessThan(0.3 * fillNatural);
    expect(fillAmd).toBeLessThan(0.5 * fillRcm);
    // The approximate degrees are upper bounds, so the estimate is not below the exact strict-L count.
    expect(amd.lnzEstimate).toBeGreaterThanOrEqual(fillAmd - a.nCols);
    expect(amd.lnzEstimate).toBeLessThan(1.5 * (fillAmd - a.nCols));
  });
});
