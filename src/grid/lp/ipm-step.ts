import type { Kkt } from "./ipm-kkt.js";
import type { StandardQp } from "./ipm-standard.js";

/** One search direction of the interior-point method: primal, multipliers of rows and of bounds. */
export interface Step {
  dv: Float64Array;
  dyE: Float64Array;
  dyI: Float64Array;
  dzl: Float64Array;
  dzu: Float64Array;
}

/**
 * One Newton direction for complementarity targets rcl = Wl·zl target, rcu likewise:
 * g = −rd + Wl⁻¹·rcl − Wu⁻¹·rcu, then the reduced system of ipm-kkt.ts, then back-substitution.
 */
export function newtonStep(
  qp: StandardQp,
  kkt: Kkt,
  rd: Float64Array,
  rpE: Float64Array,
  rpI: Float64Array,
  sigma: Float64Array,
  wl: Float64Array,
  wu: Float64Array,
  zl: Float64Array,
  zu: Float64Array,
  hasL: Uint8Array,
  hasU: Uint8Array,
  rcl: Float64Array,
  rcu: Float64Array,
): Step {
  const { n, mE, mI } = qp;
  const N = n + mI;
  const g = new Float64Array(N);
  for (let k = 0; k < N; k++) {
    g[k] = -rd[k];
    if (hasL[k]) g[k] += rcl[k] / wl[k];
    if (hasU[k]) g[k] -= rcu[k] / wu[k];
  }
  const rhs = new Float64Array(kkt.size);
  for (let k = 0; k < n; k++) rhs[k] = g[k];
  for (let r = 0; r < mE; r++) rhs[n + r] = -rpE[r];
  const longPos = new Int32Array(mI).fill(-1);
  for (let q = 0; q < kkt.longRows.length; q++) longPos[kkt.longRows[q]] = q;
  for (let i = 0; i < mI; i++) {
    const s = sigma[n + i];
    if (kkt.isLong[i]) {
      rhs[n + mE + longPos[i]] = -rpI[i] + g[n + i] / s;
      continue;
    }
    const w = g[n + i] - s * rpI[i];
    for (let k = qp.iStart[i]; k < qp.iStart[i + 1]; k++) rhs[qp.iIndex[k]] += qp.iValue[k] * w;
  }
  const sol = kkt.solve(rhs);
  const dv = new Float64Array(N);
  const dyE = new Float64Array(mE);
  const dyI = new Float64Array(mI);
  for (let k = 0; k < n; k++) dv[k] = sol[k];
  for (let r = 0; r < mE; r++) dyE[r] = -sol[n + r];
  for (let i = 0; i < mI; i++) {
    const s = sigma[n + i];
    if (kkt.isLong[i]) {
      dyI[i] = -sol[n + mE + longPos[i]];
      dv[n + i] = (g[n + i] - dyI[i]) / s;
    } else {
      let ax = 0;
      for (let k = qp.iStart[i]; k < qp.iStart[i + 1]; k++) ax += qp.iValue[k] * dv[qp.iIndex[k]];
      dv[n + i] = ax + rpI[i];
      dyI[i] = g[n + i] - s * dv[n + i];
    }
  }
  const dzl = new Float64Array(N);
  const dzu = new Float64Array(N);
  for (let k = 0; k < N; k++) {
    if (hasL[k]) dzl[k] = (rcl[k] - zl[k] * dv[k]) / wl[k];
    if (hasU[k]) dzu[k] = (rcu[k] + zu[k] * dv[k]) / wu[k];
  }
  return { dv, dyE, dyI, dzl, dzu };
}

/** Largest α ≤ 1 keeping both distances to the bounds positive (wl + α·dv, wu − α·dv), times `fraction`. */
export function maxStep(
  wl: Float64Array,
  wu: Float64Array,
  dv: Float64Array,
  hasL: Uint8Array,
  hasU: Uint8Array,
  fraction: number,
): number {
  let a = 1 / fraction;
  for (let k = 0; k < dv.length; k++) {
    if (dv[k] < 0 && hasL[k]) a = Math.min(a, -wl[k] / dv[k]);
    if (dv[k] > 0 && hasU[k]) a = Math.min(a, wu[k] / dv[k]);
  }
  return Math.min(1, fraction * a);
}

/**
 * Primal and dual step lengths with the fraction-to-the-boundary rule; one common length for a QP, whose
 * dual residual depends on x through Qx (Wright, ch. 11).
 */
export function stepLengths(
  step: Step,
  wl: Float64Array,
  wu: Float64Array,
  zl: Float64Array,
  zu: Float64Array,
  hasL: Uint8Array,
  hasU: Uint8Array,
  isQp: boolean,
  fraction: number,
): [number, number] {
  const sp = maxStep(wl, wu, step.dv, hasL, hasU, fraction);
  const sd = Math.min(1, fraction * Math.min(maxDual(zl, step.dzl, hasL), maxDual(zu, step.dzu, hasU)));
  return isQp ? [Math.min(sp, sd), Math.min(sp, sd)] : [sp, sd];
}

const BETA_MIN = 0.1;
const BETA_MAX = 10;

/** Gondzio's target change of one complementarity product: back into [βmin·μ, βmax·μ], large cuts capped. */
export function recentre(product: number, mu: number): number {
  if (product < BETA_MIN * mu) return BETA_MIN * mu - product;
  if (product > BETA_MAX * mu) return Math.max(BETA_MAX * mu - product, -BETA_MAX * mu);
  return 0;
}

export function addSteps(a: Step, b: Step): Step {
  const add = (x: Float64Array, y: Float64Array) => x.map((v, i) => v + y[i]);
  return {
    dv: add(a.dv, b.dv),
    dyE: add(a.dyE, b.dyE),
    dyI: add(a.dyI, b.dyI),
    dzl: add(a.dzl, b.dzl),
    dzu: add(a.dzu, b.dzu),
  };
}

/** Largest α keeping z + α·dz ≥ 0 (not capped at 1). */
export function maxDual(z: Float64Array, dz: Float64Array, has: Uint8Array): number {
  let a = Number.POSITIVE_INFINITY;
  for (let k = 0; k < z.length; k++) if (has[k] && dz[k] < 0) a = Math.min(a, -z[k] / dz[k]);
  return a;
}
