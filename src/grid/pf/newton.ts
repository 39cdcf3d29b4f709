/**
 * AC power flow by Newton–Raphson in polar coordinates, step for step MATPOWER's newtonpf:
 * unknowns Va of PV and PQ buses and Vm of PQ buses, mismatch F = [Re mis(pv; pq); Im mis(pq)] with
 * mis = V·conj(Ybus·V) − Sbus (stored node by node rather than stacked, see `unknownIndex`), convergence when ‖F‖∞ < tol tested before every update, so `iterations` is
 * the number of Newton updates taken (the count MATPOWER reports). The Jacobian pattern is built once; the
 * first iteration orders and factors it, later iterations refactor with the same pivot sequence.
 */
import type { ComplexCsc } from "./complex-csc.js";
import { complexMulVec } from "./complex-csc.js";
import { fillJacobian, jacobianOrdering, jacobianPattern, unknownIndex } from "./jacobian.js";
import { type LinearSolver, newLinearSolver } from "./linear-solver.js";

export interface NewtonOptions {
  /** ‖F‖∞ in p.u. below which the flow has converged (MATPOWER pf.tol, default 1e-8). */
  tolerance: number;
  /** Most Newton updates (MATPOWER pf.nr.max_it, default 10). */
  maxIterations: number;
}

export type NewtonStop = "converged" | "max-iterations" | "non-finite" | "singular";

/** Where the solve spent its time, ms (for benchmarks; never part of a result that is compared). */
export interface NewtonProfile {
  mismatchMs: number;
  jacobianMs: number;
  orderingMs: number;
  factorMs: number;
  refactorMs: number;
  solveMs: number;
  updateMs: number;
  /** Refactorizations that fell back to a full factorization (a count, not a time). */
  refactorFallbacks: number;
}

export interface NewtonResult {
  converged: boolean;
  stop: NewtonStop;
  iterations: number;
  /** ‖F‖∞ at the final point, p.u. */
  mismatch: number;
  vRe: Float64Array;
  vIm: Float64Array;
  vm: Float64Array;
  va: Float64Array;
  profile: NewtonProfile;
}

export function newtonPf(
  ybus: ComplexCsc,
  sbusRe: Float64Array,
  sbusIm: Float64Array,
  v0Re: Float64Array,
  v0Im: Float64Array,
  pv: Int32Array,
  pq: Int32Array,
  options: NewtonOptions,
): NewtonResult {
  const now = (): number => performance.now();
  const profile: NewtonProfile = {
    mismatchMs: 0,
    jacobianMs: 0,
    orderingMs: 0,
    factorMs: 0,
    refactorMs: 0,
    solveMs: 0,
    updateMs: 0,
    refactorFallbacks: 0,
  };
  const n = ybus.rows;
  const vRe = v0Re.slice();
  const vIm = v0Im.slice();
  const vm = new Float64Array(n);
  const va = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    vm[j] = Math.hypot(vRe[j], vIm[j]);
    va[j] = Math.atan2(vIm[j], vRe[j]);
  }
  const idx = unknownIndex(n, pv, pq);
  const iRe = new Float64Array(n);
  const iIm = new Float64Array(n);
  const sRe = new Float64Array(n);
  const sIm = new Float64Array(n);
  const f = new Float64Array(idx.size);
  const dx = new Float64Array(idx.size);

  // F at the current V; also leaves S = V·conj(I) in sRe/sIm for the Jacobian's diagonal.
  const mismatch = (): number => {
    const t0 = now();
    complexMulVec(ybus, vRe, vIm, iRe, iIm);
    for (let j = 0; j < n; j++) {
      sRe[j] = vRe[j] * iRe[j] + vIm[j] * iIm[j];
      sIm[j] = vIm[j] * iRe[j] - vRe[j] * iIm[j];
    }
    let norm = 0;
    // Σ|F| is NaN or infinite exactly when some entry is: one test instead of one per entry.
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const a = idx.angleIdx[j];
      if (a >= 0) {
        const v = sRe[j] - sbusRe[j];
        f[a] = v;
        const abs = Math.abs(v);
        sum += abs;
        if (abs > norm) norm = abs;
      }
      const m = idx.magIdx[j];
      if (m >= 0) {
        const v = sIm[j] - sbusIm[j];
        f[m] = v;
        const abs = Math.abs(v);
        sum += abs;
        if (abs > norm) norm = abs;
      }
    }
    profile.mismatchMs += now() - t0;
    return Number.isFinite(sum) ? norm : Number.NaN;
  };

  let normF = mismatch();
  let iterations = 0;
  let stop: NewtonStop = "max-iterations";
  if (!Number.isFinite(normF)) stop = "non-finite";
  else if (normF < options.tolerance) stop = "converged";
  if (stop === "max-iterations" && idx.size > 0) {
    let t0 = now();
    const jac = jacobianPattern(ybus, idx);
    profile.jacobianMs += now() - t0;
    let solver: LinearSolver | null = null;
    while (iterations < options.maxIterations) {
      iterations++;
      t0 = now();
      fillJacobian(jac, ybus, vRe, vIm, vm, sRe, sIm);
      profile.jacobianMs += now() - t0;
      t0 = now();
      try {
        if (solver === null) {
          const ordering = jacobianOrdering(ybus, idx);
          profile.orderingMs += now() - t0;
          t0 = now();
          solver = newLinearSolver(jac.matrix, ordering);
          profile.factorMs += now() - t0;
        } else {
          const before = solver.fallbacks;
          solver.refactor(jac.matrix);
          profile.refactorMs += now() - t0;
          profile.refactorFallbacks += solver.fallbacks - before;
        }
        t0 = now();
        for (let r = 0; r < idx.size; r++) dx[r] = -f[r];
        solver.solveInPlace(dx);
        profile.solveMs += now() - t0;
      } catch (e) {
        if (!isSingular(e)) throw e;
        stop = "singular";
        break;
      }
      t0 = now();
      for (const j of pv) va[j] += dx[idx.angleIdx[j]];
      for (const j of pq) {
        va[j] += dx[idx.angleIdx[j]];
        vm[j] += dx[idx.magIdx[j]];
      }
      // MATPOWER rebuilds V and takes |V|, angle(V) back, so a negative magnitude flips the angle.
      for (let j = 0; j < n; j++) {
        const re = vm[j] * Math.cos(va[j]);
        const im = vm[j] * Math.sin(va[j]);
        vRe[j] = re;
        vIm[j] = im;
        vm[j] = Math.hypot(re, im);
        va[j] = Math.atan2(im, re);
      }
      profile.updateMs += now() - t0;
      normF = mismatch();
      if (!Number.isFinite(normF)) {
        stop = "non-finite";
        break;
      }
      if (normF < options.tolerance) {
        stop = "converged";
        break;
      }
    }
  }
  return { converged: stop === "converged", stop, iterations, mismatch: normF, vRe, vIm, vm, va, profile };
}

function isSingular(e: unknown): boolean {
  return (
    typeof e === "object" &&
    e !== null &&
    "code" in e &&
    String((e as { code: unknown }).code).includes("SINGULAR")
  );
}
