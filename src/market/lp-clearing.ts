import { PlurigridError } from "../core/errors.js";
import { LpBuilder } from "../grid/lp/builder.js";
import type { LpResult, LpSolver } from "../grid/lp/types.js";
import type { LifelinePair } from "./lifeline.js";
import type { Locations, MarketGrid } from "./network.js";
import { compareIds, type OrderTable } from "./orders.js";
import { hasPredicates, type PairRule } from "./predicates.js";

/**
 * The general clearing: welfare maximisation as an LP (a MIP when some order has a least fill), with the
 * DC network and value predicates as constraints.
 *
 *   max  Σ_buys limit/1000 · y_b − Σ_sells limit/1000 · y_s                         (micro-units)
 *   y_i ∈ [0, q_i]; with a least fill m_i: y_i ∈ {0} ∪ [m_i, q_i] (binary z_i: m_i z_i ≤ y_i ≤ q_i z_i)
 *   products: for each order with predicates, y_k = Σ f over the pairs it may trade in (both sides'
 *     predicates hold, same island); an order without predicates trades y_c − Σ f ≥ 0 in the pool
 *   network, per node n: Σ_sells y − Σ_buys y − Σ_branches flow out = −(fixed lifeline injection),
 *     flow_l = b_l (φ_from − φ_to) with φ = θ·baseMVA·10⁶·hours (angles in Wh, so flows are Wh over the
 *     interval), |flow_l| ≤ rateA·10⁶·hours where 0 < rateA, and φ of each island's first node fixed at 0;
 *   without network, one balance row: Σ_sells y − Σ_buys y = 0.
 *
 * A MIP is solved to a zero gap, then its binaries are fixed and the LP solved again for the duals.
 * Prices: the node's LMP is −(balance dual)·1000 (micro-units per kWh); an order's own price is its limit
 * less (buy) or plus (sell) its quantity's shadow price, which is the LMP for an order without predicates
 * and the price of its product otherwise.
 */
export interface LpClearing {
  status: "optimal" | "infeasible";
  message: string;
  /** Integer fills per order, Wh (market part, besides any lifeline). */
  filledWh: Float64Array;
  /** Real-valued price per order from the duals (NaN when not filled). */
  price: Float64Array;
  /** Real-valued LMP per node (network) or the one pool price (no network), micro-units per kWh. */
  nodePrice: Float64Array;
  /** Integer bilateral energy of the pairs (buyer, seller) of orders with predicates. */
  pairs: { buyer: number; seller: number; energyWh: number }[];
  /** Energy each order trades in its island's pool (orders without predicates), Wh. */
  poolWh: Float64Array;
  /** [branch, μ] of binding branch limits, micro-units per kWh (∂welfare/∂limit). */
  branchShadowPrices: [number, number][];
  /** Energy served of each lifeline pair (input order), whole Wh. */
  lifelineServedWh: number[];
}

export interface LpClearingInput {
  table: OrderTable;
  residualWh: Float64Array;
  residualMinWh: Float64Array;
  where: Locations;
  grid?: MarketGrid;
  rule: PairRule | null;
  intervalMinutes: number;
  /**
   * With a network: the lifeline fills as upper bounds, served as far as the branches allow (critical
   * first, then baseline, then welfare: weights far above any price).
   */
  lifeline?: readonly LifelinePair[];
  solver: LpSolver;
  timeLimitS?: number;
  /** One column per level of interchangeable orders (default true); false: one per order (the reference). */
  mergeLevels?: boolean;
}

interface Model {
  y: Int32Array;
  z: Int32Array;
  pairB: number[];
  pairS: number[];
  pairCol: number[];
  balanceRow: Int32Array;
  /** [branch index, row] of every limited branch. */
  branchRows: [number, number][];
  /** Column of each lifeline pair. */
  lifelineCol: number[];
}

/**
 * Orders by id: columns and rows are laid out in this order, so the model, and the solver's choice among
 * equal orders, do not depend on the order of the input.
 */
function canonicalOrder(table: OrderTable): Int32Array {
  const idx = Array.from({ length: table.count }, (_, i) => i);
  idx.sort((a, b) => compareIds(table.orders[a].id, table.orders[b].id));
  return Int32Array.from(idx);
}

