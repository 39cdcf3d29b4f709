/**
 * The quotient graph of approximate minimum degree (amd.ts) and the six parts of one elimination step,
 * after Amestoy, Davis & Duff (SIAM J. Matrix Anal. Appl. 17(4), 1996):
 *   1. take a supervariable of minimum approximate degree (the pivot me);
 *   2. build the new element Lme, absorbing the elements adjacent to me;
 *   3. w(e) - wflg = |Le \ Lme| for the elements adjacent to Lme;
 *   4. approximate degrees, element absorption (aggressive: any Le inside Lme), mass elimination;
 *   5. supervariables: variables of Lme with identical lists merge (hash, then compare);
 *   6. final degrees back into the degree lists.
 *
 * Workspace conventions: for a variable i, iw[pe[i] .. pe[i] + elen[i]) lists the elements it belongs to
 * and iw[pe[i] + elen[i] .. pe[i] + len[i]) its remaining variable neighbours; for an element e,
 * iw[pe[e] .. pe[e] + len[e]) lists its variables Le. A dead object (absorbed element, non-principal or
 * eliminated variable) has pe = flip(parent) < 0, so pe >= 0 marks exactly the live objects.
 *
 * Each part is its own small function over one state object: V8 then optimizes each with complete type
 * feedback after a few pivots, instead of recompiling one huge loop body.
 */
import { assert } from "../../core/errors.js";

export const EMPTY = -1;

export function flip(i: number): number {
  return -i - 2;
}

export class AmdState {
  iw: Int32Array;
  iwlen: number;
  pfree = 0;
  readonly pe: Int32Array;
  readonly len: Int32Array;
  readonly elen: Int32Array;
  readonly nv: Int32Array;
  readonly degree: Int32Array;
  /** w[e] >= wflg encodes |Le \ Lme| = w[e] - wflg during a step; 0 marks a dead element. */
  readonly w: Int32Array;
  readonly head: Int32Array;
  readonly next: Int32Array;
  readonly last: Int32Array;
  readonly hashHead: Int32Array;
  readonly hashNext: Int32Array;
  readonly hashOf: Int32Array;
  readonly isElement: Uint8Array;
  readonly isDense: Uint8Array;
  readonly elementSequence: Int32Array;
  elementCount = 0;
  nel = 0;
  wflg = 2;
  readonly wbig: number;
  mindeg = 0;
  lemax = 0;
  lnz = 0;
  compactions = 0;
  // The current pivot step: Lme = iw[pme1 .. pme2].
  me = 0;
  nvpiv = 0;
  degme = 0;
  pme1 = 0;
  pme2 = -1;
  /** Lme was written at the end of iw (rather than over me's own list). */
  builtAtEnd = false;

  constructor(
    readonly n: number,
    iwlen: number,
  ) {
    this.iwlen = iwlen;
    this.iw = new Int32Array(iwlen);
    this.pe = new Int32Array(n);
    this.len = new Int32Array(n);
    this.elen = new Int32Array(n);
    this.nv = new Int32Array(n);
    this.degree = new Int32Array(n);
    this.w = new Int32Array(n);
    this.head = new Int32Array(n).fill(EMPTY);
    this.next = new Int32Array(n);
    this.last = new Int32Array(n);
    this.hashHead = new Int32Array(n).fill(EMPTY);
    this.hashNext = new Int32Array(n);
    this.hashOf = new Int32Array(n);
    this.isElement = new Uint8Array(n);
    this.isDense = new Uint8Array(n);
    this.elementSequence = new Int32Array(n);
    this.wbig = 0x7fffffff - n - 2;
  }
}

export function selectPivot(s: AmdState): void {
  const { n, head, next, last, nv } = s;
  let deg = s.mindeg;
  while (deg < n && head[deg] === EMPTY) deg++;
  assert(deg < n, "AMD: a variable is left in the degree lists");
  s.mindeg = deg;
  const me = head[deg];
  const meNext = next[me];
  if (meNext !== EMPTY) last[meNext] = EMPTY;
  head[deg] = meNext;
  s.me = me;
  s.nvpiv = nv[me];
  s.nel += nv[me];
  nv[me] = -nv[me];
  s.degme = 0;
}

function removeFromDegreeList(s: AmdState, i: number): void {
  const ilast = s.last[i];
  const inext = s.next[i];
  if (inext !== EMPTY) s.last[inext] = ilast;
  if (ilast !== EMPTY) s.next[ilast] = inext;
  else s.head[s.degree[i]] = inext;
}

/** Step 2, pivot without elements: Lme is its variable list, compacted in place. */
export function buildElementInPlace(s: AmdState): void {
  const { iw, pe, len, nv } = s;
  const me = s.me;
  const pme1 = pe[me];
  let pme2 = pme1 - 1;
  let degme = 0;
  const pend = pme1 + len[me];
  for (let p = pme1; p < pend; p++) {
    const i = iw[p];
    const nvi = nv[i];
    if (nvi <= 0) continue;
    degme += nvi;
    nv[i] = -nvi;
    iw[++pme2] = i;
    removeFromDegreeList(s, i);
  }
  s.pme1 = pme1;
  s.pme2 = pme2;
  s.degme = degme;
  s.builtAtEnd = false;
  markElement(s);
}

