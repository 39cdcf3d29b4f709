/**
 * Day-ahead bidding and daily meter uploads (scenario `market.intents: day-ahead`, `meters.upload: daily`):
 * what a home energy manager and a smart meter do in practice, and what lets a year of a thousand households
 * run through the protocol. Before a day's first gate closure each agent plans the day on its forecast and
 * signs one SubmitIntentSeries per kind of intent (buy, sell, …) for the rest of that UTC day, the upstream
 * grid likewise; each meter uploads its day of readings as SubmitMeterReadings after the day ends; the day's
 * intervals are settled together once the readings are in.
 *
 * Only what the plan cannot know is decided per interval: an agent whose island, as the protocol knows it at
 * gate closure, has become its grid former, or is cut off without one, cancels that interval's entries
 * (CancelIntent `{interval, series}`), and a grid former bids per interval as it does in per-interval mode.
 */
import type { KeyPair } from "../core/keys.js";
import type { Order, Priority } from "../market/types.js";
import type { TxResult } from "../protocol/seam.js";
import type { Scenario } from "./scenario.js";
import { type AgentStep, batteryRoom, limitsOf, planStep } from "./strategies.js";
import type { Agent } from "./world.js";

/** One series of one agent (or the upstream grid) for the rest of a day. */
export interface DaySeries {
  /** The agent, or null for the upstream grid. */
  agent: Agent | null;
  key: KeyPair;
  der: string;
  /** External bus number of the DER. */
  bus: number;
  side: "buy" | "sell";
  priority: Priority;
  /** First step of the series (the day's first step in the run). */
  firstStep: number;
  quantitiesWh: number[];
  limitPrices: number[];
  /** Index of its transaction in the block that placed it. */
  handle: number;
  /** Slot the protocol gave it (null: refused, or not placed yet). */
  slot: number | null;
  /** Steps whose entry was cancelled. */
  cancelled: Set<number>;
  /** Its entries' participant and order id (made once: every interval of the day asks for them). */
  participant: string;
  orderId: string;
}

/** A series before it is placed. */
export type SeriesToPlace = Omit<DaySeries, "handle" | "slot" | "cancelled" | "participant" | "orderId">;

/**
 * The series once placed, every field set in one order (each interval reads every series of the day: one
 * shape keeps those reads fast).
 */
export function placedSeries(x: SeriesToPlace, handle: number): DaySeries {
  const participant = x.agent?.id ?? "upstream";
  return {
    agent: x.agent,
    key: x.key,
    der: x.der,
    bus: x.bus,
    side: x.side,
    priority: x.priority,
    firstStep: x.firstStep,
    quantitiesWh: x.quantitiesWh,
    limitPrices: x.limitPrices,
    handle,
    slot: null,
    cancelled: new Set(),
    participant,
    orderId: `${participant}/${x.side}`,
  };
}

/** The series placed for one day, and each agent's plan for it. */
export interface DayPlan {
  firstStep: number;
  /** Exclusive. */
  endStep: number;
  series: DaySeries[];
  /** The plan of each agent for the day's steps (index: agent). */
  steps: AgentStep[][];
}

/**
 * The agent's plan for steps [k0, k1) on its forecast: planStep for each step in turn, its battery's state of
 * charge carried forward along the plan and restored afterwards (the real state changes only at delivery).
 */
export function planDay(a: Agent, k0: number, k1: number, ctx: Parameters<typeof planStep>[2]): AgentStep[] {
  const b = a.battery;
  const soc = b?.socWh ?? 0;
  const out: AgentStep[] = [];
  for (let k = k0; k < k1; k++) {
    const st = planStep(a, k, ctx);
    out.push(st);
    if (b) {
      const e = st.dischargeWh - st.chargeWh;
      b.socWh = e >= 0 ? b.socWh - e / b.efficiency : b.socWh - e * b.efficiency;
      b.socWh = Math.min(b.energyWh, Math.max(0, b.socWh));
    }
  }
  if (b) b.socWh = soc;
  return out;
}

