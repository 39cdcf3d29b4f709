/**
 * The numeric factorization of lu.ts: left-looking Gilbert–Peierls LU (Gilbert & Peierls 1988) with
 * KLU's threshold partial pivoting that prefers the diagonal, and symmetric pruning of the search graph
 * (Eisenstat & Liu, "Exploiting structural symmetry in a sparse partial pivoting code", SIAM J. Sci.
 * Comput. 14(1), 1993). For each column k of A(:, Q):
 *   1. reach: a depth-first search from the rows of A(:, Q[k]) through the columns of L finds which
 *      earlier pivots update column k, in topological order (the pattern of U(:, k));
 *   2. the sparse triangular solve x = L \ A(:, Q[k]) in that order, in a dense vector indexed by row;
 *   3. the pivot among the rows not yet pivotal: the preferred ("diagonal") row if it passes the
 *      threshold test, otherwise the largest; L(:, k) = candidates / pivot;
 *   4. pruning of the columns of L that now need not be searched past their pivotal rows.
 * Each phase is its own function over a workspace object so V8 optimizes it with full type feedback.
 */
import { PlurigridError } from "../../core/errors.js";
import type { CscMatrix } from "./csc.js";
import { checkSameShape, computeRowScale, type LuNumeric, type LuSymbolic } from "./lu-common.js";

class FactorWork {
  Li: Int32Array<ArrayBuffer>;
  Lx: Float64Array<ArrayBuffer>;
  Ui: Int32Array<ArrayBuffer>;
  Ux: Float64Array<ArrayBuffer>;
  lnz = 0;
  unz = 0;
  readonly Lp: Int32Array;
  readonly Up: Int32Array;
  readonly Udiag: Float64Array;
  /** Length of the prefix of L(:,j) the search must follow (after pruning, the pivotal rows). */
  readonly lPend: Int32Array;
  readonly pruned: Uint8Array;
  /** max |L(i,j)|, so |U(j,k)| lMax[j] bounds the updates column j makes to column k. */
  readonly lMax: Float64Array;
  /** Dense accumulator indexed by original row; all zero between columns. */
  readonly X: Float64Array;
  /** flag[i] === k: row i already reached while computing column k. */
  readonly flag: Int32Array;
  readonly stackNode: Int32Array;
  readonly stackPos: Int32Array;
  /** topo[top..n): pivots that update the current column, in topological order. */
  readonly topo: Int32Array;
  /** cand[0..nCand): non-pivotal rows reached, the pivot candidates. */
  readonly cand: Int32Array;
  nCand = 0;
  readonly pinv: Int32Array;
  readonly P: Int32Array;
  /** diagRow[k]: the row preferred as pivot at step k; diagStep is its inverse. */
  readonly diagRow: Int32Array;
  readonly diagStep: Int32Array;
  offDiagonalPivots = 0;

  constructor(
    readonly n: number,
    colPerm: Int32Array,
    capacity: number,
  ) {
    this.Li = new Int32Array(capacity);
    this.Lx = new Float64Array(capacity);
    this.Ui = new Int32Array(capacity);
    this.Ux = new Float64Array(capacity);
    this.Lp = new Int32Array(n + 1);
    this.Up = new Int32Array(n + 1);
    this.Udiag = new Float64Array(n);
    this.lPend = new Int32Array(n);
    this.pruned = new Uint8Array(n);
    this.lMax = new Float64Array(n);
    this.X = new Float64Array(n);
    this.flag = new Int32Array(n).fill(-1);
    this.stackNode = new Int32Array(n);
    this.stackPos = new Int32Array(n);
    this.topo = new Int32Array(n);
    this.cand = new Int32Array(n);
    this.pinv = new Int32Array(n).fill(-1);
    this.P = new Int32Array(n);
    // The symmetric fill-reducing order makes A(Q[k], Q[k]) the preferred pivot of step k.
    this.diagRow = Int32Array.from(colPerm);
    this.diagStep = new Int32Array(n);
    for (let k = 0; k < n; k++) this.diagStep[colPerm[k]] = k;
  }
}

