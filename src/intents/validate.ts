import { isPlurigridError } from "../core/errors.js";
import { buyerPaysMicros, sellerReceivesMicros, welfareOf } from "../market/money.js";
import { BUY, type CompiledBook, EXPIRED, HAS_PREDICATES, PLAIN, PRESENT } from "./book.js";
import { checkCertificate } from "./certificate.js";
import { type InvalidSolution, invalidSolution } from "./codes.js";
import { checkLifeline } from "./lifeline.js";
import { FLOW_TOLERANCE_MW } from "./network.js";
import { PredicateChecker } from "./predicates.js";
import type { Solution } from "./schema.js";

/**
 * The validity predicates of a solution (issue 5), in one pass over its fills plus one over the intents and
 * one DC flow solve. Every failure is a result with its own code (codes.ts), never an exception; the order
 * of the checks below is the order in which a solution that breaks several rules is reported.
 *
 * 1. Form: the interval, fills strictly ascending by (buyer, seller) with a buy in the buyer's place and a
 *    sell in the seller's, prices strictly ascending and given for exactly the filled intents, bus prices
 *    strictly ascending at buses of the network (SOLUTION_MALFORMED, SOLUTION_UNKNOWN_INTENT).
 * 2. Per fill: neither side expired, same island, both sides' value predicates (SOLUTION_EXPIRED,
 *    SOLUTION_NO_PATH, SOLUTION_PREDICATE); running totals within quantities (SOLUTION_QUANTITY).
 * 3. Per intent: least fills, limits: a buyer pays at most its limit, a seller receives at least its limit.
 * 4. The lifeline (lifeline.ts, SOLUTION_LIFELINE), then budget balance: Σ buyer payments (rounded up) ≥
 *    Σ seller receipts (rounded down), lifeline parts at the regulated price; the difference is the
 *    congestion rent (plus rounding), for the treasury.
 * 5. Network: net injections (sells − buys per bus, as average MW over the interval) give DC flows within
 *    every branch rating plus FLOW_TOLERANCE_MW.
 * 6. Competitive prices, in every island whose intents are all plain (no predicates, no least fill, normal
 *    priority: the single-product market where one price per bus exists): no accepted intent out of the
 *    money and no rejected intent strictly in the money at its bus price (the bus price where the solution
 *    gives one, else its reference price). Where predicates or indivisible intents make several products,
 *    one price per bus need not exist, and the welfare competition between solvers takes its place.
 * 7. The optimality certificate, when given (certificate.ts): the KKT conditions of the welfare LP.
 */

export interface ValidSolution {
  ok: true;
  /** Σ buys limit × fill − Σ sells limit × fill, micro-units (market/money.ts). */
  welfareMicros: number;
  buyerPaymentsMicros: number;
  sellerReceiptsMicros: number;
  /** buyerPayments − sellerReceipts: congestion rent and rounding, for the treasury. */
  congestionRentMicros: number;
  /** True when a certificate was given and its KKT conditions hold. */
  provenOptimal: boolean;
  /** Energy filled per intent number, Wh. */
  filledWh: Float64Array;
  /** Price per intent number (micro-units per kWh), -1 where not filled. */
  price: Float64Array;
  /** Largest branch loading |flow| / rating over rated branches (0 without a network). */
  maxLoading: number;
}

export type ValidityResult = ValidSolution | InvalidSolution;

