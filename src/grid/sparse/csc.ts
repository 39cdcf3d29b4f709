/**
 * Compressed sparse column (CSC) matrices in flat typed arrays, the storage used by every sparse
 * routine of the grid (Jacobians, B matrices, LU factors).
 *
 * Canonical form, relied on by the ordering and the LU: `colPtr` has nCols + 1 non-decreasing entries
 * starting at 0, and within each column the row indices are strictly increasing (sorted, no duplicates).
 * Every constructor here returns canonical matrices.
 *
 * Newton–Raphson re-assembles a Jacobian with the same pattern every iteration. `patternFromTriplets`
 * does the expensive part once (sorting, merging duplicates) and returns, for each triplet, the CSC slot
 * it adds into; `refillFromTriplets` is then a zero-fill plus one scatter-add pass.
 */
import { PlurigridError } from "../../core/errors.js";

export interface CscMatrix {
  readonly nRows: number;
  readonly nCols: number;
  /** nCols + 1 offsets into rowIdx/values; column j is [colPtr[j], colPtr[j+1]). */
  readonly colPtr: Int32Array;
  /** Row index of each stored entry, strictly increasing within a column. */
  readonly rowIdx: Int32Array;
  readonly values: Float64Array;
}

/** A pattern built once from triplet positions, refilled with new values by one scatter-add pass. */
export interface TripletAssembly {
  /** The matrix whose `values` each refill overwrites. */
  readonly matrix: CscMatrix;
  /** slotOfTriplet[t] is the index in matrix.values that triplet t adds into. */
  readonly slotOfTriplet: Int32Array;
}

/** Number of stored entries. */
export function nnz(a: CscMatrix): number {
  return a.colPtr[a.nCols];
}

function checkDimension(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0x3fffffff) {
    throw new PlurigridError("SPARSE_INVALID", `${what} must be a non-negative integer, got ${value}`, {
      [what]: value,
    });
  }
}

/**
 * Build the CSC pattern of `count` triplets (rows[t], cols[t]) and the slot of each triplet. Duplicates
 * share a slot (so their values are summed on refill). Runs in O(nRows + nCols + count): a counting sort
 * by row, then one pass by column, which leaves each column's rows sorted.
 */
export function patternFromTriplets(
  nRows: number,
  nCols: number,
  rows: ArrayLike<number>,
  cols: ArrayLike<number>,
  count: number = rows.length,
): TripletAssembly {
  checkDimension("nRows", nRows);
  checkDimension("nCols", nCols);
  if (count > rows.length || count > cols.length) {
    throw new PlurigridError("SPARSE_INVALID", `triplet count ${count} exceeds the index arrays`, {
      count,
      rows: rows.length,
      cols: cols.length,
    });
  }
  const rowStart = new Int32Array(nRows + 1);
  for (let t = 0; t < count; t++) {
    const i = rows[t];
    const j = cols[t];
    if (!(i >= 0 && i < nRows && j >= 0 && j < nCols) || !Number.isInteger(i) || !Number.isInteger(j)) {
      throw new PlurigridError("SPARSE_INDEX", `triplet ${t} at (${i}, ${j}) is outside ${nRows}x${nCols}`, {
        triplet: t,
        row: i,
        col: j,
        nRows,
        nCols,
      });
    }
    rowStart[i + 1]++;
  }
  for (let i = 0; i < nRows; i++) rowStart[i + 1] += rowStart[i];
  // Triplet numbers bucketed by row, in input order within a row.
  const byRow = new Int32Array(count);
  const fill = rowStart.slice(0, nRows);
  for (let t = 0; t < count; t++) byRow[fill[rows[t]]++] = t;

  // Visiting rows in increasing order appends to each column in increasing row order, so a duplicate
  // is always the entry last appended to its column.
  const lastRow = new Int32Array(nCols).fill(-1);
  const colPtr = new Int32Array(nCols + 1);
  for (let i = 0; i < nRows; i++) {
    for (let q = rowStart[i]; q < rowStart[i + 1]; q++) {
      const j = cols[byRow[q]];
      if (lastRow[j] !== i) {
        lastRow[j] = i;
        colPtr[j + 1]++;
      }
    }
  }
  for (let j = 0; j < nCols; j++) colPtr[j + 1] += colPtr[j];
  const total = colPtr[nCols];
  const rowIdx = new Int32Array(total);
  const slotOfTriplet = new Int32Array(count);
  const next = colPtr.slice(0, nCols);
  lastRow.fill(-1);
  for (let i = 0; i < nRows; i++) {
    for (let q = rowStart[i]; q < rowStart[i + 1]; q++) {
      const t = byRow[q];
      const j = cols[t];
      if (lastRow[j] !== i) {
        lastRow[j] = i;
        rowIdx[next[j]++] = i;
      }
      slotOfTriplet[t] = next[j] - 1;
    }
  }
  const matrix: CscMatrix = { nRows, nCols, colPtr, rowIdx, values: new Float64Array(total) };
  return { matrix, slotOfTriplet };
}

/**
 * Overwrite assembly.matrix.values with the sums of the triplet values (zero-fill, then one scatter-add
 * pass). `tripletValues[t]` belongs to triplet t of the pattern. Returns the refilled matrix.
 */
