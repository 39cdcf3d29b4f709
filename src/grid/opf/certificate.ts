import { type Network, tapRatio } from "../model.js";
import { branchesInService, gensInService, islands } from "../topology/index.js";
import type { DcOpfResult } from "./dcopf.js";

/**
 * How far a DC-OPF result is from satisfying the Karush–Kuhn–Tucker conditions of the problem stated in
 * dcopf-model.ts, recomputed from the network and the result alone in one pass over buses, branches and
 * generators. All zero (to rounding) means the dispatch is optimal and the prices are a valid set of
 * multipliers (an optimality certificate: anyone can check it without solving anything).
 *
 * Every figure is a maximum over elements; prices in $/MWh, power in MW.
 */
export interface DcOpfResiduals {
  /** Power balance mismatch at any bus, MW. */
  balanceMw: number;
  /** Excess of |flow| over rateA, or of Pg beyond [Pmin, Pmax], MW; angle differences beyond limits, deg. */
  limitViolation: number;
  /** A negative shadow price, $/MWh (or $/h per degree for angle limits). */
  dualSign: number;
  /**
   * Stationarity in Pg: LMP at the generator's bus minus its marginal cost, corrected by its limit
   * prices, $/MWh. For a piecewise-linear cost the marginal cost is the interval between the slopes on
   * either side of Pg, and the residual is the distance to that interval.
   */
  genStationarity: number;
  /**
   * Stationarity in the angles of non-reference buses: Σ_j B_ji·LMP_j + Σ_k Bf_ki·(μSf − μSt)_k + angle
   * limit terms, $/MWh per p.u. of susceptance-weighted angle (zero at an optimum).
   */
  angleStationarity: number;
  /** Complementary slackness: shadow price × slack of its limit, $/h. */
  complementarity: number;
}

const DEG = Math.PI / 180;

export function dcOpfResiduals(net: Network, r: DcOpfResult): DcOpfResiduals {
  const { bus, branch, gen, baseMva } = net;
  const brOn = branchesInService(net);
  const genOn = gensInService(net);
  const isl = islands(net);
  const res: DcOpfResiduals = {
    balanceMw: 0,
    limitViolation: 0,
    dualSign: 0,
    genStationarity: 0,
    angleStationarity: 0,
    complementarity: 0,
  };
  const up = (key: keyof DcOpfResiduals, v: number) => {
    if (!(v <= res[key])) res[key] = Number.isNaN(v) ? Number.POSITIVE_INFINITY : v;
  };

  const netInjMw = new Float64Array(bus.count);
  const angleGrad = new Float64Array(bus.count);
  for (let i = 0; i < bus.count; i++) netInjMw[i] = -(bus.pdMw[i] + bus.gsMw[i]);
  for (let g = 0; g < gen.count; g++) {
    if (!genOn[g]) continue;
    const i = gen.bus[g];
    const pg = r.pgMw[g];
    netInjMw[i] += pg;
    up("limitViolation", pg - gen.pgMaxMw[g]);
    up("limitViolation", gen.pgMinMw[g] - pg);
    up("dualSign", -r.muPmax[g]);
    up("dualSign", -r.muPmin[g]);
    up("complementarity", r.muPmax[g] * Math.abs(gen.pgMaxMw[g] - pg));
    up("complementarity", r.muPmin[g] * Math.abs(pg - gen.pgMinMw[g]));
    const [lo, hi] = marginalCost(net, g, pg);
    const price = r.lmp[i] - r.muPmax[g] + r.muPmin[g];
    up("genStationarity", Math.max(lo - price, price - hi, 0));
  }
  for (let k = 0; k < branch.count; k++) {
    if (!brOn[k]) continue;
    const f = branch.from[k];
    const t = branch.to[k];
    const pf = r.pfMw[k];
    netInjMw[f] -= pf;
    netInjMw[t] += pf;
    const b = 1 / (branch.xPu[k] * tapRatio(net, k));
    // ∂/∂θ of λᵀ(B θ) with λ = LMP·baseMva and B = Cftᵀ·diag(b)·Cft, plus the flow-limit terms.
    const dLmp = b * (r.lmp[f] - r.lmp[t]);
    const dMu = b * (r.muSf[k] - r.muSt[k]);
    const dAng = (r.muAngMax[k] - r.muAngMin[k]) / DEG / baseMva;
    angleGrad[f] += dLmp + dMu + dAng;
    angleGrad[t] -= dLmp + dMu + dAng;
    const rate = branch.rateAMva[k];
    if (rate > 0 && rate < 1e10) {
      up("limitViolation", Math.abs(pf) - rate);
      up("complementarity", r.muSf[k] * Math.abs(rate - pf));
      up("complementarity", r.muSt[k] * Math.abs(rate + pf));
    }
    up("dualSign", -r.muSf[k]);
    up("dualSign", -r.muSt[k]);
    up("dualSign", -r.muAngMin[k]);
    up("dualSign", -r.muAngMax[k]);
    const dth = r.vaDeg[f] - r.vaDeg[t];
    if (r.muAngMin[k] > 0) up("complementarity", r.muAngMin[k] * Math.abs(dth - branch.angMinDeg[k]));
    if (r.muAngMax[k] > 0) up("complementarity", r.muAngMax[k] * Math.abs(branch.angMaxDeg[k] - dth));
  }
  const isRef = new Uint8Array(bus.count);
  for (let k = 0; k < isl.count; k++) isRef[isl.refBus[k] >= 0 ? isl.refBus[k] : isl.buses[k][0]] = 1;
  for (let i = 0; i < bus.count; i++) {
    if (isl.islandOfBus[i] < 0) continue;
    up("balanceMw", Math.abs(netInjMw[i]));
    if (!isRef[i]) up("angleStationarity", Math.abs(angleGrad[i]));
  }
  return res;
}

/** Interval of marginal costs of generator g at pgMw, $/MWh (a point for a polynomial cost). */
function marginalCost(net: Network, g: number, pgMw: number): [number, number] {
  const cost = net.genCost[g];
  if (cost.model === 2) {
    let d = 0;
    const n = cost.coeffs.length;
    for (let k = 0; k < n - 1; k++) d = d * pgMw + (n - 1 - k) * cost.coeffs[k];
    return [d, d];
  }
  const pts = cost.coeffs;
  const segs = pts.length / 2 - 1;
  const slope = (s: number) => (pts[2 * s + 3] - pts[2 * s + 1]) / (pts[2 * s + 2] - pts[2 * s]);
  const tol = 1e-6 * Math.max(1, Math.abs(pgMw));
  let lo = slope(0);
  let hi = slope(segs - 1);
  for (let s = 0; s < segs; s++) {
    const p0 = pts[2 * s];
    const p1 = pts[2 * s + 2];
    if (pgMw > p0 + tol && pgMw < p1 - tol) return [slope(s), slope(s)];
    if (Math.abs(pgMw - p1) <= tol) {
      lo = slope(s);
      hi = s + 1 < segs ? slope(s + 1) : slope(s);
      return [lo, hi];
    }
    if (Math.abs(pgMw - p0) <= tol) {
      lo = s > 0 ? slope(s - 1) : slope(s);
      hi = slope(s);
      return [lo, hi];
    }
  }
  return [lo, hi];
}