/** Checks a solution against a compiled book. Cost: O(fills + intents + buses) plus one sparse solve. */
export function validateSolution(compiled: CompiledBook, solution: Solution): ValidityResult {
  const { book, count: n, flags, quantityWh, minFillWh, limitPrice, island } = compiled;
  const net = book.network;
  if (solution.interval !== book.interval) {
    return invalidSolution(
      "SOLUTION_MALFORMED",
      `the solution is for interval ${solution.interval}, the book is for ${book.interval}`,
      { interval: solution.interval },
    );
  }

  // 2. Fills.
  const filled = new Float64Array(n);
  const checker = new PredicateChecker(compiled);
  let prevB = -1;
  let prevS = -1;
  const fills = solution.fills;
  for (let k = 0; k < fills.length; k++) {
    const f = fills[k];
    const b = f[0];
    const s = f[1];
    const e = f[2];
    if (b >= n || (flags[b] & PRESENT) === 0) return unknown(b, k);
    if (s >= n || (flags[s] & PRESENT) === 0) return unknown(s, k);
    if (b < prevB || (b === prevB && s <= prevS)) {
      return invalidSolution("SOLUTION_MALFORMED", `fill ${k} is out of order or repeated`, {
        fill: k,
        buyer: b,
        seller: s,
      });
    }
    prevB = b;
    prevS = s;
    const fb = flags[b];
    const fs = flags[s];
    if ((fb & BUY) === 0 || (fs & BUY) !== 0) {
      return invalidSolution(
        "SOLUTION_MALFORMED",
        `fill ${k} must name a buy intent then a sell intent (${b}, ${s})`,
        { fill: k, buyer: b, seller: s },
      );
    }
    if (((fb | fs) & EXPIRED) !== 0) {
      const which = (fb & EXPIRED) !== 0 ? b : s;
      return invalidSolution("SOLUTION_EXPIRED", `fill ${k} fills intent ${which}, which has expired`, {
        fill: k,
        intent: which,
      });
    }
    if (net !== undefined && (island[b] < 0 || island[b] !== island[s])) {
      return invalidSolution(
        "SOLUTION_NO_PATH",
        `fill ${k} joins intents ${b} and ${s} in different islands of the network`,
        { fill: k, buyer: b, seller: s },
      );
    }
    if (((fb | fs) & HAS_PREDICATES) !== 0) {
      const broken = checker.check(b, s);
      if (broken !== null) {
        return invalidSolution(
          "SOLUTION_PREDICATE",
          `fill ${k} breaks predicate ${JSON.stringify(broken.predicate)} of intent ${broken.intent} (counterparty ${broken.counterparty})`,
          { fill: k, intent: broken.intent, counterparty: broken.counterparty },
        );
      }
    }
    filled[b] += e;
    filled[s] += e;
    if (filled[b] > quantityWh[b]) return overQuantity(b, filled[b], quantityWh[b]);
    if (filled[s] > quantityWh[s]) return overQuantity(s, filled[s], quantityWh[s]);
  }

  // 1. Prices: exactly one per filled intent.
  const price = new Float64Array(n).fill(-1);
  let prev = -1;
  for (const [i, p] of solution.prices) {
    if (i <= prev) {
      return invalidSolution("SOLUTION_MALFORMED", `prices must be strictly ascending by intent (${i})`, {
        intent: i,
      });
    }
    prev = i;
    if (i >= n || (flags[i] & PRESENT) === 0) return unknown(i, -1);
    if (filled[i] === 0) {
      return invalidSolution("SOLUTION_MALFORMED", `intent ${i} has a price but no fill`, { intent: i });
    }
    price[i] = p;
  }

  // Lifeline parts (lifeline.ts checks where they may be and that they come first).
  const lifelineWh = new Float64Array(n);
  prev = -1;
  for (const [i, e] of solution.lifeline) {
    if (i <= prev || book.lifeline === undefined || i >= n || e > filled[i]) {
      const why =
        book.lifeline === undefined
          ? "this market has no lifeline"
          : i <= prev
            ? "lifeline parts must be strictly ascending by intent"
            : "a lifeline part must be part of the intent's fill";
      return invalidSolution("SOLUTION_MALFORMED", `lifeline part of intent ${i}: ${why}`, { intent: i });
    }
    prev = i;
    lifelineWh[i] = e;
  }
  const regulated = book.lifeline?.priceMicrosPerKWh ?? 0;

  // 3. Least fills and limits; 4. budget balance.
  let payments = 0;
  let receipts = 0;
  for (let i = 0; i < n; i++) {
    const x = filled[i];
    if (x === 0) continue;
    if (price[i] < 0) {
      return invalidSolution("SOLUTION_MALFORMED", `intent ${i} is filled but has no price`, { intent: i });
    }
    // A least fill binds the market part: the lifeline part counts towards it.
    const life = lifelineWh[i];
    const market = x - life;
    if (market > 0 && market < minFillWh[i] - life) {
      return invalidSolution(
        "SOLUTION_MIN_FILL",
        `intent ${i} is filled ${x} Wh, less than its least fill ${minFillWh[i]} Wh`,
        { intent: i, filledWh: x, minFillWh: minFillWh[i] },
      );
    }
    if ((flags[i] & BUY) !== 0) {
      if (price[i] > limitPrice[i]) {
        return invalidSolution(
          "SOLUTION_BUYER_LIMIT",
          `buyer ${i} pays ${price[i]} per kWh, above its limit ${limitPrice[i]}`,
          { intent: i, price: price[i], limitPrice: limitPrice[i] },
        );
      }
      payments += buyerPaysMicros(market, price[i]) + (life > 0 ? buyerPaysMicros(life, regulated) : 0);
    } else {
      if (price[i] < limitPrice[i]) {
        return invalidSolution(
          "SOLUTION_SELLER_LIMIT",
          `seller ${i} receives ${price[i]} per kWh, below its limit ${limitPrice[i]}`,
          { intent: i, price: price[i], limitPrice: limitPrice[i] },
        );
      }
      receipts +=
        sellerReceivesMicros(market, price[i]) + (life > 0 ? sellerReceivesMicros(life, regulated) : 0);
    }
  }
  // 5. Branch flows (reported after the lifeline and the budget, whose checks come first).
  let flowsMw: Float64Array | undefined;
  let maxLoading = 0;
  let overloaded = -1;
  let congested = false;
  if (net !== undefined) {
    const toMw = 60 / book.intervalMinutes / 1e6;
    const injection = new Float64Array(net.busCount);
    for (let i = 0; i < n; i++) {
      const x = filled[i];
      if (x === 0) continue;
      const b = compiled.busIndex[i];
      injection[b] += (flags[i] & BUY) !== 0 ? -x * toMw : x * toMw;
    }
    flowsMw = net.flowsMw(injection);
    for (let k = 0; k < net.branchCount; k++) {
      const rate = net.rateMw[k];
      if (rate <= 0 || net.branchOn[k] === 0) continue;
      const f = Math.abs(flowsMw[k]);
      if (f > rate + FLOW_TOLERANCE_MW && overloaded < 0) overloaded = k;
      if (f >= rate - FLOW_TOLERANCE_MW) congested = true;
      if (f / rate > maxLoading) maxLoading = f / rate;
    }
  }

  if (book.lifeline !== undefined) {
    const broken = checkLifeline(compiled, book.lifeline, filled, lifelineWh, checker, congested);
    if (broken !== null) return broken;
  }
  if (!Number.isSafeInteger(payments) || !Number.isSafeInteger(receipts)) {
    return invalidSolution(
      "SOLUTION_MALFORMED",
      "the solution's payments are beyond the exact integer range",
    );
  }
  if (payments < receipts) {
    return invalidSolution(
      "SOLUTION_BUDGET",
      `buyers pay ${payments} micro-units, less than the ${receipts} sellers receive`,
      { buyerPaymentsMicros: payments, sellerReceiptsMicros: receipts },
    );
  }
  if (net !== undefined && flowsMw !== undefined && overloaded >= 0) {
    const f = Math.abs(flowsMw[overloaded]);
    const rate = net.rateMw[overloaded];
    return invalidSolution(
      "SOLUTION_LINE_LIMIT",
      `branch ${overloaded} carries ${f.toFixed(3)} MW, above its rating ${rate} MW`,
      { branch: overloaded, flowMw: f, rateMw: rate },
    );
  }

  // 6. Competitive prices.
  const busPrice = busPriceTable(compiled, solution);
  if (busPrice !== null && !(busPrice instanceof Float64Array)) return busPrice;
  const plainIsland = plainIslands(compiled);
  for (let i = 0; i < n; i++) {
    const f = flags[i];
    if ((f & PRESENT) === 0 || (f & EXPIRED) !== 0) continue;
    const isl = Math.max(island[i], 0);
    if (plainIsland[isl] === 0) continue;
    const b = compiled.busIndex[i];
    const p = b >= 0 && busPrice !== null && busPrice[b] >= 0 ? busPrice[b] : solution.referencePrice;
    const limit = limitPrice[i];
    const accepted = filled[i] > 0;
    const buy = (f & BUY) !== 0;
    const bad = buy ? (accepted ? limit < p : limit > p) : accepted ? limit > p : limit < p;
    if (bad) {
      const why = accepted ? "accepted out of the money" : "rejected strictly in the money";
      return invalidSolution(
        "SOLUTION_NOT_COMPETITIVE",
        `${buy ? "buyer" : "seller"} ${i} (limit ${limit}) is ${why} at its bus price ${p}`,
        { intent: i, limitPrice: limit, busPrice: p },
      );
    }
  }

  // 7. Certificate.
  let provenOptimal = false;
  if (solution.certificate !== undefined) {
    const verdict = checkCertificate(compiled, solution.certificate, filled, flowsMw);
    if (verdict !== null) return verdict;
    provenOptimal = true;
  }

  let welfareMicros: number;
  try {
    welfareMicros = welfareOf(
      n,
      (i) => (flags[i] & BUY) !== 0,
      (i) => limitPrice[i],
      filled,
    );
  } catch (e) {
    if (!isPlurigridError(e, "UNIT_OVERFLOW")) throw e;
    return invalidSolution("SOLUTION_MALFORMED", "the solution's welfare is beyond the exact integer range");
  }
  return {
    ok: true,
    welfareMicros,
    buyerPaymentsMicros: payments,
    sellerReceiptsMicros: receipts,
    congestionRentMicros: payments - receipts,
    provenOptimal,
    filledWh: filled,
    price,
    maxLoading,
  };
}