export function refillFromTriplets(assembly: TripletAssembly, tripletValues: ArrayLike<number>): CscMatrix {
  const slot = assembly.slotOfTriplet;
  const values = assembly.matrix.values;
  const count = slot.length;
  if (tripletValues.length < count) {
    throw new PlurigridError(
      "SPARSE_INVALID",
      `refill needs ${count} triplet values, got ${tripletValues.length}`,
      { expected: count, got: tripletValues.length },
    );
  }
  values.fill(0);
  for (let t = 0; t < count; t++) values[slot[t]] += tripletValues[t];
  return assembly.matrix;
}

/** CSC matrix from triplets, duplicates summed. */
export function fromTriplets(
  nRows: number,
  nCols: number,
  rows: ArrayLike<number>,
  cols: ArrayLike<number>,
  values: ArrayLike<number>,
  count: number = rows.length,
): CscMatrix {
  if (values.length < count) {
    throw new PlurigridError("SPARSE_INVALID", `triplet count ${count} exceeds the value array`, {
      count,
      values: values.length,
    });
  }
  const assembly = patternFromTriplets(nRows, nCols, rows, cols, count);
  const slot = assembly.slotOfTriplet;
  const out = assembly.matrix.values;
  for (let t = 0; t < count; t++) out[slot[t]] += values[t];
  return assembly.matrix;
}

/** A^T, canonical (rows sorted because columns of A are visited in order). */
export function transpose(a: CscMatrix): CscMatrix {
  const { nRows, nCols, colPtr, rowIdx, values } = a;
  const total = colPtr[nCols];
  const tPtr = new Int32Array(nRows + 1);
  for (let p = 0; p < total; p++) tPtr[rowIdx[p] + 1]++;
  for (let i = 0; i < nRows; i++) tPtr[i + 1] += tPtr[i];
  const next = tPtr.slice(0, nRows);
  const tIdx = new Int32Array(total);
  const tVal = new Float64Array(total);
  for (let j = 0; j < nCols; j++) {
    for (let p = colPtr[j]; p < colPtr[j + 1]; p++) {
      const q = next[rowIdx[p]]++;
      tIdx[q] = j;
      tVal[q] = values[p];
    }
  }
  return { nRows: nCols, nCols: nRows, colPtr: tPtr, rowIdx: tIdx, values: tVal };
}

/** y = A x. `y` (length nRows) is overwritten; a new array is returned when it is omitted. */
export function multiply(a: CscMatrix, x: ArrayLike<number>, y?: Float64Array): Float64Array {
  const { nRows, nCols, colPtr, rowIdx, values } = a;
  const out = y ?? new Float64Array(nRows);
  if (x.length < nCols || out.length < nRows) {
    throw new PlurigridError("SPARSE_INVALID", "vector length does not match the matrix", {
      nRows,
      nCols,
      x: x.length,
      y: out.length,
    });
  }
  out.fill(0, 0, nRows);
  for (let j = 0; j < nCols; j++) {
    const xj = x[j];
    if (xj === 0) continue;
    for (let p = colPtr[j]; p < colPtr[j + 1]; p++) out[rowIdx[p]] += values[p] * xj;
  }
  return out;
}

/** y = A^T x (a dot product per column, no transpose built). */
export function multiplyTranspose(a: CscMatrix, x: ArrayLike<number>, y?: Float64Array): Float64Array {
  const { nRows, nCols, colPtr, rowIdx, values } = a;
  const out = y ?? new Float64Array(nCols);
  if (x.length < nRows || out.length < nCols) {
    throw new PlurigridError("SPARSE_INVALID", "vector length does not match the matrix", {
      nRows,
      nCols,
      x: x.length,
      y: out.length,
    });
  }
  for (let j = 0; j < nCols; j++) {
    let s = 0;
    for (let p = colPtr[j]; p < colPtr[j + 1]; p++) s += values[p] * x[rowIdx[p]];
    out[j] = s;
  }
  return out;
}

/**
 * Throw SPARSE_INVALID unless `a` is canonical: array lengths agree, column pointers are non-decreasing
 * and row indices are in range and strictly increasing within each column. O(nnz).
 */
export function assertCanonical(a: CscMatrix): void {
  const { nRows, nCols, colPtr, rowIdx, values } = a;
  checkDimension("nRows", nRows);
  checkDimension("nCols", nCols);
  const fail = (message: string, details: Record<string, unknown>): never => {
    throw new PlurigridError("SPARSE_INVALID", message, details);
  };
  if (colPtr.length !== nCols + 1 || colPtr[0] !== 0) fail("colPtr must have nCols + 1 entries from 0", {});
  const total = colPtr[nCols];
  if (rowIdx.length < total || values.length < total) {
    fail("rowIdx/values are shorter than colPtr[nCols]", { total });
  }
  for (let j = 0; j < nCols; j++) {
    const p0 = colPtr[j];
    const p1 = colPtr[j + 1];
    if (p1 < p0) fail(`colPtr decreases at column ${j}`, { column: j });
    let previous = -1;
    for (let p = p0; p < p1; p++) {
      const i = rowIdx[p];
      if (!(i > previous && i < nRows)) {
        fail(`column ${j}: row indices must be increasing and below ${nRows}`, { column: j, row: i });
      }
      previous = i;
    }
  }
}
