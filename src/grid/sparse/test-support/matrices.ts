/** Matrix generators and dense references for the sparse tests (not part of the build). */
import { type CscMatrix, fromTriplets, multiply, multiplyTranspose } from "../csc.js";

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Triplets {
  rows: number[];
  cols: number[];
  vals: number[];
}

/** Random off-diagonal pattern of about `perColumn` entries per column, unsymmetric, values in ±[0.1, 1]. */
export function randomOffDiagonal(n: number, perColumn: number, seed: number): Triplets {
  const rand = rng(seed);
  const t: Triplets = { rows: [], cols: [], vals: [] };
  for (let j = 0; j < n; j++) {
    const count = Math.floor(rand() * (2 * perColumn + 1));
    for (let c = 0; c < count && n > 1; c++) {
      const i = Math.floor(rand() * n);
      if (i === j) continue;
      t.rows.push(i);
      t.cols.push(j);
      t.vals.push((rand() < 0.5 ? -1 : 1) * (0.1 + 0.9 * rand()));
    }
  }
  return t;
}

/** Diagonally dominant by rows: diagonal = (1 + margin) * sum |off-diagonal| + 1, random sign. */
export function dominant(n: number, perColumn: number, seed: number): CscMatrix {
  const t = randomOffDiagonal(n, perColumn, seed);
  const rand = rng(seed ^ 0x9e3779b9);
  const rowSum = new Float64Array(n);
  for (let k = 0; k < t.rows.length; k++) rowSum[t.rows[k]] += Math.abs(t.vals[k]);
  for (let i = 0; i < n; i++) {
    t.rows.push(i);
    t.cols.push(i);
    t.vals.push((rand() < 0.5 ? -1 : 1) * (1.1 * rowSum[i] + 1));
  }
  return fromTriplets(n, n, t.rows, t.cols, t.vals);
}

/** A random derangement of 0..n-1 (n >= 2), identity for n < 2. */
export function derangement(n: number, seed: number): Int32Array {
  const rand = rng(seed);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  if (n < 2) return p;
  // Sattolo's algorithm gives a single n-cycle, so no fixed point.
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * i);
    const x = p[i];
    p[i] = p[j];
    p[j] = x;
  }
  return p;
}

/**
 * Rows of a dominant matrix `base` moved by the derangement `move` (row i goes to move[i]), entries that
 * land on the diagonal dropped. The dropped entries are off-diagonal in `base`, so what remains is still
 * dominant and the result (a row permutation of it) is nonsingular; its large entries all sit off the
 * diagonal, so partial pivoting must leave the diagonal.
 */
export function permuteRowsDropDiagonal(base: CscMatrix, move: Int32Array): CscMatrix {
  const n = base.nCols;
  const t: Triplets = { rows: [], cols: [], vals: [] };
  for (let j = 0; j < n; j++) {
    for (let p = base.colPtr[j]; p < base.colPtr[j + 1]; p++) {
      const i = move[base.rowIdx[p]];
      if (i === j) continue;
      t.rows.push(i);
      t.cols.push(j);
      t.vals.push(base.values[p]);
    }
  }
  return fromTriplets(n, n, t.rows, t.cols, t.vals);
}

export function needsOffDiagonalPivots(n: number, perColumn: number, seed: number): CscMatrix {
  return permuteRowsDropDiagonal(dominant(n, perColumn, seed), derangement(n, seed + 17));
}

/**
 * Same pattern as the dominant matrix `a`, off-diagonal values scaled by random factors in [0.5, 1.5],
 * diagonal recomputed so rows stay dominant (the next "Newton iterate" of a matrix).
 */
export function revalueDominant(a: CscMatrix, seed: number): CscMatrix {
  const rand = rng(seed);
  const n = a.nCols;
  const values = new Float64Array(a.values.length);
  const rowSum = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    for (let p = a.colPtr[j]; p < a.colPtr[j + 1]; p++) {
      const i = a.rowIdx[p];
      if (i === j) continue;
      values[p] = a.values[p] * (0.5 + rand());
      rowSum[i] += Math.abs(values[p]);
    }
  }
  for (let j = 0; j < n; j++) {
    for (let p = a.colPtr[j]; p < a.colPtr[j + 1]; p++) {
      if (a.rowIdx[p] === j) values[p] = Math.sign(a.values[p]) * (1.1 * rowSum[j] + 0.5 + rand());
    }
  }
  return { ...a, values };
}

/**
 * 5-point Laplacian of a side x side grid (diagonal 4.5, neighbours -1) plus an unsymmetric perturbation
 * of the off-diagonal values.
 */
export function grid2d(side: number, seed: number): CscMatrix {
  const rand = rng(seed);
  const n = side * side;
  const t: Triplets = { rows: [], cols: [], vals: [] };
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const i = y * side + x;
      t.rows.push(i);
      t.cols.push(i);
      t.vals.push(4.5);
      const nb = [
        x > 0 ? i - 1 : -1,
        x < side - 1 ? i + 1 : -1,
        y > 0 ? i - side : -1,
        y < side - 1 ? i + side : -1,
      ];
      for (const j of nb) {
        if (j < 0) continue;
        t.rows.push(i);
        t.cols.push(j);
        t.vals.push(-1 + 0.4 * (rand() - 0.5));
      }
    }
  }
  return fromTriplets(n, n, t.rows, t.cols, t.vals);
}

/** Dense copy, row-major, for small reference computations. */
export function toDense(a: CscMatrix): Float64Array {
  const d = new Float64Array(a.nRows * a.nCols);
  for (let j = 0; j < a.nCols; j++) {
    for (let p = a.colPtr[j]; p < a.colPtr[j + 1]; p++) d[a.rowIdx[p] * a.nCols + j] += a.values[p];
  }
  return d;
}

/** ||A x - b||_inf / ||b||_inf (or A^T x - b with transposed). */
export function relativeResidual(a: CscMatrix, x: Float64Array, b: Float64Array, transposed = false): number {
  const ax = transposed ? multiplyTranspose(a, x) : multiply(a, x);
  let r = 0;
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    r = Math.max(r, Math.abs(ax[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return s === 0 ? r : r / s;
}

export function randomVector(n: number, seed: number): Float64Array {
  const rand = rng(seed);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) b[i] = 2 * rand() - 1;
  return b;
}

/** Random tree on n vertices as a symmetric pattern matrix with a dominant diagonal. */
export function randomTree(n: number, seed: number): CscMatrix {
  const rand = rng(seed);
  const t: Triplets = { rows: [], cols: [], vals: [] };
  for (let i = 0; i < n; i++) {
    t.rows.push(i);
    t.cols.push(i);
    t.vals.push(10);
  }
  // Vertex labels shuffled so the natural order is not already a good one.
  const label = derangement(n, seed + 3);
  for (let i = 1; i < n; i++) {
    const parent = Math.floor(rand() * i);
    t.rows.push(label[i], label[parent]);
    t.cols.push(label[parent], label[i]);
    t.vals.push(-1, -1);
  }
  return fromTriplets(n, n, t.rows, t.cols, t.vals);
}
