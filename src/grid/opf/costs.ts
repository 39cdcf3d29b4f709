import { PlurigridError } from "../../core/errors.js";
import type { GenCost } from "../model.js";

/**
 * Active-power generator costs as the DC-OPF uses them, in per-unit of power (x = Pg / baseMva) and $/h:
 * - "quadratic": cost = q·x² + l·x + c (MATPOWER polynomial model 2 of degree ≤ 2);
 * - "pwl": MATPOWER model 1, a convex piecewise-linear curve through the breakpoints, modelled with the
 *   constrained cost variable (CCV) of MATPOWER (Zimmerman, Murillo-Sánchez, Thomas, "MATPOWER:
 *   Steady-State Operations, Planning and Analysis Tools", IEEE Trans. Power Syst. 26(1), 2011, §VI): a
 *   variable y ≥ slope_k·(x − x_k) + c_k for every segment k, with y in the objective.
 */
export type DcCost =
  | { kind: "quadratic"; q: number; l: number; c: number }
  | {
      kind: "pwl";
      /** One entry per segment: y ≥ slope·x + intercept (x in p.u., y in $/h). */
      slope: Float64Array;
      intercept: Float64Array;
    };

/** Converts one gencost row (MW and $/h, as in the case file) to per-unit of power on `baseMva`. */
export function dcCost(cost: GenCost, baseMva: number, gen: number): DcCost {
  if (cost.model === 2) {
    const a = cost.coeffs;
    // Leading zero coefficients do not raise the degree (MATPOWER's DC OPF rejects degree > 2).
    let first = 0;
    while (first < a.length - 3 && a[first] === 0) first++;
    const rest = a.slice(first);
    if (rest.length > 3) {
      throw new PlurigridError(
        "OPF_COST_UNSUPPORTED",
        `generator ${gen}: polynomial cost of degree ${rest.length - 1}; the DC-OPF handles degree ≤ 2 (as MATPOWER's)`,
        { gen, coeffs: a },
      );
    }
    const [q2, l1, c0] = [0, 0, 0, ...rest].slice(-3);
    if (q2 < 0) {
      throw new PlurigridError(
        "OPF_NONCONVEX_COST",
        `generator ${gen}: negative quadratic cost coefficient ${q2} makes the DC-OPF non-convex`,
        { gen, coeffs: a },
      );
    }
    return { kind: "quadratic", q: q2 * baseMva * baseMva, l: l1 * baseMva, c: c0 };
  }
  const pts = cost.coeffs;
  const n = pts.length / 2;
  if (!Number.isInteger(n) || n < 2) {
    throw new PlurigridError(
      "OPF_COST_UNSUPPORTED",
      `generator ${gen}: piecewise-linear cost needs at least 2 points`,
      {
        gen,
        coeffs: pts,
      },
    );
  }
  const slope = new Float64Array(n - 1);
  const intercept = new Float64Array(n - 1);
  for (let k = 0; k < n - 1; k++) {
    const p0 = pts[2 * k] / baseMva;
    const f0 = pts[2 * k + 1];
    const p1 = pts[2 * k + 2] / baseMva;
    const f1 = pts[2 * k + 3];
    if (!(p1 > p0)) {
      throw new PlurigridError(
        "OPF_COST_UNSUPPORTED",
        `generator ${gen}: piecewise-linear cost breakpoints must increase in MW (point ${k + 1})`,
        { gen, coeffs: pts },
      );
    }
    slope[k] = (f1 - f0) / (p1 - p0);
    intercept[k] = f0 - slope[k] * p0;
    // The CCV form is exact only for a convex curve; otherwise it silently prices the convex hull. Case
    // files round their breakpoints (case_RTS_GMLC to 5 decimals), so slopes may dip by rounding: a
    // decrease within 0.1 % is accepted and priced by the hull, which differs from the curve by less.
    if (k > 0 && slope[k] < slope[k - 1] - 1e-3 * Math.max(1, Math.abs(slope[k - 1]))) {
      throw new PlurigridError(
        "OPF_NONCONVEX_COST",
        `generator ${gen}: piecewise-linear cost slopes decrease at point ${k + 1}; the DC-OPF needs a convex curve`,
        { gen, coeffs: pts },
      );
    }
  }
  return { kind: "pwl", slope, intercept };
}

/** Cost in $/h of producing pgMw on a gencost row (evaluates the case's own curve; PWL extended linearly). */
export function costAt(cost: GenCost, pgMw: number): number {
  if (cost.model === 2) {
    let v = 0;
    for (const c of cost.coeffs) v = v * pgMw + c;
    return v;
  }
  const pts = cost.coeffs;
  const n = pts.length / 2;
  let k = 0;
  while (k < n - 2 && pgMw > pts[2 * k + 2]) k++;
  const slope = (pts[2 * k + 3] - pts[2 * k + 1]) / (pts[2 * k + 2] - pts[2 * k]);
  return pts[2 * k + 1] + slope * (pgMw - pts[2 * k]);
}