/**
 * Step 2, general case: Lme = (A_me ∪ union of Le over the elements of me) \ me, written at the end of
 * iw; the elements of me are absorbed into it.
 */
export function buildElementAtEnd(s: AmdState): void {
  const { pe, len, nv, w } = s;
  const me = s.me;
  const elenme = s.elen[me];
  let iw = s.iw;
  let pList = pe[me];
  let listLeft = len[me];
  let pme1 = s.pfree;
  let pfree = pme1;
  let degme = 0;
  for (let source = 0; source <= elenme; source++) {
    let e: number;
    let p: number;
    let ln: number;
    if (source === elenme) {
      e = me;
      p = pList;
      ln = listLeft;
    } else {
      e = iw[pList++];
      listLeft--;
      p = pe[e];
      ln = len[e];
      if (p < 0) continue;
    }
    for (let left = ln; left > 0; left--) {
      const i = iw[p++];
      const nvi = nv[i];
      if (nvi <= 0) continue;
      if (pfree >= s.iwlen) {
        // Record where the scans stand, compact every live object, then resume.
        pe[me] = pList;
        len[me] = listLeft;
        pe[e] = p;
        len[e] = left - 1;
        const kept = pfree - pme1;
        const pdst = compact(s, pme1);
        iw.copyWithin(pdst, pme1, pfree);
        pme1 = pdst;
        pfree = pdst + kept;
        if (s.iwlen - pfree < s.n) growWorkspace(s, pfree);
        iw = s.iw;
        pList = pe[me];
        p = pe[e];
      }
      degme += nvi;
      nv[i] = -nvi;
      iw[pfree++] = i;
      removeFromDegreeList(s, i);
    }
    if (e !== me) {
      pe[e] = flip(me);
      w[e] = 0;
    }
  }
  s.pfree = pfree;
  s.pme1 = pme1;
  s.pme2 = pfree - 1;
  s.degme = degme;
  s.builtAtEnd = true;
  markElement(s);
}

function markElement(s: AmdState): void {
  const me = s.me;
  s.degree[me] = s.degme;
  s.pe[me] = s.pme1;
  s.len[me] = s.pme2 - s.pme1 + 1;
  s.isElement[me] = 1;
  s.elementSequence[s.elementCount++] = me;
}

function growWorkspace(s: AmdState, used: number): void {
  s.iwlen = Math.max(2 * s.iwlen, used + 2 * s.n);
  const bigger = new Int32Array(s.iwlen);
  bigger.set(s.iw.subarray(0, used));
  s.iw = bigger;
}

/** Step 3: w[e] - wflg = |Le \ Lme| for every element e adjacent to a variable of Lme. */
export function computeExternalSizes(s: AmdState): void {
  if (s.wflg < 2 || s.wflg >= s.wbig) s.wflg = clearFlags(s.w, s.n);
  const { iw, pe, elen, nv, w, degree } = s;
  const wflg = s.wflg;
  const pme2 = s.pme2;
  for (let pme = s.pme1; pme <= pme2; pme++) {
    const i = iw[pme];
    const eln = elen[i];
    if (eln <= 0) continue;
    const nvi = -nv[i];
    const wnvi = wflg - nvi;
    const pend = pe[i] + eln;
    for (let p = pe[i]; p < pend; p++) {
      const e = iw[p];
      let we = w[e];
      if (we >= wflg) we -= nvi;
      else if (we !== 0) we = degree[e] + wnvi;
      w[e] = we;
    }
  }
}

/** Step 4: degree bounds, element absorption (aggressive: any Le ⊆ Lme), mass elimination, hashes. */
export function updateDegrees(s: AmdState): void {
  const { n, iw, pe, len, elen, nv, w, degree, hashHead, hashNext, hashOf } = s;
  const me = s.me;
  const wflg = s.wflg;
  const meFlipped = flip(me);
  const pme2 = s.pme2;
  for (let pme = s.pme1; pme <= pme2; pme++) {
    const i = iw[pme];
    const p1 = pe[i];
    const p2 = p1 + elen[i] - 1;
    let pn = p1;
    let hash = 0;
    let degi = 0;
    for (let p = p1; p <= p2; p++) {
      const e = iw[p];
      const we = w[e];
      if (we === 0) continue;
      const dext = we - wflg;
      if (dext > 0) {
        degi += dext;
        iw[pn++] = e;
        hash += e;
      } else {
        pe[e] = meFlipped;
        w[e] = 0;
      }
    }
    const eln = pn - p1 + 1;
    elen[i] = eln;
    const p3 = pn;
    const p4 = p1 + len[i];
    for (let p = p2 + 1; p < p4; p++) {
      const j = iw[p];
      const nvj = nv[j];
      if (nvj <= 0) continue;
      degi += nvj;
      iw[pn++] = j;
      hash += j;
    }
    if (eln === 1 && p3 === pn) {
      // i is adjacent to nothing outside Lme: eliminate it together with me.
      pe[i] = meFlipped;
      const nvi = -nv[i];
      s.degme -= nvi;
      s.nvpiv += nvi;
      s.nel += nvi;
      nv[i] = 0;
      elen[i] = EMPTY;
    } else {
      if (degi < degree[i]) degree[i] = degi;
      // Put me first in i's element list (at least one entry was removed, so pn < p4).
      iw[pn] = iw[p3];
      iw[p3] = iw[p1];
      iw[p1] = me;
      len[i] = pn - p1 + 1;
      const h = hash % n;
      hashNext[i] = hashHead[h];
      hashHead[h] = i;
      hashOf[i] = h;
    }
  }
  s.degree[me] = s.degme;
  if (s.degme > s.lemax) s.lemax = s.degme;
  s.wflg += s.lemax + 1;
  if (s.wflg >= s.wbig) s.wflg = clearFlags(w, n);
}

