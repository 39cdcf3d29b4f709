import { Kkt } from "./ipm-kkt.js";
import { equilibrate, type StandardQp, standardQp } from "./ipm-standard.js";
import { addSteps, maxDual, maxStep, newtonStep, recentre, stepLengths } from "./ipm-step.js";
import type { LpProblem, LpResult, LpSolver, SolveOptions } from "./types.js";

/**
 * A primal-dual interior-point solver for convex QPs and LPs (no integers), Mehrotra's predictor–
 * corrector with Gondzio's centrality correctors (S. Mehrotra, "On the implementation of a primal-dual interior point method", SIAM J. Optim.
 * 2(4), 1992; S. J. Wright, "Primal-Dual Interior-Point Methods", SIAM 1997, ch. 10 and 11 for QPs), on
 * the project's own sparse LU. It is the method MATPOWER uses for quadratic-cost DC-OPFs (MIPS), and on
 * large ones it is much faster and steadier than HiGHS's active-set QP method (see opf/README.md).
 *
 * Same `LpSolver` contract as highs.ts, same dual convention (∂z/∂active bound). It cannot certify
 * infeasibility or unboundedness: when it does not converge it returns status "error" with the reason,
 * and a caller that needs the verdict asks HiGHS.
 */
export interface IpmOptions {
  /**
   * Relative tolerance on the primal and dual residuals and on the complementarity gap, all measured on
   * the scaled problem. Default 1e-12: MATPOWER's answers are matched to ~1e-7 MW and $/MWh.
   */
  tolerance?: number;
  /**
   * When rounding stalls the iterations short of `tolerance`, the best iterate is still reported optimal
   * if it is within this tolerance (default 1e-8, MATPOWER's MIPS stops at 1e-6); the message says so.
   */
  acceptableTolerance?: number;
  /** Default 200. */
  maxIterations?: number;
}

/**
 * Fraction of the way to the boundary a step may go: cautious (0.9) while far from optimal, which keeps
 * the iterates centred on degenerate problems, and close to 1 near the end for fast final convergence.
 */
function stepFraction(merit: number): number {
  return Math.min(0.99995, Math.max(0.9, 1 - 100 * merit));
}
/** Centrality correctors per iteration at most (each one more solve with the same factors). */
const CORRECTORS_MAX = 2;
/** Iterations without a better iterate after which the method stops. */
const STALL_ITERATIONS = 5;

class BestIterate {
  merit = Number.POSITIVE_INFINITY;
  iter = -1;
  v = new Float64Array(0);
  yE = new Float64Array(0);
  yI = new Float64Array(0);
  keep(merit: number, iter: number, v: Float64Array, yE: Float64Array, yI: Float64Array): void {
    this.merit = merit;
    this.iter = iter;
    this.v = Float64Array.from(v);
    this.yE = Float64Array.from(yE);
    this.yI = Float64Array.from(yI);
  }
}

export function interiorPointSolver(ipmOptions: IpmOptions = {}): LpSolver {
  return {
    name: "interior point (Mehrotra predictor-corrector, sparse LU)",
    solve: (problem: LpProblem, options?: SolveOptions) => solveIpm(problem, ipmOptions, options),
  };
}