function buildModel(input: LpClearingInput, fixed: Uint8Array | null, canon: Int32Array) {
  const { table, residualWh, residualMinWh, where, grid, rule } = input;
  const n = table.count;
  const b = new LpBuilder("max", { cols: n + (grid?.nodeCount ?? 0), rows: n });
  const y = new Int32Array(n).fill(-1);
  const z = new Int32Array(n).fill(-1);
  // Orders of one level (levelKey) are interchangeable: one column holds their sum, and extract() hands it
  // out in id order, as rationLevelsById does anyway. The LP is the same market with fewer columns.
  const levelSum = new Map<string, number>();
  const levelCol = new Map<string, number>();
  const merge = rule === null && (input.mergeLevels ?? true);
  if (merge) {
    for (const i of canon) {
      if (residualWh[i] <= 0 || where.island[i] < 0 || residualMinWh[i] > 0) continue;
      const key = levelKey(input, i);
      levelSum.set(key, (levelSum.get(key) ?? 0) + residualWh[i]);
    }
  }
  for (const i of canon) {
    if (residualWh[i] <= 0 || where.island[i] < 0) continue;
    const q = residualWh[i];
    const m = residualMinWh[i];
    const c = (table.isBuy[i] ? 1 : -1) * (table.limitPrice[i] / 1000);
    if (merge && m === 0) {
      const key = levelKey(input, i);
      let col = levelCol.get(key);
      if (col === undefined) {
        col = b.addCol(0, levelSum.get(key)!, c);
        levelCol.set(key, col);
      }
      y[i] = col;
    } else if (m > 0 && fixed === null) {
      y[i] = b.addCol(0, q, c);
      z[i] = b.addCol(0, 1, 0);
      b.setInteger(z[i]);
      b.addRow(Number.NEGATIVE_INFINITY, 0, [y[i], z[i]], [1, -q]);
      b.addRow(0, Number.POSITIVE_INFINITY, [y[i], z[i]], [1, -m]);
    } else if (m > 0 && fixed !== null) {
      y[i] = fixed[i] ? b.addCol(m, q, c) : b.addCol(0, 0, c);
    } else {
      y[i] = b.addCol(0, q, c);
    }
  }

  // Products: pair columns for every allowed pair that involves an order with predicates.
  const pairB: number[] = [];
  const pairS: number[] = [];
  const pairCol: number[] = [];
  if (rule !== null) {
    const buys: number[] = [];
    const sells: number[] = [];
    for (const i of canon) {
      if (y[i] < 0) continue;
      (table.isBuy[i] ? buys : sells).push(i);
    }
    const pred = (i: number) => hasPredicates(table.orders[i]);
    const pairsOf: number[][] = Array.from({ length: n }, () => []);
    for (const bi of buys) {
      for (const si of sells) {
        if (!pred(bi) && !pred(si)) continue;
        // A loss-making pair is never needed without network and least fills (dropping it keeps every
        // constraint and raises welfare); with them it can be (counterflow, or to reach a least fill).
        const prunable = grid === undefined && residualMinWh[bi] === 0 && residualMinWh[si] === 0;
        if (prunable && table.limitPrice[bi] < table.limitPrice[si]) continue;
        if (!rule.allowed(bi, si)) continue;
        const col = b.addCol(0, Number.POSITIVE_INFINITY, 0);
        pairB.push(bi);
        pairS.push(si);
        pairCol.push(col);
        pairsOf[bi].push(col);
        pairsOf[si].push(col);
      }
    }
    for (const i of canon) {
      if (y[i] < 0) continue;
      const cols = pairsOf[i];
      if (!pred(i) && cols.length === 0) continue;
      const idx = [y[i], ...cols];
      const val = [1, ...cols.map(() => -1)];
      if (pred(i)) b.addRow(0, 0, idx, val);
      else b.addRow(0, Number.POSITIVE_INFINITY, idx, val);
    }
  }

  // Balance: per node with a network, one pool row without.
  let balanceRow: Int32Array;
  const branchRows: [number, number][] = [];
  const lifelineCol: number[] = [];
  if (grid === undefined) {
    const idx: number[] = [];
    const val: number[] = [];
    const seen = new Set<number>();
    for (const i of canon) {
      if (y[i] < 0 || seen.has(y[i])) continue;
      seen.add(y[i]);
      idx.push(y[i]);
      val.push(table.isBuy[i] ? -1 : 1);
    }
    balanceRow = Int32Array.of(b.addRow(0, 0, idx, val));
  } else {
    balanceRow = addNetwork(b, input, grid, y, branchRows, lifelineCol);
  }
  const model: Model = { y, z, pairB, pairS, pairCol, balanceRow, branchRows, lifelineCol };
  return { problem: b.build(), model };
}

