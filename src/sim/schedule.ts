/**
 * Battery (and PV) owner scheduling as a linear program over a horizon, through the project's LP seam
 * (grid/lp): the "optimal" strategy on the owner's forecast, and the perfect-foresight optimum on what actually
 * happened (for capital efficiency).
 *
 *   minimise   Σ_k ( buy_k · b_k − sell_k · s_k ) / 1000                  (prices in micros/kWh, energy in Wh)
 *   subject to b_k − s_k − c_k + d_k = net_k                              (net = load − pv, Wh)
 *              soc_k = soc_{k−1} + η·c_k − d_k/η,  min ≤ soc_k ≤ capacity,  soc_H ≥ soc_end
 *              0 ≤ c_k, d_k ≤ rating · Δt,  b_k, s_k ≥ 0
 */
import { LpBuilder } from "../grid/lp/builder.js";
import type { LpSolver } from "../grid/lp/types.js";

export interface ScheduleInput {
  /** Load minus PV per step, Wh (negative: surplus). */
  netWh: ArrayLike<number>;
  buyMicrosPerKWh: ArrayLike<number>;
  sellMicrosPerKWh: ArrayLike<number>;
  ratingW: number;
  capacityWh: number;
  minWh: number;
  efficiency: number;
  socWh: number;
  /** Least state of charge at the end of the horizon, Wh. */
  endWh: number;
  stepHours: number;
}

export interface Schedule {
  ok: boolean;
  chargeWh: Float64Array;
  dischargeWh: Float64Array;
  /** Optimal cost, micro-units. */
  costMicros: number;
}

export function scheduleBattery(solver: LpSolver, input: ScheduleInput): Schedule {
  const n = input.netWh.length;
  const lp = new LpBuilder("min", { cols: 5 * n, rows: 2 * n + 1, nonzeros: 10 * n });
  const stepWh = input.ratingW * input.stepHours;
  const eta = input.efficiency;
  const c = new Int32Array(n);
  const d = new Int32Array(n);
  const soc = new Int32Array(n);
  let prev = -1;
  for (let k = 0; k < n; k++) {
    const bcol = lp.addCol(0, Number.POSITIVE_INFINITY, input.buyMicrosPerKWh[k] / 1000);
    const scol = lp.addCol(0, Number.POSITIVE_INFINITY, -input.sellMicrosPerKWh[k] / 1000);
    c[k] = lp.addCol(0, stepWh, 0);
    d[k] = lp.addCol(0, stepWh, 0);
    soc[k] = lp.addCol(input.minWh, input.capacityWh, 0);
    lp.addRow(input.netWh[k], input.netWh[k], [bcol, scol, c[k], d[k]], [1, -1, -1, 1]);
    // soc_k − η c_k + d_k/η − soc_{k−1} = 0 (soc_{−1} = the current state of charge, a constant)
    if (prev < 0) lp.addRow(input.socWh, input.socWh, [soc[k], c[k], d[k]], [1, -eta, 1 / eta]);
    else lp.addRow(0, 0, [soc[k], c[k], d[k], prev], [1, -eta, 1 / eta, -1]);
    prev = soc[k];
  }
  if (n > 0)
    lp.setColBounds(
      soc[n - 1],
      Math.min(input.capacityWh, Math.max(input.minWh, input.endWh)),
      input.capacityWh,
    );
  const r = solver.solve(lp.build());
  const chargeWh = new Float64Array(n);
  const dischargeWh = new Float64Array(n);
  if (r.status !== "optimal") return { ok: false, chargeWh, dischargeWh, costMicros: 0 };
  for (let k = 0; k < n; k++) {
    chargeWh[k] = Math.max(0, r.x[c[k]]);
    dischargeWh[k] = Math.max(0, r.x[d[k]]);
  }
  return { ok: true, chargeWh, dischargeWh, costMicros: r.objective };
}
