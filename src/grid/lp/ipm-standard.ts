import { PlurigridError } from "../../core/errors.js";
import type { LpProblem } from "./types.js";

/**
 * An `LpProblem` (minimisation) rewritten for the interior-point method of ipm.ts:
 *
 *   min ½ xᵀQx + cᵀx + offset   s.t.   A_E x = b_E,   A_I x − s = 0,   l ≤ (x, s) ≤ u
 *
 * Fixed columns are substituted out; rows with two infinite bounds are dropped; every other row with
 * distinct bounds gets a slack s whose bounds are the row's. `rowKind` and `rowPos` map original rows
 * to their place here, so duals and activities can be put back.
 */
export interface StandardQp {
  /** Columns kept (not fixed), and their original index. */
  n: number;
  colOf: Int32Array;
  /** Position of each original column among the kept ones, -1 when fixed. */
  posOfCol: Int32Array;
  /** Value of each original column when it is fixed (NaN otherwise). */
  fixedValue: Float64Array;
  c: Float64Array;
  offset: number;
  /** Q as full symmetric COO over kept columns (both (i,j) and (j,i) stored for i ≠ j). */
  qi: Int32Array;
  qj: Int32Array;
  qv: Float64Array;
  /** Equality rows, CSR over kept columns. */
  mE: number;
  eStart: Int32Array;
  eIndex: Int32Array;
  eValue: Float64Array;
  bE: Float64Array;
  /** Inequality rows, CSR over kept columns, with the bounds of their slack. */
  mI: number;
  iStart: Int32Array;
  iIndex: Int32Array;
  iValue: Float64Array;
  /** Bounds of (x, s), length n + mI; ±Infinity where absent. */
  lower: Float64Array;
  upper: Float64Array;
  /** 0 free row (dropped), 1 equality, 2 inequality; with the row's index in its group. */
  rowKind: Uint8Array;
  rowPos: Int32Array;
  /** A row that lost all its columns to fixing and cannot hold: the problem is infeasible. */
  infeasibleRow: number;
  /**
   * Scaling applied by `equilibrate` (all ones before): x = colScale·x̂, the multiplier of a row
   * y = rowScale·ŷ / objScale, with ŷ the multiplier of the scaled row.
   */
  colScale: Float64Array;
  rowScaleE: Float64Array;
  rowScaleI: Float64Array;
  objScale: number;
}

