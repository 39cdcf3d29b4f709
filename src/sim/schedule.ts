/**
 * Battery (and PV) owner scheduling over a horizon: the "optimal" strategy on the owner's forecast, and the
 * perfect-foresight optimum on what actually happened (for capital efficiency). The problem is the linear
 * program
 *
 *   minimise   Σ_k ( buy_k · b_k − sell_k · s_k ) / 1000                  (prices in micros/kWh, energy in Wh)
 *   subject to b_k − s_k − c_k + d_k = net_k                              (net = load − pv, Wh)
 *              soc_k = soc_{k−1} + η·c_k − d_k/η,  min ≤ soc_k ≤ capacity,  soc_H ≥ soc_end
 *              0 ≤ c_k, d_k ≤ rating · Δt,  b_k, s_k ≥ 0
 *
 * solved exactly by `scheduleBattery` as a dynamic program over the state of charge (below), and by
 * `scheduleBatteryLp` through the project's LP seam (grid/lp, HiGHS): the tests hold the two to the same optimum.
 *
 * The dynamic program. With 0 ≤ sell_k ≤ buy_k, write u_k = η·c_k − d_k/η for the change of the state of
 * charge; charging and discharging at once never pays, so the grid exchange is g_k = net_k + u_k/η (u ≥ 0) or
 * net_k + u_k·η (u < 0), and the interval's cost φ_k(u) = buy·max(g, 0) − sell·max(−g, 0) is convex and
 * piecewise linear in u on [−rating·Δt/η, η·rating·Δt], with at most three pieces. The least cost F_k(s) of
 * reaching state of charge s after interval k is F_{k−1} infimal-convolved with φ_k and cut to [min, capacity]:
 * convex and piecewise linear again, its pieces the union of both sets sorted by slope. Each stage is kept as
 * its merged pieces with their origin, so the optimal end state (the least cost at or above soc_end) is split
 * back into the previous state and u_k stage by stage: exact, O(H · pieces), and free of solver calls — a
 * year of 35,040 intervals is planned in milliseconds.
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

/** The same problem through the LP seam (HiGHS): the reference the dynamic program is tested against. */
export function scheduleBatteryLp(solver: LpSolver, input: ScheduleInput): Schedule {
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

const EPS = 1e-9;

/**
 * Exact optimum of the schedule LP (see the header) by the dynamic program over the state of charge.
 *
 * Every stage's merged pieces go into one pool (stage k's are [start[k], start[k + 1])), and F_k is kept in
 * two scratch buffers: a year of stages is a few growing arrays rather than ~35,000 small ones each.
 */
export function scheduleBattery(input: ScheduleInput): Schedule {
  const n = input.netWh.length;
  const eta = input.efficiency;
  const stepWh = input.ratingW * input.stepHours;
  const lo = input.minWh;
  const hi = input.capacityWh;
  const chargeWh = new Float64Array(n);
  const dischargeWh = new Float64Array(n);
  const fail: Schedule = { ok: false, chargeWh, dischargeWh, costMicros: 0 };
  if (!(eta > 0 && eta <= 1) || stepWh < 0 || input.socWh < lo - EPS || input.socWh > hi + EPS) return fail;
  // φ_k's domain is [uLo, uHi] in every stage.
  const uLo = -stepWh / eta;
  const uHi = eta * stepWh;
  // The stages: F_{k−1} □ φ_k before the cut, pieces sorted by slope; 1 in `fromPrev`: F_{k−1}'s piece.
  const prevLeft = new Float64Array(n);
  const start = new Int32Array(n + 1);
  let poolSlope = new Float64Array(1024);
  let poolLen = new Float64Array(1024);
  let poolFromPrev = new Uint8Array(1024);
  let used = 0;
  // F_{k−1} (slope, len: ascending slopes from its left end `left`), and where F_k is built.
  let left = input.socWh;
  let slope = new Float64Array(16);
  let len = new Float64Array(16);
  let count = 0;
  let nextSlope = new Float64Array(16);
  let nextLen = new Float64Array(16);
  const cuts = new Float64Array(4);
  const phiSlope = new Float64Array(3);
  const phiLen = new Float64Array(3);
  for (let k = 0; k < n; k++) {
    const net = input.netWh[k];
    const buy = input.buyMicrosPerKWh[k] / 1000;
    const sell = input.sellMicrosPerKWh[k] / 1000;
    if (!(sell >= 0 && sell <= buy)) {
      throw new RangeError(`step ${k}: the schedule needs 0 ≤ sell (${sell}) ≤ buy (${buy}) prices`);
    }
    // φ_k's pieces: between its domain's ends, the kinks at u = 0 and where the exchange g changes sign
    // (uLo ≤ 0 ≤ uHi, so the cuts are in ascending order as written).
    const zero = net <= 0 ? -net * eta : -net / eta;
    let nc = 0;
    cuts[nc++] = uLo;
    if (zero > uLo && zero < uHi && zero < 0) cuts[nc++] = zero;
    cuts[nc++] = 0;
    if (zero > uLo && zero < uHi && !(zero < 0)) cuts[nc++] = zero;
    cuts[nc++] = uHi;
    let np = 0;
    for (let i = 0; i + 1 < nc; i++) {
      const w = cuts[i + 1] - cuts[i];
      if (w <= 0) continue;
      const mid = (cuts[i] + cuts[i + 1]) / 2;
      const g = net + (mid >= 0 ? mid / eta : mid * eta);
      phiSlope[np] = (g > 0 ? buy : sell) * (mid >= 0 ? 1 / eta : eta);
      phiLen[np++] = w;
    }
    // Merge by slope (both lists ascend: F_{k−1} by construction, φ_k by convexity).
    const m = count + np;
    if (used + m > poolSlope.length) {
      const size = Math.max(2 * poolSlope.length, used + m);
      poolSlope = grown(poolSlope, size);
      poolLen = grown(poolLen, size);
      const f = new Uint8Array(size);
      f.set(poolFromPrev);
      poolFromPrev = f;
    }
    start[k] = used;
    prevLeft[k] = left;
    let a = 0;
    let b = 0;
    for (let i = used; i < used + m; i++) {
      if (b >= np || (a < count && slope[a] <= phiSlope[b])) {
        poolSlope[i] = slope[a];
        poolLen[i] = len[a++];
        poolFromPrev[i] = 1;
      } else {
        poolSlope[i] = phiSlope[b];
        poolLen[i] = phiLen[b++];
        poolFromPrev[i] = 0;
      }
    }
    // The cut to [min, capacity].
    let from = left + uLo;
    let total = 0;
    for (let i = used; i < used + m; i++) total += poolLen[i];
    if (from > hi + EPS || from + total < lo - EPS) return fail;
    if (m > nextSlope.length) {
      nextSlope = new Float64Array(2 * m);
      nextLen = new Float64Array(2 * m);
    }
    let kept = 0;
    let pos = from;
    for (let i = used; i < used + m; i++) {
      const a0 = Math.max(pos, lo);
      const a1 = Math.min(pos + poolLen[i], hi);
      pos += poolLen[i];
      if (a1 - a0 > EPS) {
        // Equal slopes make one piece of F_k (prices repeat: the tariffs, a day's pattern), which keeps the
        // number of pieces at the number of distinct slopes in reach.
        if (kept > 0 && nextSlope[kept - 1] === poolSlope[i]) nextLen[kept - 1] += a1 - a0;
        else {
          nextSlope[kept] = poolSlope[i];
          nextLen[kept++] = a1 - a0;
        }
      }
    }
    used += m;
    from = Math.min(Math.max(from, lo), hi);
    left = from;
    [slope, nextSlope] = [nextSlope, slope];
    [len, nextLen] = [nextLen, len];
    count = kept;
  }
  start[n] = used;
  // The end state: the least F_n(s) with s ≥ soc_end (within the reachable range).
  const end = Math.min(hi, Math.max(lo, input.endWh));
  let right = left;
  for (let i = 0; i < count; i++) right += len[i];
  if (right < end - 1e-6) return fail;
  let s = left;
  for (let i = 0; i < count && slope[i] < 0; i++) s += len[i];
  s = Math.max(s, end);
  // Back through the stages: split the state into F_{k−1}'s part and u_k's, in slope order.
  let cost = 0;
  for (let k = n - 1; k >= 0; k--) {
    let rest = s - (prevLeft[k] + uLo);
    let fromPrev = 0;
    let fromPhi = 0;
    for (let i = start[k]; i < start[k + 1] && rest > 0; i++) {
      const take = Math.min(rest, poolLen[i]);
      if (poolFromPrev[i] === 1) fromPrev += take;
      else fromPhi += take;
      rest -= take;
    }
    const u = uLo + fromPhi;
    if (u >= 0) chargeWh[k] = Math.min(stepWh, u / eta);
    else dischargeWh[k] = Math.min(stepWh, -u * eta);
    const g = input.netWh[k] + chargeWh[k] - dischargeWh[k];
    cost += (g > 0 ? input.buyMicrosPerKWh[k] * g : input.sellMicrosPerKWh[k] * g) / 1000;
    s = prevLeft[k] + fromPrev;
  }
  return { ok: true, chargeWh, dischargeWh, costMicros: cost };
}

function grown(a: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(size);
  b.set(a);
  return b;
}