/**
 * The agent's orders over the day, one series per order part (buy, sell, and a double seller's second sell),
 * as `ordersOf` would place them interval by interval with the island connected: the forecast position
 * rounded to Wh, bought or sold at the strategy's limits (a test holds the two to the same orders).
 */
export function seriesOfAgent(
  a: Agent,
  plan: AgentStep[],
  k0: number,
  scenario: Scenario,
  doubleSelling: boolean,
): SeriesToPlace[] {
  const n = plan.length;
  const buy = new Array<number>(n).fill(0);
  const sell = new Array<number>(n).fill(0);
  let buys = false;
  let sells = false;
  for (let j = 0; j < n; j++) {
    const q = Math.round(plan[j].positionWh);
    if (q < 0) {
      buy[j] = -q;
      buys = true;
    } else if (q > 0) {
      sell[j] = q;
      sells = true;
    }
  }
  const limits = limitsOf(a, scenario);
  const series = (side: "buy" | "sell", quantitiesWh: number[], limit: number) => ({
    agent: a,
    key: a.key,
    der: a.id,
    bus: a.busId,
    side,
    priority: "normal" as const,
    firstStep: k0,
    quantitiesWh,
    limitPrices: quantitiesWh.map((q) => (q > 0 ? limit : 0)),
  });
  const out: SeriesToPlace[] = [];
  if (buys) out.push(series("buy", buy, limits.buy));
  if (sells) out.push(series("sell", sell, limits.sell));
  if (sells && doubleSelling) out.push(series("sell", sell.slice(), limits.sell));
  return out;
}

/** Reads each series' slot from the block that placed it. */
export function resolveSlots(day: DayPlan, results: readonly { result: TxResult }[]): void {
  for (const s of day.series) {
    const r = results[s.handle].result;
    s.slot = r.ok ? Number(r.events[0]?.attributes.series) : null;
  }
}

/** The series' order for step k (null when it places none there or it was cancelled; refused ones count). */
export function entryAt(s: DaySeries, k: number): Order | null {
  const i = k - s.firstStep;
  if (i < 0 || i >= s.quantitiesWh.length || s.quantitiesWh[i] === 0) return null;
  if (s.cancelled.size > 0 && s.cancelled.has(k)) return null;
  return {
    id: s.orderId,
    participant: s.participant,
    bus: s.bus,
    side: s.side,
    quantityWh: s.quantitiesWh[i],
    limitPrice: s.limitPrices[i],
    minFillWh: 0,
    priority: s.priority,
  };
}

/** The plan's step for delivery: its charge and discharge within what the battery can do now. */
export function deliverableStep(a: Agent, st: AgentStep, stepHours: number): AgentStep {
  if (!a.battery) return st;
  const room = batteryRoom(a, stepHours);
  const chargeWh = Math.round(Math.min(st.chargeWh, room.charge));
  const dischargeWh = Math.round(Math.min(st.dischargeWh, room.discharge));
  return {
    chargeWh,
    dischargeWh,
    positionWh: st.positionWh - (st.dischargeWh - dischargeWh) + (st.chargeWh - chargeWh),
    loadFcWh: st.loadFcWh,
  };
}

/** Consecutive runs of the steps that have a reading: each becomes one SubmitMeterReadings. */
export function readingRuns(
  steps: readonly { step: number; energyWh: number }[],
): { firstStep: number; energyWh: number[] }[] {
  const out: { firstStep: number; energyWh: number[] }[] = [];
  for (const r of steps) {
    const last = out[out.length - 1];
    if (last !== undefined && last.firstStep + last.energyWh.length === r.step)
      last.energyWh.push(r.energyWh);
    else out.push({ firstStep: r.step, energyWh: [r.energyWh] });
  }
  return out;
}
