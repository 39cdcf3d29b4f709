/**
 * Fill-reducing orderings of square sparse matrices, computed on the pattern of A + A^T (power-flow
 * Jacobians and B matrices are structurally symmetric, so nothing is lost by symmetrising):
 * approximate minimum degree (amd.ts), reverse Cuthill–McKee for comparison, and an exact symbolic count
 * of the Cholesky fill of a symmetric pattern in a given order, used to compare orderings.
 *
 * A permutation `perm` lists original indices in their new order: perm[k] is the index placed k-th.
 */
import { PlurigridError } from "../../core/errors.js";
import { amdOnGraph } from "./amd.js";
import type { CscMatrix } from "./csc.js";

/** Adjacency of an undirected graph: the neighbours of v are idx[ptr[v] .. ptr[v+1]), sorted, no self loop. */
export interface Adjacency {
  readonly n: number;
  readonly ptr: Int32Array;
  readonly idx: Int32Array;
}

export interface AmdOrdering {
  perm: Int32Array;
  /** AMD's estimate of nnz of the strict lower triangle of the Cholesky factor of P(A+A^T)P^T. */
  lnzEstimate: number;
  /** Rows with more than max(16, dense * sqrt(n)) entries, ordered last. */
  denseCount: number;
  /** Workspace compactions (a statistic). */
  compactions: number;
}

function requireSquare(a: CscMatrix): number {
  if (a.nRows !== a.nCols) {
    throw new PlurigridError(
      "SPARSE_NOT_SQUARE",
      `ordering needs a square matrix, got ${a.nRows}x${a.nCols}`,
      {
        nRows: a.nRows,
        nCols: a.nCols,
      },
    );
  }
  return a.nCols;
}

/**
 * The graph of A + A^T without the diagonal. Needs canonical A (sorted rows); each column of A is merged
 * with the same column of A^T, so the result is sorted and duplicate-free. O(n + nnz).
 */
export function symmetricPattern(a: CscMatrix): Adjacency {
  const n = requireSquare(a);
  const { colPtr, rowIdx } = a;
  const total = colPtr[n];
  // Pattern of A^T (rows of A), sorted because columns are visited in order.
  const tPtr = new Int32Array(n + 1);
  for (let p = 0; p < total; p++) tPtr[rowIdx[p] + 1]++;
  for (let i = 0; i < n; i++) tPtr[i + 1] += tPtr[i];
  const tIdx = new Int32Array(total);
  const fill = tPtr.slice(0, n);
  for (let j = 0; j < n; j++) {
    for (let p = colPtr[j]; p < colPtr[j + 1]; p++) tIdx[fill[rowIdx[p]]++] = j;
  }
  const ptr = new Int32Array(n + 1);
  for (let pass = 0; pass < 2; pass++) {
    const idx = pass === 0 ? null : new Int32Array(ptr[n]);
    let out = 0;
    for (let j = 0; j < n; j++) {
      let p = colPtr[j];
      const pEnd = colPtr[j + 1];
      let q = tPtr[j];
      const qEnd = tPtr[j + 1];
      while (p < pEnd || q < qEnd) {
        const a0 = p < pEnd ? rowIdx[p] : n;
        const b0 = q < qEnd ? tIdx[q] : n;
        const v = Math.min(a0, b0);
        if (a0 === v) p++;
        if (b0 === v) q++;
        if (v === j) continue;
        if (idx !== null) idx[out] = v;
        out++;
      }
      if (idx === null) ptr[j + 1] = out;
    }
    if (idx !== null) return { n, ptr, idx };
  }
  throw new PlurigridError("INTERNAL_INVARIANT", "symmetricPattern: unreachable");
}

/** Approximate minimum degree ordering of A + A^T (Amestoy, Davis, Duff 1996). */
export function amdOrder(a: CscMatrix, options: { dense?: number; elbowRoom?: number } = {}): AmdOrdering {
  const g = symmetricPattern(a);
  return amdOnGraph(g.n, g.ptr, g.idx, options.dense ?? 10, options.elbowRoom ?? 0.2);
}

/** The identity permutation. */
export function naturalOrder(n: number): Int32Array {
  const perm = new Int32Array(n);
  for (let k = 0; k < n; k++) perm[k] = k;
  return perm;
}

/**
 * Reverse Cuthill–McKee (Cuthill & McKee 1969; George 1971 reversal) on A + A^T: breadth-first search
 * from a pseudo-peripheral vertex of each component (George & Liu 1979), neighbours taken in
 * increasing degree, the whole order reversed. A bandwidth reducer, kept as a baseline for AMD.
 */