function addNetwork(
  b: LpBuilder,
  input: LpClearingInput,
  grid: MarketGrid,
  y: Int32Array,
  branchRows: [number, number][],
  lifelineCol: number[],
): Int32Array {
  const { table, where } = input;
  const hours = input.intervalMinutes / 60;
  const nn = grid.nodeCount;
  const phi = new Int32Array(nn);
  const isRef = new Uint8Array(nn);
  for (let isl = 0; isl < grid.islandCount; isl++) isRef[grid.refNodeOfIsland[isl]] = 1;
  for (let j = 0; j < nn; j++) {
    phi[j] = isRef[j] ? b.addCol(0, 0, 0) : b.addCol(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 0);
  }
  // Node rows: entries of each node's row as maps (parallel branches and intents at one node merge).
  const rows: Map<number, number>[] = Array.from({ length: nn }, () => new Map());
  const addTo = (row: Map<number, number>, col: number, v: number) => row.set(col, (row.get(col) ?? 0) + v);
  const seen = new Set<number>();
  for (let i = 0; i < table.count; i++) {
    if (y[i] < 0 || seen.has(y[i])) continue;
    seen.add(y[i]);
    addTo(rows[where.node[i]], y[i], table.isBuy[i] ? -1 : 1);
  }
  // Lifeline pairs: served energy in [0, greedy amount], weighted far above any price.
  let maxCoef = 0;
  for (let i = 0; i < table.count; i++) maxCoef = Math.max(maxCoef, table.limitPrice[i] / 1000);
  const baselineWeight = 10 * (1 + maxCoef);
  const criticalWeight = 10 * baselineWeight;
  for (const p of input.lifeline ?? []) {
    const welfare = (table.limitPrice[p.buyer] - table.limitPrice[p.seller]) / 1000;
    const col = b.addCol(0, p.energyWh, (p.critical ? criticalWeight : baselineWeight) + welfare);
    lifelineCol.push(col);
    addTo(rows[where.node[p.seller]], col, 1);
    addTo(rows[where.node[p.buyer]], col, -1);
  }
  const net = grid.net;
  const limited: number[] = [];
  for (let k = 0; k < net.branch.count; k++) {
    if (!grid.branchOn[k]) continue;
    const f = grid.fromNode[k];
    const t = grid.toNode[k];
    if (f === t) continue;
    const s = grid.susceptancePu[k];
    // Flow out of f is s(φf − φt); the row holds −flow out.
    addTo(rows[f], phi[f], -s);
    addTo(rows[f], phi[t], s);
    addTo(rows[t], phi[t], -s);
    addTo(rows[t], phi[f], s);
    const rate = net.branch.rateAMva[k];
    if (rate > 0 && rate < 1e10) limited.push(k);
  }
  const balance = new Int32Array(nn);
  for (let j = 0; j < nn; j++) {
    const entries = [...rows[j].entries()].filter((e) => e[1] !== 0).sort((p, q) => p[0] - q[0]);
    balance[j] = b.addRow(
      0,
      0,
      entries.map((e) => e[0]),
      entries.map((e) => e[1]),
    );
  }
  for (const k of limited) {
    const f = grid.fromNode[k];
    const t = grid.toNode[k];
    const s = grid.susceptancePu[k];
    const rateWh = net.branch.rateAMva[k] * 1e6 * hours;
    branchRows.push([k, b.addRow(-rateWh, rateWh, [phi[f], phi[t]], [s, -s])]);
  }
  return balance;
}

const intFloor = (v: number) => Math.floor(v + 1e-6);

/** Side, node (or island, without network) and limit: the orders of one level are interchangeable. */
function levelKey(input: LpClearingInput, i: number): string {
  return `${input.table.isBuy[i]}:${input.where.node[i]}:${input.table.limitPrice[i]}`;
}

