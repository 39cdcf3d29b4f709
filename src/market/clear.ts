import { PlurigridError } from "../core/errors.js";
import { highsSolver } from "../grid/lp/highs.js";
import type { LpSolver } from "../grid/lp/types.js";
import type { Network } from "../grid/model.js";
import { doubleAuction } from "./auction.js";
import { mergeFills, pairPool } from "./bilateral.js";
import { applyLifeline } from "./lifeline.js";
import { lpClear } from "./lp-clearing.js";
import { welfareOf } from "./money.js";
import { copperPlate, type Locations, locate, type MarketGrid, marketGrid } from "./network.js";
import { type OrderTable, orderTable } from "./orders.js";
import { PairRule } from "./predicates.js";
import {
  buyerPrice,
  kPartsPerMillion,
  sellerPrice,
  snap,
  supportingInterval,
  treasuryMicros,
  uniformPrice,
} from "./pricing.js";
import type { ClearingResult, ClearingRule, Fill, IntentOutcome, LifelineOptions, Order } from "./types.js";

export interface ClearOptions {
  /** "uniform" (default): one price per bus (or product); "pay-as-bid": every order at its own limit. */
  rule?: ClearingRule;
  /** k of k-pricing, in [0, 1]: the uniform price is low + k·(high − low) (default 0.5). */
  k?: number;
  /** A MATPOWER network: network-constrained clearing with LMPs (every order needs a `bus`). */
  network?: Network | MarketGrid;
  /** Length of the interval the quantities are delivered over, minutes (default 15). */
  intervalMinutes?: number;
  lifeline?: LifelineOptions;
  /** Compute the bilateral fills (default true; the CLI's answer does not need them). */
  fills?: boolean;
  /** The LP/MIP solver for networks, predicates and least fills (`clear` loads HiGHS itself). */
  solver?: LpSolver;
  /** Wall-clock limit of each solve, seconds; reaching it is MARKET_SOLVER_FAILED (default: none). */
  timeLimitS?: number;
}

/** Which mechanism a market needs: the sort-based fast path, or the LP/MIP. */
export function needsSolver(orders: readonly Order[], options: ClearOptions = {}): boolean {
  if (options.network !== undefined) return true;
  return orders.some(
    (o) => (o.minFillWh ?? 0) > 0 || (o.predicates !== undefined && o.predicates.length > 0),
  );
}

/** Clears a market, loading HiGHS when the market needs a solver. */
export async function clear(orders: readonly Order[], options: ClearOptions = {}): Promise<ClearingResult> {
  const solver = options.solver ?? (needsSolver(orders, options) ? await highsSolver() : undefined);
  return clearMarket(orders, { ...options, solver });
}

function checkOptions(o: ClearOptions): void {
  if (o.k !== undefined && !(o.k >= 0 && o.k <= 1)) {
    throw new PlurigridError("MARKET_BAD_OPTION", `k must be in [0, 1], got ${o.k}`, { k: o.k });
  }
  const m = o.intervalMinutes;
  if (m !== undefined && !(Number.isSafeInteger(m) && m > 0 && m <= 1440)) {
    throw new PlurigridError("MARKET_BAD_OPTION", `intervalMinutes must be an integer in [1, 1440]`, {
      intervalMinutes: m,
    });
  }
  const l = o.lifeline;
  if (l !== undefined) {
    const okPrice = Number.isSafeInteger(l.priceMicrosPerKWh) && l.priceMicrosPerKWh >= 0;
    const b = l.baselineWhPerParticipant;
    if (!okPrice || (b !== undefined && !(Number.isSafeInteger(b) && b >= 0))) {
      throw new PlurigridError("MARKET_BAD_OPTION", "lifeline price and baseline must be integers ≥ 0", {
        lifeline: l,
      });
    }
  }
}

function isGrid(n: Network | MarketGrid): n is MarketGrid {
  return "nodeOfBus" in n;
}

/**
 * Clears one market interval: maximum welfare, then prices by the rule. Synchronous; markets with a
 * network, predicates or least fills need `options.solver` (MARKET_SOLVER_REQUIRED otherwise).
 */
