import { highsSolver } from "../lp/highs.js";
import { interiorPointSolver } from "../lp/ipm.js";
import type { LpProblem, LpSolver, LpStatus, SolveOptions } from "../lp/types.js";
import type { Network } from "../model.js";
import { withImpliedAngleBounds } from "./angle-bounds.js";
import { buildDcOpf, type DcOpfModel, type DcOpfModelOptions } from "./dcopf-model.js";

export interface DcOpfOptions extends DcOpfModelOptions {
  /**
   * "auto" (default) follows MATPOWER's own choice: a quadratic cost goes to the interior-point method
   * (MATPOWER: MIPS), a linear one to HiGHS's simplex (MATPOWER: GLPK), whose vertex duals are those a
   * simplex code reports. "ipm" or "highs" force one of them.
   */
  method?: "auto" | "ipm" | "highs";
  /** A solver of your own, used instead of `method`. */
  solver?: LpSolver;
  solveOptions?: SolveOptions;
}

/**
 * Result of a DC-OPF, in the case's units and MATPOWER's sign conventions. Prices are in the currency of
 * the case's gencost per MWh ("$" below). Per element: out-of-service generators have pgMw 0 and zero
 * multipliers; out-of-service branches pfMw 0; isolated buses (type 4) have vaDeg and lmp NaN. When status
 * is not "optimal", objective and every array are NaN.
 */
export interface DcOpfResult {
  status: LpStatus;
  /** The solver's words on how it ended. */
  message: string;
  /** Total generation cost, $/h (constant cost terms included, as MATPOWER's f). */
  objective: number;
  pgMw: Float64Array;
  vaDeg: Float64Array;
  /** Active power flow at the from end of each branch, MW (the to end carries −pfMw in the DC model). */
  pfMw: Float64Array;
  /** Locational marginal price at each bus, $/MWh (MATPOWER lam_p): the cost of one more MW of load there. */
  lmp: Float64Array;
  /** Shadow prices of the flow limits at the from and to ends, $/MWh, ≥ 0 (MATPOWER mu_sf, mu_st). */
  muSf: Float64Array;
  muSt: Float64Array;
  /** Shadow prices of the generator limits, $/MWh, ≥ 0 (MATPOWER mu_pmax, mu_pmin). */
  muPmax: Float64Array;
  muPmin: Float64Array;
  /** Shadow prices of the angle-difference limits, $/h per degree, ≥ 0 (MATPOWER mu_angmin, mu_angmax). */
  muAngMin: Float64Array;
  muAngMax: Float64Array;
  /** Wall time of the whole call, and its parts: formulation, handing over to the solver, solve, read-back. */
  timeMs: number;
  timing: { buildMs: number; loadMs: number; solveMs: number; extractMs: number };
}

/**
 * Solves the DC-OPF of `net` (formulation in dcopf-model.ts). Infeasibility is a status, not an exception.
 * When the interior-point method does not converge, HiGHS solves the same problem and gives the verdict
 * (the interior-point method cannot prove infeasibility); the message tells the whole story.
 */
export async function solveDcOpf(net: Network, options: DcOpfOptions = {}): Promise<DcOpfResult> {
  return dcOpfWith(await highsSolver(), net, options);
}

/** Synchronous form of `solveDcOpf`, given the HiGHS solver already loaded (`await highsSolver()`). */
export function dcOpfWith(highs: LpSolver, net: Network, options: DcOpfOptions = {}): DcOpfResult {
  const t0 = performance.now();
  const model = buildDcOpf(net, options);
  const t1 = performance.now();
  const quadratic = model.problem.quadratic !== undefined;
  const method = options.method ?? "auto";
  const primary =
    options.solver ?? (method === "ipm" || (method === "auto" && quadratic) ? interiorPointSolver() : highs);
  const attempts: string[] = [];
  let lp = primary.solve(model.problem, options.solveOptions);
  const timing = { ...lp.timing };
  const retry = (solver: LpSolver, problem: LpProblem, why: string) => {
    attempts.push(`${why}: ${lp.message}`);
    lp = solver.solve(problem, options.solveOptions);
    timing.loadMs += lp.timing.loadMs;
    timing.solveMs += lp.timing.solveMs;
    timing.extractMs += lp.timing.extractMs;
  };
  if (lp.status === "error" && primary !== highs) retry(highs, model.problem, primary.name);
  if (lp.status === "error" && quadratic) {
    // HiGHS's active-set QP method can fail on large cases with free angle columns; the same problem
    // with the angle bounds its constraints imply has the same optimum (angle-bounds.ts).
    retry(highs, withImpliedAngleBounds(net, model), `${highs.name} with free angles`);
  }
  const t2 = performance.now();
  const message = attempts.length > 0 ? `${lp.message} (after ${attempts.join("; ")})` : lp.message;
  const result = extract(net, model, lp.status, message, lp.objective, lp.x, lp.rowDual, lp.colDual);
  const t3 = performance.now();
  result.timeMs = t3 - t0;
  result.timing = {
    buildMs: t1 - t0,
    loadMs: timing.loadMs,
    solveMs: timing.solveMs,
    extractMs: timing.extractMs + (t3 - t2),
  };
  return result;
}