/** Numeric factorization with threshold partial pivoting. Throws LU_SINGULAR (see lu.ts). */
export function factor(a: CscMatrix, symbolic: LuSymbolic): LuNumeric {
  checkSameShape(a, symbolic);
  const n = symbolic.n;
  const { pivotTol, singularTol } = symbolic.options;
  const Ap = a.colPtr;
  const Ai = a.rowIdx;
  const Ax = a.values;
  const Q = symbolic.colPerm;
  const rs = new Float64Array(n);
  computeRowScale(a, symbolic.options.scale, rs);
  const w = new FactorWork(n, Q, Math.max(4 * n, Math.ceil(1.2 * symbolic.lnzEstimate) + n));

  for (let k = 0; k < n; k++) {
    // A column adds at most n - k - 1 entries to L and k to U.
    if (w.lnz + n - k > w.Li.length) growL(w, w.lnz + n - k);
    if (w.unz + k > w.Ui.length) growU(w, w.unz + k);
    const col = Q[k];
    const top = reach(w, Ap, Ai, col, k);
    const colMax = solveColumn(w, Ap, Ai, Ax, rs, col, top);
    const pivRow = choosePivot(w, k, colMax, pivotTol, singularTol);
    if (pivRow < 0) singular(w, col, k);
    storeColumn(w, k, pivRow);
    prune(w, top, pivRow);
  }

  const { Li, lnz, pinv } = w;
  for (let p = 0; p < lnz; p++) Li[p] = pinv[Li[p]];
  const total = Ap[n];
  const aRowPivot = new Int32Array(total);
  for (let p = 0; p < total; p++) aRowPivot[p] = pinv[Ai[p]];
  return {
    n,
    symbolic,
    rowPerm: w.P,
    rowPermInv: pinv,
    colPerm: Q,
    rowScale: rs,
    lColPtr: w.Lp,
    lRowIdx: Li.slice(0, lnz),
    lValues: w.Lx.slice(0, lnz),
    uColPtr: w.Up,
    uRowIdx: w.Ui.slice(0, w.unz),
    uValues: w.Ux.slice(0, w.unz),
    uDiag: w.Udiag,
    offDiagonalPivots: w.offDiagonalPivots,
    aRowPivot,
    aColPtr: Ap,
    aRowIdx: Ai,
    work: w.X,
    valid: true,
  };
}

function growL(w: FactorWork, needed: number): void {
  const capacity = Math.max(2 * w.Li.length, needed);
  const Li = new Int32Array(capacity);
  Li.set(w.Li.subarray(0, w.lnz));
  const Lx = new Float64Array(capacity);
  Lx.set(w.Lx.subarray(0, w.lnz));
  w.Li = Li;
  w.Lx = Lx;
}

function growU(w: FactorWork, needed: number): void {
  const capacity = Math.max(2 * w.Ui.length, needed);
  const Ui = new Int32Array(capacity);
  Ui.set(w.Ui.subarray(0, w.unz));
  const Ux = new Float64Array(capacity);
  Ux.set(w.Ux.subarray(0, w.unz));
  w.Ui = Ui;
  w.Ux = Ux;
}

/**
 * Rows reached from A(:,col) through the graph of L (pivotal rows are nodes whose L columns are
 * followed; other rows are the pivot candidates). Returns top: topo[top..n) in topological order
 * (reverse post-order of an iterative depth-first search).
 */
function reach(w: FactorWork, Ap: Int32Array, Ai: Int32Array, col: number, k: number): number {
  const { Li, Lp, lPend, flag, pinv, stackNode, stackPos, topo, cand } = w;
  let top = w.n;
  let nCand = 0;
  const pa1 = Ap[col + 1];
  for (let p = Ap[col]; p < pa1; p++) {
    const i = Ai[p];
    if (flag[i] === k) continue;
    flag[i] = k;
    const j0 = pinv[i];
    if (j0 < 0) {
      cand[nCand++] = i;
      continue;
    }
    let depth = 0;
    stackNode[0] = j0;
    stackPos[0] = Lp[j0];
    while (depth >= 0) {
      const j = stackNode[depth];
      const pEnd = Lp[j] + lPend[j];
      let pp = stackPos[depth];
      let descended = false;
      while (pp < pEnd) {
        const r = Li[pp++];
        if (flag[r] === k) continue;
        flag[r] = k;
        const jr = pinv[r];
        if (jr < 0) {
          cand[nCand++] = r;
          continue;
        }
        stackPos[depth] = pp;
        depth++;
        stackNode[depth] = jr;
        stackPos[depth] = Lp[jr];
        descended = true;
        break;
      }
      if (!descended) {
        topo[--top] = j;
        depth--;
      }
    }
  }
  w.nCand = nCand;
  return top;
}

/**
 * x = L \ (row-scaled A(:,col)) into X, storing U(:,k) as it goes. Returns the largest magnitude met
 * (entries of A and update sizes |U(j,k)| max|L(:,j)|), the scale of the rounding errors in x.
 */
