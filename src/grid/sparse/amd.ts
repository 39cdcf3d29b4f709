/**
 * Approximate minimum degree ordering on a symmetric graph, after
 *   P. R. Amestoy, T. A. Davis, I. S. Duff, "An approximate minimum degree ordering algorithm",
 *   SIAM J. Matrix Anal. Appl. 17(4):886–905, 1996,
 * with the features of that paper: a quotient graph of variables and elements held in one integer
 * workspace (compacted when full), element absorption, aggressive absorption (Ashcraft, as in MC47B),
 * supervariables found by hashing, mass elimination, and the approximate external degree bound
 *   d_i = min(n - k, d_i(old) + |Lme \ i|, |A_i \ i| + |Lme \ i| + sum_{e in E_i \ me} |Le \ Lme|)
 * computed from w(e) = |Le \ Lme| in one pass over the new element (amd-quotient.ts). Rows denser than
 * max(16, dense * sqrt(n)) are removed first and ordered last (they would cost O(n^2) otherwise).
 */
import {
  AmdState,
  buildElementAtEnd,
  buildElementInPlace,
  computeExternalSizes,
  EMPTY,
  findSupervariables,
  finishStep,
  flip,
  selectPivot,
  updateDegrees,
} from "./amd-quotient.js";

export interface AmdGraphResult {
  /** perm[k] is the vertex eliminated k-th. */
  perm: Int32Array;
  /** Estimated nonzeros of the strict lower triangle of the Cholesky factor in this order. */
  lnzEstimate: number;
  /** Vertices treated as dense and ordered last. */
  denseCount: number;
  /** Garbage collections of the workspace (a statistic; the order does not depend on it). */
  compactions: number;
}

/**
 * Order the graph with adjacency (adjPtr, adjIdx): both directions of every edge present, self loops
 * ignored. `dense` <= 0 disables dense-row removal. `elbowRoom` is the spare workspace as a fraction of
 * the adjacency (AMD's recommended 1.2 x nnz + n is the default); less only means more compactions.
 */
export function amdOnGraph(
  n: number,
  adjPtr: Int32Array,
  adjIdx: Int32Array,
  dense = 10,
  elbowRoom = 0.2,
): AmdGraphResult {
  if (n === 0) return { perm: new Int32Array(0), lnzEstimate: 0, denseCount: 0, compactions: 0 };
  const nnzAdj = adjPtr[n];
  const s = new AmdState(n, nnzAdj + Math.ceil(nnzAdj * Math.max(0, elbowRoom)) + n + 1);
  const denseCount = loadGraph(s, adjPtr, adjIdx, dense > 0 ? Math.max(16, dense * Math.sqrt(n)) : n);
  while (s.nel < n) {
    selectPivot(s);
    if (s.elen[s.me] === 0) buildElementInPlace(s);
    else buildElementAtEnd(s);
    computeExternalSizes(s);
    updateDegrees(s);
    findSupervariables(s);
    finishStep(s);
  }
  const perm = pivotOrder(s);
  const dd = denseCount;
  const lnzEstimate = s.lnz + dd * (n - dd) + (dd * (dd - 1)) / 2;
  return { perm, lnzEstimate, denseCount, compactions: s.compactions };
}

/** Copy the graph into iw (without self loops and dense vertices) and fill the degree lists. */
function loadGraph(s: AmdState, adjPtr: Int32Array, adjIdx: Int32Array, denseLimit: number): number {
  const { n, iw, pe, len, elen, nv, w, degree, head, next, last, isDense } = s;
  let denseCount = 0;
  for (let i = 0; i < n; i++) {
    if (adjPtr[i + 1] - adjPtr[i] > denseLimit) {
      isDense[i] = 1;
      denseCount++;
    }
  }
  let pfree = 0;
  for (let i = 0; i < n; i++) {
    if (isDense[i] === 1) {
      pe[i] = EMPTY;
      elen[i] = EMPTY;
      continue;
    }
    pe[i] = pfree;
    for (let q = adjPtr[i]; q < adjPtr[i + 1]; q++) {
      const j = adjIdx[q];
      if (j !== i && isDense[j] === 0) iw[pfree++] = j;
    }
    const d = pfree - pe[i];
    len[i] = d;
    nv[i] = 1;
    w[i] = 1;
    degree[i] = d;
    const h = head[d];
    if (h !== EMPTY) last[h] = i;
    next[i] = h;
    last[i] = EMPTY;
    head[d] = i;
  }
  s.pfree = pfree;
  s.nel = denseCount;
  return denseCount;
}

/** Step 1: take a supervariable of minimum approximate degree off its degree list. */
/**
 * The elimination order: each element in turn, followed by the variables merged into it (non-principal
 * ones point, through chains of variables, at the element that finally took them); dense vertices last.
 */
function pivotOrder(s: AmdState): Int32Array {
  const { n, pe, nv, isElement, isDense, elementSequence } = s;
  const perm = new Int32Array(n);
  const start = new Int32Array(n);
  let pos = 0;
  for (let t = 0; t < s.elementCount; t++) {
    const e = elementSequence[t];
    perm[pos] = e;
    start[e] = pos + 1;
    pos += nv[e];
  }
  for (let i = 0; i < n; i++) {
    if (isElement[i] === 1 || isDense[i] === 1) continue;
    let r = flip(pe[i]);
    while (isElement[r] === 0) r = flip(pe[r]);
    perm[start[r]++] = i;
    // Path compression keeps later chains short.
    let t = i;
    while (isElement[t] === 0) {
      const up = flip(pe[t]);
      pe[t] = flip(r);
      t = up;
    }
  }
  for (let i = 0; i < n; i++) if (isDense[i] === 1) perm[pos++] = i;
  return perm;
}
