import { BUY, type CompiledBook, EXPIRED, PLAIN, PRESENT } from "./book.js";
import { type InvalidSolution, invalidSolution } from "./codes.js";
import { FLOW_TOLERANCE_MW } from "./network.js";
import type { Certificate } from "./schema.js";

/**
 * Optimality certificates: the dual prices of the welfare LP
 *
 *   max Σ_b L_b·x_b − Σ_s L_s·x_s   s.t.   Σ_{i in island} inj_i = 0   (λ, one per island)
 *                                           −rate_l ≤ (PTDF·inj)_l ≤ rate_l   (μ_l, + at the upper limit)
 *                                           0 ≤ x ≤ q,   inj_i = Σ sells at i − Σ buys at i
 *
 * A primal feasible point (the fills, already checked) and dual prices that are feasible and complementary
 * prove the point optimal (LP duality). The bus price implied by the certificate is
 *   π_i = λ_r − Σ_l μ_l·(PTDF_{l,i} − PTDF_{l,r})
 * for the island's reference bus r (the bus its energy price is given at), and the conditions are:
 * - a branch with μ_l > 0 is at its upper limit, μ_l < 0 at its lower limit (within FLOW_TOLERANCE_MW), and
 *   only rated, in-service branches carry a μ;
 * - a buyer filled completely has L ≥ π, one not filled L ≤ π, one filled in part L = π; a seller the mirror
 *   image; all within PRICE_TOLERANCE.
 * Cost: one transposed sparse solve for Σ μ·PTDF (network.ts) and one pass over the intents.
 *
 * The LP above is the market without value predicates, least fills or priorities; a certificate for a book
 * that has any is refused (SOLUTION_BAD_CERTIFICATE), as it would prove nothing about the real problem.
 */

/**
 * Prices are integers, so a dual within half a micro-unit per kWh of a limit counts as equal to it; the
 * relative part absorbs the rounding of duals computed in floating point (|π| up to 1e12).
 */
export const PRICE_TOLERANCE = 0.5;
const RELATIVE_TOLERANCE = 1e-9;

function bad(message: string, details: Record<string, number | string> = {}): InvalidSolution {
  return invalidSolution("SOLUTION_BAD_CERTIFICATE", message, details);
}

/** null when the certificate proves the fills optimal; otherwise why not. */
export function checkCertificate(
  compiled: CompiledBook,
  certificate: Certificate,
  filledWh: Float64Array,
  flowsMw: Float64Array | undefined,
): InvalidSolution | null {
  const { flags, island, busIndex, quantityWh, limitPrice, count: n } = compiled;
  const net = compiled.book.network;
  for (let i = 0; i < n; i++) {
    const f = flags[i];
    if ((f & PRESENT) !== 0 && (f & EXPIRED) === 0 && (f & PLAIN) === 0) {
      return bad(
        `intent ${i} has value predicates, a least fill or a priority: a certificate of the plain welfare LP proves nothing here`,
        { intent: i },
      );
    }
  }

  // Energy prices: one per island, at a reference bus of that island.
  const islands = net === undefined ? 1 : net.islandCount;
  const lambda = new Float64Array(islands).fill(Number.NaN);
  const refBus = new Int32Array(islands).fill(-1);
  for (const [bus, price] of certificate.energyPrices) {
    let isl = 0;
    if (net !== undefined) {
      const b = net.busIndex(bus);
      if (b < 0) return bad(`energy price at bus ${bus}, which is not in the network`, { bus });
      isl = net.islandOfBus[b];
      refBus[isl] = b;
    }
    if (!Number.isNaN(lambda[isl])) {
      return bad(`two energy prices for the island of bus ${bus}`, { bus });
    }
    lambda[isl] = price;
  }

  // Branch shadow prices: complementary slackness with the flows.
  const entries = certificate.branchShadowPrices;
  let prev = -1;
  for (const [k, mu] of entries) {
    if (k <= prev)
      return bad(`branch shadow prices must be strictly ascending by branch (${k})`, { branch: k });
    prev = k;
    if (net === undefined || flowsMw === undefined || k >= net.branchCount) {
      return bad(`shadow price for branch ${k}, which is not in the network`, { branch: k });
    }
    const rate = net.rateMw[k];
    if (net.branchOn[k] === 0 || rate <= 0) {
      return bad(`shadow price for branch ${k}, which is out of service or has no rating`, { branch: k });
    }
    if (mu === 0) return bad(`branch ${k} is listed with a zero shadow price`, { branch: k });
    const f = flowsMw[k];
    const atLimit = mu > 0 ? f >= rate - FLOW_TOLERANCE_MW : f <= -rate + FLOW_TOLERANCE_MW;
    if (!atLimit) {
      return bad(`branch ${k} has shadow price ${mu} but carries ${f} MW of its ${rate} MW rating`, {
        branch: k,
        shadowPrice: mu,
        flowMw: f,
      });
    }
  }
  const shift = net !== undefined && entries.length > 0 ? net.ptdfTransposeTimes(entries) : undefined;

  // Stationarity and complementary slackness of every intent at its bus price.
  for (let i = 0; i < n; i++) {
    const f = flags[i];
    if ((f & PRESENT) === 0 || (f & EXPIRED) !== 0) continue;
    const isl = Math.max(island[i], 0);
    const l = lambda[isl];
    if (Number.isNaN(l)) return bad(`no energy price for the island of intent ${i}`, { intent: i });
    let pi = l;
    if (shift !== undefined && busIndex[i] >= 0) pi = l - shift[busIndex[i]] + shift[refBus[isl]];
    const tol = PRICE_TOLERANCE + RELATIVE_TOLERANCE * Math.abs(pi);
    const x = filledWh[i];
    const limit = limitPrice[i];
    const full = x === quantityWh[i];
    const none = x === 0;
    // Reduced profit of one more Wh: for a buyer L − π, for a seller π − L.
    const gain = (f & BUY) !== 0 ? limit - pi : pi - limit;
    const ok = full ? gain >= -tol : none ? gain <= tol : Math.abs(gain) <= tol;
    if (!ok) {
      return bad(
        `intent ${i} (limit ${limit}, filled ${x} of ${quantityWh[i]} Wh) breaks the KKT conditions at its certified price ${pi}`,
        { intent: i, certifiedPrice: pi },
      );
    }
  }
  return null;
}