export function clearMarket(orders: readonly Order[], options: ClearOptions = {}): ClearingResult {
  checkOptions(options);
  const table = orderTable(orders);
  const rule = options.rule ?? "uniform";
  const kPpm = kPartsPerMillion(options.k ?? 0.5);
  const grid =
    options.network === undefined
      ? undefined
      : isGrid(options.network)
        ? options.network
        : marketGrid(options.network);
  const where = grid === undefined ? copperPlate(table) : locate(table, grid);
  const wantFills = options.fills ?? true;
  const n = table.count;

  let buys = 0;
  for (let i = 0; i < n; i++) buys += table.isBuy[i];
  if (buys === 0 || buys === n) return emptyResult(table);

  const fast = grid === undefined && !table.anyPredicates && !table.anyMinFill;
  if (fast && options.lifeline === undefined) return clearFast(table, rule, kPpm, wantFills);

  const pairRule = table.anyPredicates ? new PairRule(table, where, grid) : null;
  const life =
    options.lifeline === undefined ? null : applyLifeline(table, where, pairRule, options.lifeline);
  const lifelineWh = life?.lifelineWh.slice() ?? new Float64Array(n);
  let lifelinePrice = life?.applied ? options.lifeline!.priceMicrosPerKWh : undefined;
  const residualWh = new Float64Array(n);
  const residualMinWh = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    residualWh[i] = table.quantityWh[i] - lifelineWh[i];
    residualMinWh[i] = Math.max(0, Math.min(residualWh[i], table.minFillWh[i] - lifelineWh[i]));
  }

  const marketWh = new Float64Array(n);
  const price = new Float64Array(n).fill(Number.NaN);
  const prices: ClearingResult["prices"] = {};
  let fills: Fill[] = life?.fills.slice() ?? [];
  let message: string | undefined;
  let shadow: [number, number][] | undefined;

  if (fast) {
    const a = doubleAuction(table, residualWh);
    marketWh.set(a.filledWh);
    if (wantFills) fills = fills.concat(pairPool(table, allIndices(n), marketWh));
  } else {
    if (options.solver === undefined) {
      throw new PlurigridError(
        "MARKET_SOLVER_REQUIRED",
        "this market has a network, predicates or least fills: pass a solver (or call clear())",
      );
    }
    const lp = lpClear({
      table,
      residualWh,
      residualMinWh,
      where,
      grid,
      rule: pairRule,
      intervalMinutes: options.intervalMinutes ?? 15,
      lifeline: grid !== undefined && life?.applied ? life.pairs : undefined,
      solver: options.solver,
      timeLimitS: options.timeLimitS,
    });
    if (lp.status === "infeasible") {
      return { ...emptyResult(table), status: "infeasible", message: lp.message };
    }
    if (grid !== undefined && life?.applied) {
      // The network may serve less lifeline than offered: what it serves replaces the greedy amounts.
      lifelineWh.fill(0);
      fills = [];
      life.pairs.forEach((p, k) => {
        const e = lp.lifelineServedWh[k];
        if (e <= 0) return;
        lifelineWh[p.buyer] += e;
        lifelineWh[p.seller] += e;
        fills.push({ buyer: orders[p.buyer].id, seller: orders[p.seller].id, energyWh: e, lifelineWh: e });
      });
      if (fills.length === 0) lifelinePrice = undefined;
    }
    marketWh.set(lp.filledWh);
    price.set(lp.price);
    if (grid !== undefined) shadow = lp.branchShadowPrices;
    if (grid !== undefined) {
      const buses: { id: number; lmp: number }[] = [];
      for (let bus = 0; bus < grid.net.bus.count; bus++) {
        const node = grid.nodeOfBus[bus];
        if (node < 0) continue;
        buses.push({ id: grid.net.bus.id[bus], lmp: Math.round(snap(lp.nodePrice[node])) + 0 });
      }
      prices.buses = buses;
    } else if (table.anyPredicates && rule === "uniform") {
      prices.uniform = Math.round(snap(lp.nodePrice[0])) + 0;
    }
    if (wantFills) fills = fills.concat(lpFills(table, where, lp));
  }

  // Prices by the rule.
  let uniform: number | null = null;
  if (rule === "uniform" && grid === undefined && !table.anyPredicates) {
    const { low, high } = supportingInterval(table, residualWh, marketWh);
    uniform = uniformPrice(low, high, kPpm);
    if (uniform !== null) {
      prices.uniform = uniform;
      for (let i = 0; i < n; i++) if (marketWh[i] > 0) price[i] = uniform;
    }
  }
  const filledWh = new Float64Array(n);
  for (let i = 0; i < n; i++) filledWh[i] = marketWh[i] + lifelineWh[i];
  const intPrice = new Float64Array(n).fill(Number.NaN);
  for (let i = 0; i < n; i++) {
    if (marketWh[i] === 0) continue;
    const lim = table.limitPrice[i];
    if (rule === "pay-as-bid" || Number.isNaN(price[i])) intPrice[i] = lim;
    else intPrice[i] = table.isBuy[i] ? buyerPrice(price[i], lim) : sellerPrice(price[i], lim);
  }
  if (rule === "uniform" && (!fast || uniform === null)) {
    // With least fills a uniform price may not cover every accepted order (a non-convex market): then
    // every order trades at its own limit, which always balances (welfare ≥ 0).
    const traded = marketWh.some((v) => v > 0);
    const interval = traded && uniform === null && grid === undefined && !table.anyPredicates;
    if (interval || treasuryMicros(table, filledWh, lifelineWh, intPrice, lifelinePrice) < 0) {
      for (let i = 0; i < n; i++) if (marketWh[i] > 0) intPrice[i] = table.limitPrice[i];
      delete prices.uniform;
      message =
        "no uniform price supports this allocation (least fills make the market non-convex): every order trades at its limit";
    }
  }
  if (lifelinePrice !== undefined) prices.lifeline = lifelinePrice;

  const intents: IntentOutcome[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const o: IntentOutcome = { id: orders[i].id, filledWh: filledWh[i], price: null };
    if (marketWh[i] > 0) o.price = intPrice[i];
    else if (lifelineWh[i] > 0) o.price = lifelinePrice!;
    if (lifelineWh[i] > 0) o.lifelineWh = lifelineWh[i];
    intents[i] = o;
  }
  const welfare = welfareOf(
    n,
    (i) => table.isBuy[i] === 1,
    (i) => table.limitPrice[i],
    filledWh,
  );
  const result: ClearingResult = {
    status: "cleared",
    welfare,
    prices,
    intents,
    fills: wantFills ? mergeFills(fills) : [],
  };
  if (message !== undefined) result.message = message;
  if (shadow !== undefined) result.branchShadowPrices = shadow;
  return result;
}