export function standardQp(p: LpProblem): StandardQp {
  if (p.integer?.some((v) => v !== 0)) {
    throw new PlurigridError("LP_UNSUPPORTED", "the interior-point solver handles continuous problems only");
  }
  const sign = p.sense === "max" ? -1 : 1;
  const n0 = p.numCols;
  const posOfCol = new Int32Array(n0).fill(-1);
  const fixedValue = new Float64Array(n0).fill(Number.NaN);
  const colOf: number[] = [];
  for (let j = 0; j < n0; j++) {
    if (p.colLower[j] === p.colUpper[j]) fixedValue[j] = p.colLower[j];
    else {
      posOfCol[j] = colOf.length;
      colOf.push(j);
    }
    if (p.colLower[j] > p.colUpper[j]) {
      throw new PlurigridError("LP_BAD_INPUT", `column ${j} has lower bound above its upper bound`, {
        col: j,
      });
    }
  }
  const n = colOf.length;
  const c = new Float64Array(n);
  let offset = sign * p.offset;
  for (let j = 0; j < n0; j++) {
    const cj = sign * p.colCost[j];
    if (posOfCol[j] >= 0) c[posOfCol[j]] = cj;
    else offset += cj * fixedValue[j];
  }

  const qi: number[] = [];
  const qj: number[] = [];
  const qv: number[] = [];
  const q = p.quadratic;
  if (q) {
    for (let k = 0; k < q.value.length; k++) {
      const a = q.i[k];
      const b = q.j[k];
      const v = sign * q.value[k];
      const pa = posOfCol[a];
      const pb = posOfCol[b];
      if (pa >= 0 && pb >= 0) {
        // v·x_a·x_b = ½·xᵀQx with Q_ab + Q_ba = 2v.
        if (pa === pb) {
          qi.push(pa);
          qj.push(pa);
          qv.push(2 * v);
        } else {
          qi.push(pa, pb);
          qj.push(pb, pa);
          qv.push(v, v);
        }
      } else if (pa >= 0) c[pa] += v * fixedValue[b];
      else if (pb >= 0) c[pb] += v * fixedValue[a];
      else offset += v * fixedValue[a] * fixedValue[b];
    }
  }

  const rowKind = new Uint8Array(p.numRows);
  const rowPos = new Int32Array(p.numRows).fill(-1);
  const eStart = [0];
  const eIndex: number[] = [];
  const eValue: number[] = [];
  const bE: number[] = [];
  const iStart = [0];
  const iIndex: number[] = [];
  const iValue: number[] = [];
  const sLower: number[] = [];
  const sUpper: number[] = [];
  let infeasibleRow = -1;
  for (let r = 0; r < p.numRows; r++) {
    let shift = 0;
    let kept = 0;
    for (let k = p.rowStart[r]; k < p.rowStart[r + 1]; k++) {
      const j = p.rowIndex[k];
      if (posOfCol[j] < 0) shift += p.rowValue[k] * fixedValue[j];
      else if (p.rowValue[k] !== 0) kept++;
    }
    const lo = p.rowLower[r] - shift;
    const hi = p.rowUpper[r] - shift;
    const tol = 1e-9 * (1 + Math.abs(shift));
    if (kept === 0) {
      if (lo > tol || hi < -tol) infeasibleRow = r;
      continue;
    }
    if (lo === Number.NEGATIVE_INFINITY && hi === Number.POSITIVE_INFINITY) continue;
    const isEq = p.rowLower[r] === p.rowUpper[r];
    const index = isEq ? eIndex : iIndex;
    const value = isEq ? eValue : iValue;
    for (let k = p.rowStart[r]; k < p.rowStart[r + 1]; k++) {
      const j = posOfCol[p.rowIndex[k]];
      if (j < 0 || p.rowValue[k] === 0) continue;
      index.push(j);
      value.push(p.rowValue[k]);
    }
    if (isEq) {
      rowKind[r] = 1;
      rowPos[r] = bE.length;
      bE.push(lo);
      eStart.push(eIndex.length);
    } else {
      rowKind[r] = 2;
      rowPos[r] = sLower.length;
      sLower.push(lo);
      sUpper.push(hi);
      iStart.push(iIndex.length);
    }
  }
  const mI = sLower.length;
  const lower = new Float64Array(n + mI);
  const upper = new Float64Array(n + mI);
  for (let k = 0; k < n; k++) {
    lower[k] = p.colLower[colOf[k]];
    upper[k] = p.colUpper[colOf[k]];
  }
  for (let k = 0; k < mI; k++) {
    lower[n + k] = sLower[k];
    upper[n + k] = sUpper[k];
  }
  return {
    n,
    colOf: Int32Array.from(colOf),
    posOfCol,
    fixedValue,
    c,
    offset,
    qi: Int32Array.from(qi),
    qj: Int32Array.from(qj),
    qv: Float64Array.from(qv),
    mE: bE.length,
    eStart: Int32Array.from(eStart),
    eIndex: Int32Array.from(eIndex),
    eValue: Float64Array.from(eValue),
    bE: Float64Array.from(bE),
    mI,
    iStart: Int32Array.from(iStart),
    iIndex: Int32Array.from(iIndex),
    iValue: Float64Array.from(iValue),
    lower,
    upper,
    rowKind,
    rowPos,
    infeasibleRow,
    colScale: new Float64Array(n).fill(1),
    rowScaleE: new Float64Array(bE.length).fill(1),
    rowScaleI: new Float64Array(mI).fill(1),
    objScale: 1,
  };
}