function normInf(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function solveIpm(p: LpProblem, opts: IpmOptions, solveOptions?: SolveOptions): LpResult {
  const t0 = performance.now();
  const tol = opts.tolerance ?? 1e-12;
  const acceptable = Math.max(tol, opts.acceptableTolerance ?? 1e-8);
  const maxIterations = opts.maxIterations ?? 200;
  const deadline =
    solveOptions?.timeLimitS !== undefined ? t0 + solveOptions.timeLimitS * 1000 : Number.POSITIVE_INFINITY;
  const qp = standardQp(p);
  equilibrate(qp);
  const { n, mE, mI } = qp;
  const N = n + mI;
  if (qp.infeasibleRow >= 0) {
    return finish(
      p,
      qp,
      "infeasible",
      `row ${qp.infeasibleRow} cannot hold with its columns fixed`,
      null,
      t0,
      t0,
      t0,
    );
  }
  const kkt = new Kkt(qp);
  const isQp = qp.qv.length > 0;
  const t1 = performance.now();

  const { lower: l, upper: u } = qp;
  const hasL = new Uint8Array(N);
  const hasU = new Uint8Array(N);
  let nc = 0;
  for (let k = 0; k < N; k++) {
    hasL[k] = l[k] > Number.NEGATIVE_INFINITY ? 1 : 0;
    hasU[k] = u[k] < Number.POSITIVE_INFINITY ? 1 : 0;
    nc += hasL[k] + hasU[k];
  }
  const cNorm = normInf(qp.c);
  const bNorm = Math.max(normInf(qp.bE), boundsNorm(l, u));

  // Starting point: inside the bounds, multipliers of the cost's scale (Wright, ch. 11).
  const v = new Float64Array(N);
  for (let k = 0; k < N; k++) {
    if (hasL[k] && hasU[k]) v[k] = 0.5 * (l[k] + u[k]);
    else if (hasL[k]) v[k] = l[k] + 1;
    else if (hasU[k]) v[k] = u[k] - 1;
  }
  const zScale = Math.max(1, cNorm);
  const zl = new Float64Array(N);
  const zu = new Float64Array(N);
  for (let k = 0; k < N; k++) {
    if (hasL[k]) zl[k] = zScale;
    if (hasU[k]) zu[k] = zScale;
  }
  const yE = new Float64Array(mE);
  const yI = new Float64Array(mI);

  const rd = new Float64Array(N);
  const rpE = new Float64Array(mE);
  const rpI = new Float64Array(mI);
  const sigma = new Float64Array(N);
  // Distances to the bounds are kept as variables of their own, updated by the same steps as v: near a
  // bound, v − l would round to 0 (or below) long before the step rule lets the distance vanish.
  const wl = new Float64Array(N);
  const wu = new Float64Array(N);
  for (let k = 0; k < N; k++) {
    if (hasL[k]) wl[k] = v[k] - l[k];
    if (hasU[k]) wu[k] = u[k] - v[k];
  }
  let status: "optimal" | "error" = "error";
  const best = new BestIterate();
  let message = `no convergence in ${maxIterations} iterations`;
  let iter = 0;
  for (; iter < maxIterations; iter++) {
    // Residuals: rd = Qx + c − A_Eᵀ yE − A_Iᵀ yI − zl + zu (x part), yI − zl + zu (slack part).
    for (let k = 0; k < n; k++) rd[k] = qp.c[k];
    for (let t = 0; t < qp.qv.length; t++) rd[qp.qi[t]] += qp.qv[t] * v[qp.qj[t]];
    for (let r = 0; r < mE; r++) {
      let ax = 0;
      for (let k = qp.eStart[r]; k < qp.eStart[r + 1]; k++) {
        ax += qp.eValue[k] * v[qp.eIndex[k]];
        rd[qp.eIndex[k]] -= qp.eValue[k] * yE[r];
      }
      rpE[r] = ax - qp.bE[r];
    }
    for (let i = 0; i < mI; i++) {
      let ax = 0;
      for (let k = qp.iStart[i]; k < qp.iStart[i + 1]; k++) {
        ax += qp.iValue[k] * v[qp.iIndex[k]];
        rd[qp.iIndex[k]] -= qp.iValue[k] * yI[i];
      }
      rpI[i] = ax - v[n + i];
      rd[n + i] = yI[i];
    }
    let gap = 0;
    for (let k = 0; k < N; k++) {
      rd[k] += zu[k] - zl[k];
      gap += wl[k] * zl[k] + wu[k] * zu[k];
    }
    const objective = primalObjective(qp, v);
    const pinf = Math.max(normInf(rpE), normInf(rpI)) / (1 + bNorm);
    const dinf = normInf(rd) / (1 + cNorm);
    const relGap = gap / (1 + Math.abs(objective));
    const merit = Math.max(pinf, dinf, relGap);
    if (merit <= tol) {
      status = "optimal";
      message = `optimal after ${iter} iterations`;
      break;
    }
    if (merit < best.merit) best.keep(merit, iter, v, yE, yI);
    if (iter - best.iter >= STALL_ITERATIONS) {
      message = `stalled after ${iter} iterations`;
      break;
    }
    if (!Number.isFinite(merit) || normInf(yE) > 1e20 || normInf(zl) > 1e20 || normInf(zu) > 1e20) {
      message = `diverged after ${iter} iterations (the problem is probably infeasible or unbounded)`;
      break;
    }
    if (performance.now() > deadline) {
      message = `time limit reached after ${iter} iterations`;
      break;
    }
    const mu = nc > 0 ? gap / nc : 0;
    const fraction = stepFraction(merit);

    for (let k = 0; k < N; k++) sigma[k] = (hasL[k] ? zl[k] / wl[k] : 0) + (hasU[k] ? zu[k] / wu[k] : 0);
    if (!kkt.factor(sigma)) {
      message = `the Newton system became singular after ${iter} iterations`;
      break;
    }

    // Predictor (affine scaling), then corrector with centring σμ and the second-order term.
    const rcl = new Float64Array(N);
    const rcu = new Float64Array(N);
    for (let k = 0; k < N; k++) {
      rcl[k] = -wl[k] * zl[k];
      rcu[k] = -wu[k] * zu[k];
    }
    const aff = newtonStep(qp, kkt, rd, rpE, rpI, sigma, wl, wu, zl, zu, hasL, hasU, rcl, rcu);
    const aP = maxStep(wl, wu, aff.dv, hasL, hasU, 1);
    const aD = Math.min(maxDual(zl, aff.dzl, hasL), maxDual(zu, aff.dzu, hasU));
    const a = isQp ? Math.min(aP, aD) : Number.NaN;
    const ap = Number.isNaN(a) ? aP : a;
    const ad = Number.isNaN(a) ? aD : a;
    let gapAff = 0;
    for (let k = 0; k < N; k++) {
      if (hasL[k]) gapAff += (wl[k] + ap * aff.dv[k]) * (zl[k] + ad * aff.dzl[k]);
      if (hasU[k]) gapAff += (wu[k] - ap * aff.dv[k]) * (zu[k] + ad * aff.dzu[k]);
    }
    const centring = mu > 0 ? (gapAff / nc / mu) ** 3 : 0;
    for (let k = 0; k < N; k++) {
      if (hasL[k]) rcl[k] = centring * mu - wl[k] * zl[k] - aff.dv[k] * aff.dzl[k];
      if (hasU[k]) rcu[k] = centring * mu - wu[k] * zu[k] + aff.dv[k] * aff.dzu[k];
    }
    let step = newtonStep(qp, kkt, rd, rpE, rpI, sigma, wl, wu, zl, zu, hasL, hasU, rcl, rcu);
    let [sp, sd] = stepLengths(step, wl, wu, zl, zu, hasL, hasU, isQp, fraction);

    // Gondzio's centrality correctors (J. Gondzio, "Multiple centrality corrections in a primal-dual
    // method for linear programming", Comput. Optim. Appl. 6, 1996): aim at a longer step, push the
    // complementarity products that would leave [βmin·σμ, βmax·σμ] back inside, keep it if it pays.
    const zeroN = new Float64Array(N);
    const zeroE = new Float64Array(mE);
    const zeroI = new Float64Array(mI);
    const muTarget = Math.max(centring * mu, 1e-3 * mu);
    for (let c = 0; c < CORRECTORS_MAX && Math.min(sp, sd) < 1 && mu > 0; c++) {
      const aim = Math.min(1, Math.min(sp, sd) + 0.1);
      const tl = new Float64Array(N);
      const tu = new Float64Array(N);
      for (let k = 0; k < N; k++) {
        if (hasL[k]) tl[k] = recentre((wl[k] + aim * step.dv[k]) * (zl[k] + aim * step.dzl[k]), muTarget);
        if (hasU[k]) tu[k] = recentre((wu[k] - aim * step.dv[k]) * (zu[k] + aim * step.dzu[k]), muTarget);
      }
      const corr = newtonStep(qp, kkt, zeroN, zeroE, zeroI, sigma, wl, wu, zl, zu, hasL, hasU, tl, tu);
      const trial = addSteps(step, corr);
      const [tp, td] = stepLengths(trial, wl, wu, zl, zu, hasL, hasU, isQp, fraction);
      if (Math.min(tp, td) < Math.min(sp, sd) + 0.01) break;
      step = trial;
      sp = tp;
      sd = td;
    }
    for (let k = 0; k < N; k++) {
      v[k] += sp * step.dv[k];
      if (hasL[k]) wl[k] += sp * step.dv[k];
      if (hasU[k]) wu[k] -= sp * step.dv[k];
      zl[k] += sd * step.dzl[k];
      zu[k] += sd * step.dzu[k];
    }
    for (let r = 0; r < mE; r++) yE[r] += sd * step.dyE[r];
    for (let i = 0; i < mI; i++) yI[i] += sd * step.dyI[i];
  }
  const t2 = performance.now();
  const regularised = kkt.retries > 0 ? `; regularisation raised ${kkt.retries} times` : "";
  if (status === "optimal") return finish(p, qp, status, message + regularised, { v, yE, yI }, t0, t1, t2);
  // Rounding can stop the last digits short of `tol`; the best iterate is accepted at `acceptable`.
  if (best.merit <= acceptable) {
    const note = `optimal to ${best.merit.toExponential(1)} at iteration ${best.iter} (${message}; target ${tol})`;
    return finish(p, qp, "optimal", note + regularised, best, t0, t1, t2);
  }
  return finish(p, qp, "error", message + regularised, null, t0, t1, t2);
}

/** Largest finite bound in magnitude. */
function boundsNorm(l: Float64Array, u: Float64Array): number {
  let m = 0;
  for (let k = 0; k < l.length; k++) {
    if (Number.isFinite(l[k])) m = Math.max(m, Math.abs(l[k]));
    if (Number.isFinite(u[k])) m = Math.max(m, Math.abs(u[k]));
  }
  return m;
}

function primalObjective(qp: StandardQp, v: Float64Array): number {
  let f = qp.offset;
  for (let k = 0; k < qp.n; k++) f += qp.c[k] * v[k];
  for (let t = 0; t < qp.qv.length; t++) f += 0.5 * qp.qv[t] * v[qp.qi[t]] * v[qp.qj[t]];
  return f;
}

function finish(
  p: LpProblem,
  qp: StandardQp,
  status: "optimal" | "infeasible" | "error",
  message: string,
  s: { v: Float64Array; yE: Float64Array; yI: Float64Array } | null,
  t0: number,
  t1: number,
  t2: number,
): LpResult {
  const sign = p.sense === "max" ? -1 : 1;
  const x = new Float64Array(p.numCols);
  const rowDual = new Float64Array(p.numRows);
  const colDual = new Float64Array(p.numCols);
  const rowActivity = new Float64Array(p.numRows);
  for (let j = 0; j < p.numCols; j++) {
    const k = qp.posOfCol[j];
    x[j] = k >= 0 ? (s ? s.v[k] * qp.colScale[k] : 0) : qp.fixedValue[j];
  }
  const ySign = sign / qp.objScale;
  for (let r = 0; r < p.numRows; r++) {
    let ax = 0;
    for (let k = p.rowStart[r]; k < p.rowStart[r + 1]; k++) ax += p.rowValue[k] * x[p.rowIndex[k]];
    rowActivity[r] = ax;
    if (!s) continue;
    const at = qp.rowPos[r];
    if (qp.rowKind[r] === 1) rowDual[r] = ySign * qp.rowScaleE[at] * s.yE[at];
    else if (qp.rowKind[r] === 2) rowDual[r] = ySign * qp.rowScaleI[at] * s.yI[at];
  }
  let objective = Number.NaN;
  if (s) {
    // Reduced costs c + Qx − Aᵀy of the original problem (fixed columns included), in its own sense.
    for (let j = 0; j < p.numCols; j++) colDual[j] = p.colCost[j];
    const q = p.quadratic;
    if (q) {
      for (let k = 0; k < q.value.length; k++) {
        colDual[q.i[k]] += q.value[k] * x[q.j[k]];
        colDual[q.j[k]] += q.value[k] * x[q.i[k]];
      }
    }
    for (let r = 0; r < p.numRows; r++) {
      for (let k = p.rowStart[r]; k < p.rowStart[r + 1]; k++)
        colDual[p.rowIndex[k]] -= p.rowValue[k] * rowDual[r];
    }
    if (status === "optimal") {
      objective = p.offset;
      for (let j = 0; j < p.numCols; j++) objective += p.colCost[j] * x[j];
      if (q) for (let k = 0; k < q.value.length; k++) objective += q.value[k] * x[q.i[k]] * x[q.j[k]];
    }
  }
  const t3 = performance.now();
  return {
    status,
    objective,
    x,
    rowActivity,
    rowDual,
    colDual,
    message,
    timing: { loadMs: t1 - t0, solveMs: t2 - t1, extractMs: t3 - t2 },
  };
}
