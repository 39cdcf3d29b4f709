import { PlurigridError } from "../../core/errors.js";
import { LpBuilder } from "../lp/builder.js";
import type { LpProblem } from "../lp/types.js";
import { type Network, tapRatio } from "../model.js";
import { branchesInService, gensInService, type Islands, islands } from "../topology/index.js";
import { dcCost } from "./costs.js";

/**
 * The DC optimal power flow as MATPOWER's `rundcopf` states it (MATPOWER User's Manual §6.1, "DC OPF";
 * `opf_setup.m`, `makeBdc.m`, `makeAang.m`, `makeAy.m`), everything in per-unit on baseMva:
 *
 *   variables   Va (rad) for every non-isolated bus, Pg for every in-service generator, one cost variable y
 *               per generator with a piecewise-linear cost, one flow per closed switch;
 *   minimise    Σ (q·Pg² + l·Pg + c) over polynomial costs + Σ y over piecewise-linear ones;
 *   balance     B·Va + Pbusinj + (Pd + Gs)/baseMva − Cg·Pg (+ switch flows out) = 0 at every bus, written
 *               as B·Va − Cg·Pg + Σ switch flows = −(Pd + Gs)/baseMva − Pbusinj (MATPOWER's row, so its
 *               multiplier has MATPOWER's sign);
 *   flow limits −rateA/baseMva ≤ Bf·Va + Pfinj ≤ rateA/baseMva for in-service branches with 0 < rateA < 1e10
 *               (rateA = 0 means unlimited), one ranged row per branch;
 *   angle limits angmin ≤ Va_f − Va_t ≤ angmax where MATPOWER's makeAang includes the branch (a limit is
 *               dropped below −360° / above 360°, and both zero means none);
 *   CCV rows    slope_k·Pg − y ≤ −intercept_k for each segment of each piecewise-linear cost;
 *   switches    Va_a − Va_b = 0 for every closed switch (its flow is free);
 *   bounds      Pmin/baseMva ≤ Pg ≤ Pmax/baseMva; Va fixed at the case's angle at one reference bus per
 *               island (topology's `islands`; an island without generation uses its first bus).
 *
 * MATPOWER fixes the angle of every REF bus; here only one bus per island is fixed, so a case with two REF
 * buses in one island is solved without the second, artificial, angle constraint.
 */
export interface DcOpfModel {
  problem: LpProblem;
  islands: Islands;
  /** LP column of each bus angle, -1 for isolated buses. */
  vaCol: Int32Array;
  /** LP column of each generator's Pg, -1 when out of service. */
  pgCol: Int32Array;
  /** LP row of each bus's power balance, -1 for isolated buses. */
  balanceRow: Int32Array;
  /** LP row of each branch's flow limit, -1 when the branch has no limit or is out of service. */
  flowRow: Int32Array;
  /** LP row of each branch's angle-difference limit, -1 when it has none. */
  angleRow: Int32Array;
  /** Series susceptance 1/(x·tap) of each in-service branch (0 when out of service), p.u. */
  bPu: Float64Array;
  /** Flow injected by each branch's phase shift at its from end, −b·shift, p.u. (MATPOWER Pfinj). */
  pfinjPu: Float64Array;
}

export interface DcOpfModelOptions {
  /** Leave out branch angle-difference limits (MATPOWER's opf.ignore_angle_lim). */
  ignoreAngleLimits?: boolean;
}

const DEG = Math.PI / 180;

/** Branches whose angle difference MATPOWER limits (makeAang, MATPOWER ≥ 7.1). */
function hasAngleLimit(angMin: number, angMax: number): boolean {
  return (
    (angMin !== 0 && angMin > -360) ||
    (angMax !== 0 && angMax < 360) ||
    (angMin !== 0 && angMax === 0) ||
    (angMin === 0 && angMax !== 0)
  );
}