function unknown(intent: number, fill: number): InvalidSolution {
  const where = fill >= 0 ? `fill ${fill} names` : "a price names";
  return invalidSolution("SOLUTION_UNKNOWN_INTENT", `${where} intent ${intent}, which is not in the book`, {
    intent,
  });
}

function overQuantity(intent: number, filledWh: number, quantityWh: number): InvalidSolution {
  return invalidSolution(
    "SOLUTION_QUANTITY",
    `intent ${intent} is filled ${filledWh} Wh, more than its quantity ${quantityWh} Wh`,
    { intent, filledWh, quantityWh },
  );
}

/** Price per bus index (-1: none given), null without bus prices; or the form error. */
function busPriceTable(compiled: CompiledBook, solution: Solution): Float64Array | null | InvalidSolution {
  const net = compiled.book.network;
  if (solution.busPrices.length === 0) return null;
  if (net === undefined) {
    return invalidSolution("SOLUTION_MALFORMED", "bus prices are given, but the market has no network");
  }
  const table = new Float64Array(net.busCount).fill(-1);
  let prev = -1;
  for (const [bus, p] of solution.busPrices) {
    if (bus <= prev) {
      return invalidSolution("SOLUTION_MALFORMED", `bus prices must be strictly ascending by bus (${bus})`, {
        bus,
      });
    }
    prev = bus;
    const b = net.busIndex(bus);
    if (b < 0) {
      return invalidSolution("SOLUTION_MALFORMED", `bus price for bus ${bus}, which is not in the network`, {
        bus,
      });
    }
    table[b] = p;
  }
  return table;
}

/** 1 for each island whose present, unexpired intents are all plain (index 0 also for unlocated intents). */
export function plainIslands(compiled: CompiledBook): Uint8Array {
  const islands = Math.max(1, compiled.book.network?.islandCount ?? 1);
  const plain = new Uint8Array(islands).fill(1);
  const { flags, island } = compiled;
  for (let i = 0; i < compiled.count; i++) {
    const f = flags[i];
    if ((f & PRESENT) === 0 || (f & EXPIRED) !== 0) continue;
    if ((f & PLAIN) === 0) plain[Math.max(island[i], 0)] = 0;
  }
  return plain;
}
