/**
 * A complex sparse matrix in compressed sparse column form, real and imaginary parts in two arrays that
 * share one pattern (row indices ascending within each column, no duplicates).
 */
export interface ComplexCsc {
  rows: number;
  cols: number;
  /** Column j holds entries colPtr[j] .. colPtr[j+1]-1. */
  colPtr: Int32Array;
  rowIdx: Int32Array;
  re: Float64Array;
  im: Float64Array;
}

/** y = A x for complex x given as (xRe, xIm); writes into (yRe, yIm), which must not alias x. */
export function complexMulVec(
  a: ComplexCsc,
  xRe: Float64Array,
  xIm: Float64Array,
  yRe: Float64Array,
  yIm: Float64Array,
): void {
  yRe.fill(0, 0, a.rows);
  yIm.fill(0, 0, a.rows);
  const { colPtr, rowIdx, re, im } = a;
  for (let j = 0; j < a.cols; j++) {
    const vr = xRe[j];
    const vi = xIm[j];
    for (let p = colPtr[j]; p < colPtr[j + 1]; p++) {
      const i = rowIdx[p];
      yRe[i] += re[p] * vr - im[p] * vi;
      yIm[i] += re[p] * vi + im[p] * vr;
    }
  }
}

/** Index of entry (i, j) in the pattern, or -1 (binary search in column j). */
export function complexEntry(a: ComplexCsc, i: number, j: number): number {
  let lo = a.colPtr[j];
  let hi = a.colPtr[j + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = a.rowIdx[mid];
    if (r === i) return mid;
    if (r < i) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