export function lpClear(input: LpClearingInput): LpClearing {
  const { table } = input;
  const n = table.count;
  const canon = canonicalOrder(table);
  let built = buildModel(input, null, canon);
  const limit = input.timeLimitS === undefined ? {} : { timeLimitS: input.timeLimitS };
  let r: LpResult = input.solver.solve(built.problem, { mipRelGap: 0, ...limit });
  const isMip = built.model.z.some((c) => c >= 0);
  if (r.status === "optimal" && isMip) {
    const fixed = new Uint8Array(n);
    for (let i = 0; i < n; i++) if (built.model.z[i] >= 0) fixed[i] = r.x[built.model.z[i]] > 0.5 ? 1 : 0;
    built = buildModel(input, fixed, canon);
    r = input.solver.solve(built.problem, limit);
  }
  const empty = {
    filledWh: new Float64Array(n),
    price: new Float64Array(n).fill(Number.NaN),
    nodePrice: new Float64Array(0),
    pairs: [],
    poolWh: new Float64Array(n),
    branchShadowPrices: [],
    lifelineServedWh: [],
  };
  if (r.status === "infeasible") return { status: "infeasible", message: r.message, ...empty };
  if (r.status !== "optimal") {
    throw new PlurigridError(
      "MARKET_SOLVER_FAILED",
      `the clearing LP ended with "${r.status}": ${r.message}`,
      {
        status: r.status,
      },
    );
  }
  return extract(input, built.model, r, canon);
}

function extract(input: LpClearingInput, model: Model, r: LpResult, canon: Int32Array): LpClearing {
  const { table, residualMinWh } = input;
  const n = table.count;
  const { y } = model;
  // Pairs: integer energies, floors of the LP's values.
  const pairsInt: number[] = model.pairCol.map((c) => intFloor(r.x[c]));
  const pairsOfOrder = new Float64Array(n);
  model.pairCol.forEach((_, k) => {
    pairsOfOrder[model.pairB[k]] += pairsInt[k];
    pairsOfOrder[model.pairS[k]] += pairsInt[k];
  });
  // Least fills the flooring broke: round up the pairs with the largest fractions, within quantities.
  const total = (i: number) => pairsOfOrder[i];
  for (const i of canon) {
    if (y[i] < 0 || !hasPredicates(table.orders[i]) || residualMinWh[i] === 0) continue;
    if (pairsOfOrder[i] === 0 || pairsOfOrder[i] >= residualMinWh[i]) continue;
    const mine = model.pairCol
      .map((c, k) => ({ k, frac: r.x[c] - pairsInt[k] }))
      .filter((e) => (model.pairB[e.k] === i || model.pairS[e.k] === i) && e.frac > 1e-9)
      .sort((a, b) => b.frac - a.frac || a.k - b.k);
    for (const e of mine) {
      if (total(i) >= residualMinWh[i]) break;
      const other = model.pairB[e.k] === i ? model.pairS[e.k] : model.pairB[e.k];
      if (total(other) + 1 > input.residualWh[other]) continue;
      pairsInt[e.k]++;
      pairsOfOrder[i]++;
      pairsOfOrder[other]++;
    }
  }
  const filledWh = new Float64Array(n);
  const poolWh = new Float64Array(n);
  // A level's column (several orders) is handed out in id order (canon), each order up to its quantity.
  const members = new Map<number, number>();
  for (let i = 0; i < n; i++) if (y[i] >= 0) members.set(y[i], (members.get(y[i]) ?? 0) + 1);
  const levelLeft = new Map<number, number>();
  for (const [col, count] of members) if (count > 1) levelLeft.set(col, intFloor(r.x[col]));
  for (const i of canon) {
    if (y[i] < 0) continue;
    if (hasPredicates(table.orders[i])) {
      filledWh[i] = pairsOfOrder[i];
    } else {
      // Round the order's total, not its pool part: a least fill met by the LP stays met.
      const left = levelLeft.get(y[i]);
      const totalWh = Math.min(left ?? intFloor(r.x[y[i]]), input.residualWh[i]);
      if (left !== undefined) levelLeft.set(y[i], left - totalWh);
      poolWh[i] = Math.max(0, totalWh - pairsOfOrder[i]);
      filledWh[i] = pairsOfOrder[i] + poolWh[i];
    }
  }
  balancePools(input, poolWh, filledWh);
  rationLevelsById(input, y, pairsOfOrder, poolWh, filledWh);

  const price = new Float64Array(n).fill(Number.NaN);
  for (let i = 0; i < n; i++) {
    if (y[i] < 0 || filledWh[i] === 0) continue;
    const d = r.colDual[y[i]] * 1000;
    price[i] = table.isBuy[i] ? table.limitPrice[i] - d : table.limitPrice[i] + d;
  }
  const nodePrice = Float64Array.from(model.balanceRow, (row) => -r.rowDual[row] * 1000);
  const pairs = [];
  for (let k = 0; k < pairsInt.length; k++) {
    if (pairsInt[k] > 0) pairs.push({ buyer: model.pairB[k], seller: model.pairS[k], energyWh: pairsInt[k] });
  }
  const branchShadowPrices: [number, number][] = [];
  for (const [k, row] of model.branchRows) {
    const mu = r.rowDual[row] * 1000;
    if (Math.abs(mu) > 1e-9) branchShadowPrices.push([k, mu]);
  }
  return {
    status: "optimal",
    message: r.message,
    filledWh,
    price,
    nodePrice,
    pairs,
    poolWh,
    branchShadowPrices,
    lifelineServedWh: model.lifelineCol.map((c) => intFloor(r.x[c])),
  };
}

