import { assert } from "../../core/errors.js";
import { buyerPaysMicros, sellerReceivesMicros } from "../../market/money.js";
import type { Side } from "../../market/types.js";
import type { SettledDer } from "./types.js";

/**
 * Settlement of one interval, as a pure function of the open intents, the winning solution's fills and
 * prices, the meter readings and the balances. It returns balance changes whose sum is exactly zero
 * (treasury and escrow included): money only moves.
 *
 * 1. Market: a buyer pays ⌈fill × price / 1000⌉ out of its escrow (⌈quantity × limit / 1000⌉, never less,
 *    since price ≤ limit and fill ≤ quantity) and gets the rest back; a lifeline part is paid (and received)
 *    at the regulated price instead, which is at most the buyer's limit; a seller receives
 *    ⌊fill × price / 1000⌋; what buyers pay beyond what sellers receive (congestion rent and rounding) goes
 *    to the treasury. Without a winning solution every escrow is refunded.
 * 2. Imbalance, per DER with a filled intent: scheduled net export S = Σ sold − Σ bought (Wh), measured M =
 *    its meter reading (export > 0), or 0 when there is none (no delivery, flagged "missing_reading").
 *    A deviation D = M − S < 0 pays ⌈|D| × imbalance price / 1000⌉ to the treasury, D > 0 earns
 *    ⌊D × imbalance price / 1000⌋ from it (rounding favours the treasury, like market payments).
 *    Charges are collected first, in DER id order, each at most what the participant then holds; credits are
 *    paid next, in DER id order, each at most what the treasury then holds. What cannot be paid is recorded
 *    (unpaidMicros, flag "unpaid"), never created.
 */

export interface SettlementIntent {
  seq: number;
  participant: string;
  side: Side;
  der: string | null;
  escrowMicros: number;
  filledWh: number;
  /** Price of the fill beyond its lifeline part (null when not filled). */
  price: number | null;
  /** Part of the fill served under the lifeline, at the regulated price. */
  lifelineWh: number;
}

export interface SettlementInput {
  /** The open intents of the interval, ascending by seq. */
  intents: readonly SettlementIntent[];
  /** Meter readings of the interval by DER id (absent: none arrived). */
  readings: ReadonlyMap<string, number>;
  imbalancePriceMicrosPerKWh: number;
  regulatedPriceMicrosPerKWh: number;
  balanceOf(account: string): number;
  treasury: string;
  escrow: string;
}