export function rcmOrder(a: CscMatrix): Int32Array {
  const g = symmetricPattern(a);
  const { n, ptr, idx } = g;
  const order = new Int32Array(n);
  const visited = new Uint8Array(n);
  const level = new Int32Array(n);
  const queue = new Int32Array(n);
  let count = 0;
  for (let seed = 0; seed < n; seed++) {
    if (visited[seed] === 1) continue;
    const root = pseudoPeripheral(g, seed, level, queue);
    visited[root] = 1;
    order[count++] = root;
    let headPos = count - 1;
    while (headPos < count) {
      const v = order[headPos++];
      const first = count;
      for (let p = ptr[v]; p < ptr[v + 1]; p++) {
        const u = idx[p];
        if (visited[u] === 1) continue;
        visited[u] = 1;
        // Insertion by degree keeps the neighbours of v in increasing degree.
        const du = ptr[u + 1] - ptr[u];
        let t = count++;
        while (t > first && ptr[order[t - 1] + 1] - ptr[order[t - 1]] > du) {
          order[t] = order[t - 1];
          t--;
        }
        order[t] = u;
      }
    }
  }
  order.reverse();
  return order;
}

/** BFS levels from `start` within its component; returns the last vertex of minimum degree found. */
function pseudoPeripheral(g: Adjacency, start: number, level: Int32Array, queue: Int32Array): number {
  const { ptr, idx } = g;
  let root = start;
  let eccentricity = -1;
  for (let round = 0; round < 16; round++) {
    // BFS from root, recording levels; `level` is reset for the vertices reached.
    let qHead = 0;
    let qTail = 0;
    queue[qTail++] = root;
    level[root] = 1;
    let lastLevel = 1;
    while (qHead < qTail) {
      const v = queue[qHead++];
      for (let p = ptr[v]; p < ptr[v + 1]; p++) {
        const u = idx[p];
        if (level[u] !== 0) continue;
        level[u] = level[v] + 1;
        lastLevel = level[u];
        queue[qTail++] = u;
      }
    }
    let best = root;
    let bestDegree = Number.MAX_SAFE_INTEGER;
    for (let t = 0; t < qTail; t++) {
      const v = queue[t];
      if (level[v] === lastLevel) {
        const d = ptr[v + 1] - ptr[v];
        if (d < bestDegree) {
          bestDegree = d;
          best = v;
        }
      }
      level[v] = 0;
    }
    if (lastLevel <= eccentricity) break;
    eccentricity = lastLevel;
    root = best;
  }
  return root;
}

/** True when `perm` holds each of 0..n-1 exactly once. */
export function isPermutation(perm: ArrayLike<number>, n: number): boolean {
  if (perm.length !== n) return false;
  const seen = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const v = perm[k];
    if (!Number.isInteger(v) || v < 0 || v >= n || seen[v] === 1) return false;
    seen[v] = 1;
  }
  return true;
}

/** inverse[perm[k]] = k. */
export function invertPermutation(perm: Int32Array): Int32Array {
  const inv = new Int32Array(perm.length);
  for (let k = 0; k < perm.length; k++) inv[perm[k]] = k;
  return inv;
}

/**
 * Exact nnz of the Cholesky factor L (diagonal included) of P(A+A^T)P^T with perm, from the elimination
 * tree (Liu 1986, path compression) and row subtrees (each row k of L is the set of tree nodes on the
 * paths from its original entries up to k). Time O(nnz(L)), memory O(n). For an LU with diagonal
 * pivots on a structurally symmetric matrix, nnz(L + U) = 2 nnz(L) - n.
 */
export function choleskyNnz(a: CscMatrix, perm: Int32Array): number {
  const g = symmetricPattern(a);
  const { n, ptr, idx } = g;
  if (!isPermutation(perm, n)) {
    throw new PlurigridError("SPARSE_INVALID", "choleskyNnz: perm is not a permutation of 0..n-1", { n });
  }
  const pinv = invertPermutation(perm);
  const parent = new Int32Array(n).fill(-1);
  const ancestor = new Int32Array(n).fill(-1);
  for (let k = 0; k < n; k++) {
    const v = perm[k];
    for (let p = ptr[v]; p < ptr[v + 1]; p++) {
      let t = pinv[idx[p]];
      while (t !== -1 && t < k) {
        const up = ancestor[t];
        ancestor[t] = k;
        if (up === -1) parent[t] = k;
        t = up;
      }
    }
  }
  const mark = new Int32Array(n).fill(-1);
  let count = n;
  for (let k = 0; k < n; k++) {
    mark[k] = k;
    const v = perm[k];
    for (let p = ptr[v]; p < ptr[v + 1]; p++) {
      let t = pinv[idx[p]];
      if (t > k) continue;
      while (mark[t] !== k) {
        mark[t] = k;
        count++;
        t = parent[t];
      }
    }
  }
  return count;
}