/**
 * The fast path as one pass: the auction's own supporting interval is the uniform price interval (every
 * filled order in the money, every order left with energy out of it), so no further scan is needed.
 */
function clearFast(table: OrderTable, rule: ClearingRule, kPpm: number, wantFills: boolean): ClearingResult {
  const n = table.count;
  const a = doubleAuction(table, table.quantityWh);
  const filled = a.filledWh;
  const uniform = rule === "uniform" ? uniformPrice(a.priceLow, a.priceHigh, kPpm) : null;
  const intents: IntentOutcome[] = new Array(n);
  const orders = table.orders;
  const lim = table.limitPrice;
  for (let i = 0; i < n; i++) {
    const f = filled[i];
    intents[i] = { id: orders[i].id, filledWh: f, price: f > 0 ? (uniform ?? lim[i]) : null };
  }
  const prices: ClearingResult["prices"] = uniform === null ? {} : { uniform };
  return {
    status: "cleared",
    welfare: welfareOf(
      n,
      (i) => table.isBuy[i] === 1,
      (i) => lim[i],
      filled,
    ),
    prices,
    intents,
    fills: wantFills ? pairPool(table, allIndices(n), filled) : [],
  };
}

function emptyResult(table: OrderTable): ClearingResult {
  return {
    status: "empty",
    welfare: 0,
    prices: {},
    intents: table.orders.map((o) => ({ id: o.id, filledWh: 0, price: null })),
    fills: [],
  };
}

function allIndices(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

function lpFills(table: OrderTable, where: Locations, lp: ReturnType<typeof lpClear>): Fill[] {
  const ids = table.orders;
  const fills: Fill[] = lp.pairs.map((p) => ({
    buyer: ids[p.buyer].id,
    seller: ids[p.seller].id,
    energyWh: p.energyWh,
  }));
  const byIsland: number[][] = Array.from({ length: where.islandCount }, () => []);
  for (let i = 0; i < table.count; i++) if (lp.poolWh[i] > 0) byIsland[where.island[i]].push(i);
  for (const members of byIsland) if (members.length > 0) fills.push(...pairPool(table, members, lp.poolWh));
  return fills;
}