export interface SettlementOutcome {
  /** Balance changes, ascending by account, zeros left out; they sum to exactly 0. */
  deltas: [string, number][];
  buyerPaymentsMicros: number;
  sellerReceiptsMicros: number;
  congestionRentMicros: number;
  refundsMicros: number;
  imbalanceChargesMicros: number;
  imbalanceCreditsMicros: number;
  unpaidMicros: number;
  ders: SettledDer[];
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** |deviation| × price / 1000, rounded up (charge) or down (credit), at most 2^53 − 1. */
function imbalanceAmount(deviationWh: number, price: number, up: boolean): number {
  const exact = Math.abs(deviationWh) * price;
  if (exact <= Number.MAX_SAFE_INTEGER) {
    // Integers below 2^53: the product, its remainder and the quotient of their difference are exact.
    const rest = exact % 1000;
    return (exact - rest) / 1000 + (up && rest !== 0 ? 1 : 0);
  }
  const n = BigInt(Math.abs(deviationWh)) * BigInt(price);
  let q = n / 1000n;
  if (up && n % 1000n !== 0n) q += 1n;
  return Number(q > SAFE ? SAFE : q);
}

/** Money of an intent's fill: its lifeline part at the regulated price, the rest at its price. */
function part(it: SettlementIntent, regulated: number, money: (wh: number, price: number) => number): number {
  const market = it.filledWh - it.lifelineWh;
  return (
    (it.lifelineWh > 0 ? money(it.lifelineWh, regulated) : 0) +
    (market > 0 ? money(market, it.price as number) : 0)
  );
}

export function settle(input: SettlementInput): SettlementOutcome {
  const delta = new Map<string, number>();
  const move = (account: string, amount: number) => {
    if (amount !== 0) delta.set(account, (delta.get(account) ?? 0) + amount);
  };
  const available = (account: string) => input.balanceOf(account) + (delta.get(account) ?? 0);

  let payments = 0;
  let receipts = 0;
  let refunds = 0;
  let escrowTotal = 0;
  for (const it of input.intents) {
    if (it.side === "buy") {
      escrowTotal += it.escrowMicros;
      const pay = part(it, input.regulatedPriceMicrosPerKWh, buyerPaysMicros);
      assert(pay <= it.escrowMicros, `buyer ${it.seq} pays no more than its escrow`);
      payments += pay;
      refunds += it.escrowMicros - pay;
      move(it.participant, it.escrowMicros - pay);
    } else if (it.filledWh > 0) {
      const got = part(it, input.regulatedPriceMicrosPerKWh, sellerReceivesMicros);
      receipts += got;
      move(it.participant, got);
    }
  }
  assert(payments >= receipts, "the winning solution was budget balanced when it was checked");
  move(input.escrow, -escrowTotal);
  move(input.treasury, payments - receipts);

  // Schedules of DERs with a filled intent; the owner is the participant of the first such intent.
  const schedule = new Map<string, { participant: string; scheduledWh: number }>();
  for (const it of input.intents) {
    if (it.der === null || it.filledWh === 0) continue;
    const s = schedule.get(it.der) ?? { participant: it.participant, scheduledWh: 0 };
    s.scheduledWh += it.side === "sell" ? it.filledWh : -it.filledWh;
    schedule.set(it.der, s);
  }
  const ders: SettledDer[] = [];
  for (const der of [...schedule.keys()].sort()) {
    const s = schedule.get(der) as { participant: string; scheduledWh: number };
    const reading = input.readings.get(der);
    const measuredWh = reading ?? null;
    ders.push({
      der,
      participant: s.participant,
      scheduledWh: s.scheduledWh,
      measuredWh,
      deviationWh: (reading ?? 0) - s.scheduledWh,
      imbalanceMicros: 0,
      flags: reading === undefined ? ["missing_reading"] : [],
    });
  }
  const p = input.imbalancePriceMicrosPerKWh;
  let charges = 0;
  let credits = 0;
  let unpaid = 0;
  for (const d of ders) {
    if (d.deviationWh >= 0) continue;
    const due = imbalanceAmount(d.deviationWh, p, true);
    const paid = Math.min(due, Math.max(0, available(d.participant)));
    move(d.participant, -paid);
    move(input.treasury, paid);
    charges += paid;
    d.imbalanceMicros = -paid;
    if (paid < due) {
      unpaid += due - paid;
      d.flags.push("unpaid");
    }
  }
  for (const d of ders) {
    if (d.deviationWh <= 0) continue;
    const due = imbalanceAmount(d.deviationWh, p, false);
    const paid = Math.min(due, Math.max(0, available(input.treasury)));
    move(input.treasury, -paid);
    move(d.participant, paid);
    credits += paid;
    d.imbalanceMicros = paid;
    if (paid < due) {
      unpaid += due - paid;
      d.flags.push("unpaid");
    }
  }

  const deltas = [...delta.entries()]
    .filter(([, v]) => v !== 0)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let sum = 0;
  for (const [, v] of deltas) sum += v;
  assert(sum === 0, "a settlement moves money, it never creates or destroys it");
  return {
    deltas,
    buyerPaymentsMicros: payments,
    sellerReceiptsMicros: receipts,
    congestionRentMicros: payments - receipts,
    refundsMicros: refunds,
    imbalanceChargesMicros: charges,
    imbalanceCreditsMicros: credits,
    unpaidMicros: unpaid,
    ders,
  };
}