export function buildDcOpf(net: Network, options: DcOpfModelOptions = {}): DcOpfModel {
  const { bus, branch, gen, switches, baseMva } = net;
  const nb = bus.count;
  if (net.genCost.length < gen.count) {
    throw new PlurigridError(
      "OPF_NO_COSTS",
      `the case has ${net.genCost.length} gencost rows for ${gen.count} generators; the OPF needs one per generator`,
      { gens: gen.count, genCost: net.genCost.length },
    );
  }
  const isl = islands(net);
  const brOn = branchesInService(net);
  const genOn = gensInService(net);

  const b = new LpBuilder("min", { cols: nb + gen.count, rows: 2 * nb + branch.count, nonzeros: 8 * nb });

  // Bus angle columns: free, except one reference per island fixed at the case's angle.
  const vaCol = new Int32Array(nb).fill(-1);
  for (let i = 0; i < nb; i++) {
    if (isl.islandOfBus[i] < 0) continue;
    vaCol[i] = b.addCol(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  }
  for (let k = 0; k < isl.count; k++) {
    const ref = isl.refBus[k] >= 0 ? isl.refBus[k] : isl.buses[k][0];
    const va = bus.vaDeg[ref] * DEG;
    b.setColBounds(vaCol[ref], va, va);
  }

  // Generators and their costs.
  const pgCol = new Int32Array(gen.count).fill(-1);
  const pwlRows: { col: number; y: number; slope: Float64Array; intercept: Float64Array }[] = [];
  for (let g = 0; g < gen.count; g++) {
    if (!genOn[g]) continue;
    const cost = dcCost(net.genCost[g], baseMva, g);
    const col = b.addCol(gen.pgMinMw[g] / baseMva, gen.pgMaxMw[g] / baseMva, 0);
    pgCol[g] = col;
    if (cost.kind === "quadratic") {
      b.setCost(col, cost.l);
      if (cost.q !== 0) b.addQuadratic(col, col, cost.q);
      b.addOffset(cost.c);
    } else {
      const y = b.addCol(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 1);
      pwlRows.push({ col, y, slope: cost.slope, intercept: cost.intercept });
    }
  }

  // Series susceptances and phase-shift injections (MATPOWER makeBdc).
  const bPu = new Float64Array(branch.count);
  const pfinjPu = new Float64Array(branch.count);
  const pbusinj = new Float64Array(nb);
  for (let k = 0; k < branch.count; k++) {
    if (!brOn[k]) continue;
    const x = branch.xPu[k];
    if (x === 0) {
      throw new PlurigridError(
        "OPF_ZERO_REACTANCE",
        `branch ${k} has zero reactance; the DC model needs x ≠ 0`,
        {
          branch: k,
        },
      );
    }
    bPu[k] = 1 / (x * tapRatio(net, k));
    pfinjPu[k] = -bPu[k] * branch.shiftDeg[k] * DEG;
    pbusinj[branch.from[k]] += pfinjPu[k];
    pbusinj[branch.to[k]] -= pfinjPu[k];
  }

  // Incidence lists (CSR) of in-service branches, generators and closed switches per bus.
  const brStart = countingStarts(nb, branch.count, (k, add) => {
    if (brOn[k]) {
      add(branch.from[k], k);
      add(branch.to[k], k);
    }
  });
  const genStart = countingStarts(nb, gen.count, (g, add) => {
    if (genOn[g]) add(gen.bus[g], g);
  });
  const swOn = (s: number) =>
    switches.closed[s] !== 0 &&
    isl.islandOfBus[switches.from[s]] >= 0 &&
    isl.islandOfBus[switches.to[s]] >= 0;
  const swCol = new Int32Array(switches.count).fill(-1);
  for (let s = 0; s < switches.count; s++) {
    if (swOn(s)) swCol[s] = b.addCol(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  }
  const swStart = countingStarts(nb, switches.count, (s, add) => {
    if (swOn(s)) {
      add(switches.from[s], s);
      add(switches.to[s], s);
    }
  });

  // Power balance rows: B·Va − Cg·Pg + switch flows out = −(Pd + Gs)/baseMva − Pbusinj.
  const balanceRow = new Int32Array(nb).fill(-1);
  const idx = new Int32Array(b.numCols);
  const val = new Float64Array(b.numCols);
  const slot = new Int32Array(nb).fill(-1);
  for (let i = 0; i < nb; i++) {
    if (vaCol[i] < 0) continue;
    let n = 0;
    idx[n] = vaCol[i];
    val[n] = 0;
    slot[i] = n++;
    for (let e = brStart.start[i]; e < brStart.start[i + 1]; e++) {
      const k = brStart.item[e];
      const other = branch.from[k] === i ? branch.to[k] : branch.from[k];
      // A branch from a bus to itself adds +b and −b to the same entry of B: nothing.
      if (other === i) continue;
      val[slot[i]] += bPu[k];
      if (slot[other] < 0) {
        idx[n] = vaCol[other];
        val[n] = 0;
        slot[other] = n++;
      }
      val[slot[other]] -= bPu[k];
    }
    for (let e = brStart.start[i]; e < brStart.start[i + 1]; e++) {
      const k = brStart.item[e];
      slot[branch.from[k]] = -1;
      slot[branch.to[k]] = -1;
    }
    slot[i] = -1;
    for (let e = genStart.start[i]; e < genStart.start[i + 1]; e++) {
      idx[n] = pgCol[genStart.item[e]];
      val[n++] = -1;
    }
    for (let e = swStart.start[i]; e < swStart.start[i + 1]; e++) {
      const s = swStart.item[e];
      if (switches.from[s] === switches.to[s]) continue;
      idx[n] = swCol[s];
      val[n++] = switches.from[s] === i ? 1 : -1;
    }
    const rhs = -(bus.pdMw[i] + bus.gsMw[i]) / baseMva - pbusinj[i];
    balanceRow[i] = b.addRow(rhs, rhs, idx.subarray(0, n), val.subarray(0, n));
  }

  // Branch flow and angle-difference limits.
  const flowRow = new Int32Array(branch.count).fill(-1);
  const angleRow = new Int32Array(branch.count).fill(-1);
  const pair = new Int32Array(2);
  const coef = new Float64Array(2);
  for (let k = 0; k < branch.count; k++) {
    if (!brOn[k]) continue;
    const f = branch.from[k];
    const t = branch.to[k];
    if (f === t) continue;
    pair[0] = vaCol[f];
    pair[1] = vaCol[t];
    const rate = branch.rateAMva[k];
    if (rate > 0 && rate < 1e10) {
      coef[0] = bPu[k];
      coef[1] = -bPu[k];
      const lim = rate / baseMva;
      flowRow[k] = b.addRow(-lim - pfinjPu[k], lim - pfinjPu[k], pair, coef);
    }
    if (!options.ignoreAngleLimits && hasAngleLimit(branch.angMinDeg[k], branch.angMaxDeg[k])) {
      const lo = branch.angMinDeg[k] < -360 ? Number.NEGATIVE_INFINITY : branch.angMinDeg[k] * DEG;
      const hi = branch.angMaxDeg[k] > 360 ? Number.POSITIVE_INFINITY : branch.angMaxDeg[k] * DEG;
      coef[0] = 1;
      coef[1] = -1;
      angleRow[k] = b.addRow(lo, hi, pair, coef);
    }
  }

  // CCV rows of piecewise-linear costs: slope·Pg − y ≤ −intercept.
  for (const r of pwlRows) {
    pair[0] = r.col;
    pair[1] = r.y;
    for (let s = 0; s < r.slope.length; s++) {
      coef[0] = r.slope[s];
      coef[1] = -1;
      b.addRow(Number.NEGATIVE_INFINITY, -r.intercept[s], pair, coef);
    }
  }

  // Switches: equal angles at both ends.
  for (let s = 0; s < switches.count; s++) {
    if (swCol[s] < 0 || switches.from[s] === switches.to[s]) continue;
    pair[0] = vaCol[switches.from[s]];
    pair[1] = vaCol[switches.to[s]];
    coef[0] = 1;
    coef[1] = -1;
    b.addRow(0, 0, pair, coef);
  }

  return { problem: b.build(), islands: isl, vaCol, pgCol, balanceRow, flowRow, angleRow, bPu, pfinjPu };
}

/** Items grouped by bus (CSR): `visit(item, add)` calls add(bus, item) for each bus the item touches. */
function countingStarts(
  nb: number,
  count: number,
  visit: (item: number, add: (bus: number, item: number) => void) => void,
): { start: Int32Array; item: Int32Array } {
  const start = new Int32Array(nb + 1);
  for (let k = 0; k < count; k++) visit(k, (i) => start[i + 1]++);
  for (let i = 0; i < nb; i++) start[i + 1] += start[i];
  const item = new Int32Array(start[nb]);
  const next = start.slice(0, nb);
  for (let k = 0; k < count; k++) visit(k, (i, it) => (item[next[i]++] = it));
  return { start, item };
}