function extract(
  net: Network,
  m: DcOpfModel,
  status: LpStatus,
  message: string,
  objective: number,
  x: Float64Array,
  rowDual: Float64Array,
  colDual: Float64Array,
): DcOpfResult {
  const { bus, branch, gen, baseMva } = net;
  const r: DcOpfResult = {
    status,
    message,
    objective: Number.NaN,
    pgMw: new Float64Array(gen.count),
    vaDeg: new Float64Array(bus.count),
    pfMw: new Float64Array(branch.count),
    lmp: new Float64Array(bus.count),
    muSf: new Float64Array(branch.count),
    muSt: new Float64Array(branch.count),
    muPmax: new Float64Array(gen.count),
    muPmin: new Float64Array(gen.count),
    muAngMin: new Float64Array(branch.count),
    muAngMax: new Float64Array(branch.count),
    timeMs: 0,
    timing: { buildMs: 0, loadMs: 0, solveMs: 0, extractMs: 0 },
  };
  if (status !== "optimal") {
    for (const a of [
      r.pgMw,
      r.vaDeg,
      r.pfMw,
      r.lmp,
      r.muSf,
      r.muSt,
      r.muPmax,
      r.muPmin,
      r.muAngMin,
      r.muAngMax,
    ]) {
      a.fill(Number.NaN);
    }
    return r;
  }
  r.objective = objective;
  const rad = 180 / Math.PI;
  for (let i = 0; i < bus.count; i++) {
    if (m.vaCol[i] < 0) {
      r.vaDeg[i] = Number.NaN;
      r.lmp[i] = Number.NaN;
      continue;
    }
    r.vaDeg[i] = x[m.vaCol[i]] * rad;
    // The balance row is MATPOWER's, so its multiplier λ = −∂cost/∂rhs and rhs = −Pd/baseMva − …:
    // λ = ∂cost/∂Pd. The LP reports ∂cost/∂rhs, hence the minus.
    r.lmp[i] = -rowDual[m.balanceRow[i]] / baseMva;
  }
  for (let g = 0; g < gen.count; g++) {
    const c = m.pgCol[g];
    if (c < 0) continue;
    r.pgMw[g] = x[c] * baseMva;
    // Reduced cost = ∂cost/∂(active bound): ≤ 0 at Pmax, ≥ 0 at Pmin.
    r.muPmax[g] = Math.max(0, -colDual[c]) / baseMva;
    r.muPmin[g] = Math.max(0, colDual[c]) / baseMva;
  }
  for (let k = 0; k < branch.count; k++) {
    if (m.bPu[k] === 0) continue;
    const vf = x[m.vaCol[branch.from[k]]];
    const vt = x[m.vaCol[branch.to[k]]];
    r.pfMw[k] = (m.bPu[k] * (vf - vt) + m.pfinjPu[k]) * baseMva;
    const fr = m.flowRow[k];
    if (fr >= 0) {
      r.muSf[k] = Math.max(0, -rowDual[fr]) / baseMva;
      r.muSt[k] = Math.max(0, rowDual[fr]) / baseMva;
    }
    const ar = m.angleRow[k];
    if (ar >= 0) {
      r.muAngMin[k] = (Math.max(0, rowDual[ar]) * Math.PI) / 180;
      r.muAngMax[k] = (Math.max(0, -rowDual[ar]) * Math.PI) / 180;
    }
  }
  return r;
}