/**
 * Rounding fills to whole Wh can leave an island's pool a few Wh out of balance. In this order, until it
 * balances: the longer side gives back, lowest-value orders first (buys by limit ascending, sells by
 * limit descending, then by id), from orders without a least fill; the shorter side takes more, highest-
 * value first, within quantities; and last (never seen in the tests) the longer side gives back whatever
 * it must. Each step moves a few Wh, well inside the flow tolerance of the validity predicates.
 */
function balancePools(input: LpClearingInput, poolWh: Float64Array, filledWh: Float64Array): void {
  const { table, where, residualMinWh, residualWh } = input;
  const islands = where.islandCount;
  const net = new Float64Array(islands);
  for (let i = 0; i < table.count; i++) {
    if (poolWh[i] === 0) continue;
    net[where.island[i]] += table.isBuy[i] ? -poolWh[i] : poolWh[i];
  }
  const lim = table.limitPrice;
  const ids = table.orders;
  for (let isl = 0; isl < islands; isl++) {
    let excess = net[isl];
    if (excess === 0) continue;
    const longBuys = excess < 0;
    excess = Math.abs(excess);
    const long: number[] = [];
    const short: number[] = [];
    for (let i = 0; i < table.count; i++) {
      if (where.island[i] !== isl || poolWh[i] <= 0) continue;
      ((table.isBuy[i] === 1) === longBuys ? long : short).push(i);
    }
    // Lowest value first on the long side; highest first on the short side.
    long.sort((a, b) => (longBuys ? lim[a] - lim[b] : lim[b] - lim[a]) || compareIds(ids[a].id, ids[b].id));
    short.sort((a, b) => (longBuys ? lim[a] - lim[b] : lim[b] - lim[a]) || compareIds(ids[a].id, ids[b].id));
    const move = (i: number, delta: number) => {
      poolWh[i] += delta;
      filledWh[i] += delta;
      excess -= Math.abs(delta);
    };
    for (const i of long) {
      if (excess === 0) break;
      if (residualMinWh[i] === 0) move(i, -Math.min(excess, poolWh[i]));
    }
    for (const i of short) {
      if (excess === 0) break;
      move(i, Math.min(excess, residualWh[i] - filledWh[i]));
    }
    for (const i of long) {
      if (excess === 0) break;
      move(i, -Math.min(excess, poolWh[i]));
    }
  }
}

/**
 * Ties by id, as in the fast path: orders without predicates and without a least fill, on the same side,
 * at the same node (or anywhere, without network) and with the same limit are interchangeable in the pool
 * (same welfare, same flows), so their pool energy is handed out again in id order. Which of them the LP
 * filled is then no longer the solver's choice.
 */
function rationLevelsById(
  input: LpClearingInput,
  y: Int32Array,
  pairsOfOrder: Float64Array,
  poolWh: Float64Array,
  filledWh: Float64Array,
): void {
  const { table, residualWh, residualMinWh } = input;
  const levels = new Map<string, number[]>();
  for (let i = 0; i < table.count; i++) {
    if (y[i] < 0 || residualMinWh[i] > 0 || hasPredicates(table.orders[i])) continue;
    const key = levelKey(input, i);
    const members = levels.get(key);
    if (members === undefined) levels.set(key, [i]);
    else members.push(i);
  }
  const ids = table.orders;
  for (const members of levels.values()) {
    if (members.length < 2) continue;
    let rest = 0;
    for (const i of members) rest += poolWh[i];
    members.sort((a, b) => compareIds(ids[a].id, ids[b].id));
    for (const i of members) {
      const take = Math.min(rest, residualWh[i] - pairsOfOrder[i]);
      poolWh[i] = take;
      filledWh[i] = pairsOfOrder[i] + take;
      rest -= take;
    }
  }
}