function solveColumn(
  w: FactorWork,
  Ap: Int32Array,
  Ai: Int32Array,
  Ax: Float64Array,
  rs: Float64Array,
  col: number,
  top: number,
): number {
  const { Li, Lx, Ui, Ux, Lp, lMax, X, P, topo } = w;
  const n = w.n;
  let unz = w.unz;
  let colMax = 0;
  const pa1 = Ap[col + 1];
  for (let p = Ap[col]; p < pa1; p++) {
    const i = Ai[p];
    const v = Ax[p] * rs[i];
    X[i] = v;
    const av = v < 0 ? -v : v;
    if (av > colMax) colMax = av;
  }
  for (let t = top; t < n; t++) {
    const j = topo[t];
    const prow = P[j];
    const ujk = X[prow];
    X[prow] = 0;
    Ui[unz] = j;
    Ux[unz] = ujk;
    unz++;
    if (ujk === 0) continue;
    const au = (ujk < 0 ? -ujk : ujk) * Math.max(lMax[j], 1);
    if (au > colMax) colMax = au;
    const pl1 = Lp[j + 1];
    for (let pl = Lp[j]; pl < pl1; pl++) X[Li[pl]] -= Lx[pl] * ujk;
  }
  w.unz = unz;
  return colMax;
}

/**
 * KLU's pivot rule: the preferred row when |x| there is at least pivotTol times the largest candidate,
 * else the largest. Returns -1 when the column has no candidate above singularTol * colMax.
 */
function choosePivot(
  w: FactorWork,
  k: number,
  colMax: number,
  pivotTol: number,
  singularTol: number,
): number {
  const { X, cand } = w;
  const nCand = w.nCand;
  const dRow = w.diagRow[k];
  let maxAbs = 0;
  let maxRow = -1;
  let diagAbs = -1;
  for (let t = 0; t < nCand; t++) {
    const i = cand[t];
    const x = X[i];
    const v = x < 0 ? -x : x;
    if (v > maxAbs || maxRow < 0) {
      maxAbs = v;
      maxRow = i;
    }
    if (i === dRow) diagAbs = v;
  }
  if (nCand === 0 || !(maxAbs > singularTol * colMax) || !(maxAbs < Number.POSITIVE_INFINITY)) return -1;
  return diagAbs > 0 && diagAbs >= pivotTol * maxAbs ? dRow : maxRow;
}

function singular(w: FactorWork, col: number, k: number): never {
  let largest = 0;
  for (let t = 0; t < w.nCand; t++) largest = Math.max(largest, Math.abs(w.X[w.cand[t]]));
  throw new PlurigridError(
    "LU_SINGULAR",
    `matrix is singular: column ${col} has no usable pivot at elimination step ${k} (largest candidate ${largest})`,
    { column: col, step: k, n: w.n, largestCandidate: largest },
  );
}

/** Record pivot k and write L(:,k) = candidates / pivot; X returns to all zeros. */
function storeColumn(w: FactorWork, k: number, pivRow: number): void {
  const { Li, Lx, X, cand, pinv, diagRow, diagStep } = w;
  const nCand = w.nCand;
  const pivot = X[pivRow];
  w.Udiag[k] = pivot;
  w.P[k] = pivRow;
  pinv[pivRow] = k;
  const dRow = diagRow[k];
  if (pivRow !== dRow) {
    // The later step that preferred pivRow now prefers this step's row (KLU keeps pivots near the diagonal).
    const k2 = diagStep[pivRow];
    diagRow[k2] = dRow;
    diagStep[dRow] = k2;
    w.offDiagonalPivots++;
  }
  let lnz = w.lnz;
  const lStart = lnz;
  let maxL = 0;
  for (let t = 0; t < nCand; t++) {
    const i = cand[t];
    if (i !== pivRow) {
      const l = X[i] / pivot;
      Li[lnz] = i;
      Lx[lnz] = l;
      lnz++;
      const al = l < 0 ? -l : l;
      if (al > maxL) maxL = al;
    }
    X[i] = 0;
  }
  w.lnz = lnz;
  w.Lp[k + 1] = lnz;
  w.Up[k + 1] = w.unz;
  w.lPend[k] = lnz - lStart;
  w.lMax[k] = maxL;
}

/**
 * Symmetric pruning: if L(:,j) holds the new pivot row and U(j,k) != 0, every non-pivotal row of L(:,j)
 * is reachable through k, so later searches need only the pivotal rows of L(:,j), moved to its front.
 */
function prune(w: FactorWork, top: number, pivRow: number): void {
  const { Li, Lx, Lp, lPend, pruned, pinv, topo } = w;
  const n = w.n;
  for (let t = top; t < n; t++) {
    const j = topo[t];
    if (pruned[j] === 1) continue;
    const p0 = Lp[j];
    const p1 = Lp[j + 1];
    for (let p = p0; p < p1; p++) {
      if (Li[p] !== pivRow) continue;
      let headPos = p0;
      let tailPos = p1;
      while (headPos < tailPos) {
        const i = Li[headPos];
        if (pinv[i] >= 0) {
          headPos++;
        } else {
          tailPos--;
          Li[headPos] = Li[tailPos];
          Li[tailPos] = i;
          const x = Lx[headPos];
          Lx[headPos] = Lx[tailPos];
          Lx[tailPos] = x;
        }
      }
      lPend[j] = headPos - p0;
      pruned[j] = 1;
      break;
    }
  }
}