const RUIZ_PASSES = 10;

/** Nearest power of two, so that scaling and unscaling are exact. */
function pow2(x: number): number {
  return 2 ** Math.round(Math.log2(x));
}

/**
 * Ruiz equilibration (D. Ruiz, "A scaling algorithm to equilibrate both rows and columns norms in
 * matrices", RAL-TR-2001-034): rows and columns of [A_E; A_I] are divided by the square roots of their
 * largest entries, repeatedly, until every row and column has its largest entry near 1; then the
 * objective is divided by its largest coefficient. Susceptances of 10⁴ next to generator coefficients of 1
 * otherwise leave the Newton systems too ill-conditioned for diagonal pivoting.
 */
export function equilibrate(qp: StandardQp): void {
  const { n, mE, mI } = qp;
  const dc = qp.colScale;
  const dE = qp.rowScaleE;
  const dI = qp.rowScaleI;
  const colMax = new Float64Array(n);
  for (let pass = 0; pass < RUIZ_PASSES; pass++) {
    colMax.fill(0);
    const rows = (start: Int32Array, index: Int32Array, value: Float64Array, d: Float64Array, m: number) => {
      for (let r = 0; r < m; r++) {
        let rmax = 0;
        for (let k = start[r]; k < start[r + 1]; k++)
          rmax = Math.max(rmax, Math.abs(value[k] * dc[index[k]]) * d[r]);
        if (rmax > 0) d[r] /= Math.sqrt(rmax);
        for (let k = start[r]; k < start[r + 1]; k++) {
          const j = index[k];
          colMax[j] = Math.max(colMax[j], Math.abs(value[k] * dc[j]) * d[r]);
        }
      }
    };
    rows(qp.eStart, qp.eIndex, qp.eValue, dE, mE);
    rows(qp.iStart, qp.iIndex, qp.iValue, dI, mI);
    for (let j = 0; j < n; j++) if (colMax[j] > 0) dc[j] /= Math.sqrt(colMax[j]);
  }
  for (let j = 0; j < n; j++) dc[j] = pow2(dc[j]);
  for (let r = 0; r < mE; r++) dE[r] = pow2(dE[r]);
  for (let r = 0; r < mI; r++) dI[r] = pow2(dI[r]);

  for (let r = 0; r < mE; r++) {
    for (let k = qp.eStart[r]; k < qp.eStart[r + 1]; k++) qp.eValue[k] *= dE[r] * dc[qp.eIndex[k]];
    qp.bE[r] *= dE[r];
  }
  for (let r = 0; r < mI; r++) {
    for (let k = qp.iStart[r]; k < qp.iStart[r + 1]; k++) qp.iValue[k] *= dI[r] * dc[qp.iIndex[k]];
    qp.lower[n + r] *= dI[r];
    qp.upper[n + r] *= dI[r];
  }
  for (let j = 0; j < n; j++) {
    qp.lower[j] /= dc[j];
    qp.upper[j] /= dc[j];
    qp.c[j] *= dc[j];
  }
  for (let t = 0; t < qp.qv.length; t++) qp.qv[t] *= dc[qp.qi[t]] * dc[qp.qj[t]];
  let objMax = 0;
  for (let j = 0; j < n; j++) objMax = Math.max(objMax, Math.abs(qp.c[j]));
  for (let t = 0; t < qp.qv.length; t++) objMax = Math.max(objMax, Math.abs(qp.qv[t]));
  const f = objMax > 0 ? pow2(1 / objMax) : 1;
  qp.objScale = f;
  for (let j = 0; j < n; j++) qp.c[j] *= f;
  for (let t = 0; t < qp.qv.length; t++) qp.qv[t] *= f;
  qp.offset *= f;
}