/** Step 5: variables of Lme with identical lists (same hash, then compared) merge into one. */
export function findSupervariables(s: AmdState): void {
  const { iw, pe, len, elen, nv, w, hashHead, hashNext, hashOf } = s;
  let wflg = s.wflg;
  const pme2 = s.pme2;
  for (let pme = s.pme1; pme <= pme2; pme++) {
    let i = iw[pme];
    if (nv[i] >= 0) continue;
    const h = hashOf[i];
    i = hashHead[h];
    if (i === EMPTY) continue;
    hashHead[h] = EMPTY;
    while (i !== EMPTY && hashNext[i] !== EMPTY) {
      const ln = len[i];
      const eln = elen[i];
      const pi = pe[i];
      for (let p = pi + 1; p < pi + ln; p++) w[iw[p]] = wflg;
      let jlast = i;
      let j = hashNext[i];
      while (j !== EMPTY) {
        let same = len[j] === ln && elen[j] === eln;
        const pj = pe[j];
        for (let p = pj + 1; same && p < pj + ln; p++) {
          if (w[iw[p]] !== wflg) same = false;
        }
        if (same) {
          pe[j] = flip(i);
          nv[i] += nv[j];
          nv[j] = 0;
          elen[j] = EMPTY;
          j = hashNext[j];
          hashNext[jlast] = j;
        } else {
          jlast = j;
          j = hashNext[j];
        }
      }
      wflg++;
      i = hashNext[i];
    }
  }
  s.wflg = wflg;
}

/** Step 6: final degrees of the variables of Lme; merged and eliminated ones leave Lme. */
export function finishStep(s: AmdState): void {
  const { iw, pe, len, nv, w, degree, head, next, last } = s;
  const me = s.me;
  const degme = s.degme;
  const nleft = s.n - s.nel;
  let mindeg = s.mindeg;
  let pKeep = s.pme1;
  const pme2 = s.pme2;
  for (let pme = s.pme1; pme <= pme2; pme++) {
    const i = iw[pme];
    const nvi = -nv[i];
    if (nvi <= 0) continue;
    nv[i] = nvi;
    let d = degree[i] + degme - nvi;
    if (d > nleft - nvi) d = nleft - nvi;
    const h = head[d];
    if (h !== EMPTY) last[h] = i;
    next[i] = h;
    last[i] = EMPTY;
    head[d] = i;
    if (d < mindeg) mindeg = d;
    degree[i] = d;
    iw[pKeep++] = i;
  }
  s.mindeg = mindeg;
  const nvpiv = s.nvpiv;
  nv[me] = nvpiv;
  len[me] = pKeep - s.pme1;
  if (len[me] === 0) {
    pe[me] = EMPTY;
    w[me] = 0;
  }
  // An element built at the end of iw returns the slots its merged variables no longer need.
  if (s.builtAtEnd) s.pfree = pKeep;
  // A supernode of f columns with r rows below it adds f*r + f(f-1)/2 entries to L.
  s.lnz += nvpiv * degme + (nvpiv * (nvpiv - 1)) / 2;
}

function clearFlags(w: Int32Array, n: number): number {
  for (let x = 0; x < n; x++) if (w[x] !== 0) w[x] = 1;
  return 2;
}

/**
 * Garbage collection of iw: move every live object (pe >= 0, len > 0) below `limit` to the front,
 * keeping order. The first word of each object is swapped with its owner's flipped name so the scan
 * can recognise object starts (iw otherwise holds only non-negative names). Returns the first free slot.
 */
function compact(s: AmdState, limit: number): number {
  const { n, iw, pe, len } = s;
  s.compactions++;
  for (let j = 0; j < n; j++) {
    const p = pe[j];
    if (p >= 0 && len[j] > 0 && p < limit) {
      pe[j] = iw[p];
      iw[p] = flip(j);
    }
  }
  let psrc = 0;
  let pdst = 0;
  while (psrc < limit) {
    const marker = iw[psrc++];
    if (marker >= 0) continue;
    const j = flip(marker);
    iw[pdst] = pe[j];
    pe[j] = pdst++;
    const lenj = len[j];
    for (let k = 1; k < lenj; k++) iw[pdst++] = iw[psrc++];
  }
  return pdst;
}
