/**
 * What an agent does before gate closure: decide its battery's charge or discharge for the interval and turn
 * its forecast net position into limit orders, by its strategy.
 *
 * - truthful: buys at its value (the critical share at the value of lost load), sells at its marginal cost;
 *   a battery follows self-consumption (charge from forecast surplus, discharge into forecast deficit).
 * - markup: as truthful, with the limit moved by a fixed markup in the agent's favour.
 * - optimal: plans the battery over a horizon with the LP (schedule.ts) on its forecast of load, PV and
 *   prices (yesterday's price at the same time, the tariffs before that), then trades as a price taker.
 */
import type { LpSolver } from "../grid/lp/types.js";
import type { Order } from "../market/types.js";
import type { Scenario } from "./scenario.js";
import { scheduleBattery } from "./schedule.js";
import type { Agent } from "./world.js";

export interface BatteryPlan {
  startStep: number;
  chargeWh: Float64Array;
  dischargeWh: Float64Array;
}

export interface AgentStep {
  chargeWh: number;
  dischargeWh: number;
  /** Forecast net export, Wh (negative: import). */
  positionWh: number;
  loadFcWh: number;
}

/** Charge and discharge the battery can do this interval from its state of charge, Wh. */
export function batteryRoom(a: Agent, stepHours: number): { charge: number; discharge: number } {
  const b = a.battery!;
  const stepWh = b.ratingW * stepHours;
  return {
    charge: Math.max(0, Math.min(stepWh, (b.energyWh - b.socWh) / b.efficiency)),
    discharge: Math.max(0, Math.min(stepWh, (b.socWh - b.minWh) * b.efficiency)),
  };
}

export function planStep(
  a: Agent,
  k: number,
  ctx: {
    scenario: Scenario;
    steps: number;
    stepHours: number;
    solver: LpSolver | undefined;
    plans: Map<number, BatteryPlan>;
    priceForecast: (a: Agent, step: number) => number;
  },
): AgentStep {
  const load = a.loadFcWh[k];
  const pv = a.pvFcWh ? a.pvFcWh[k] : 0;
  let chargeWh = 0;
  let dischargeWh = 0;
  if (a.battery) {
    const room = batteryRoom(a, ctx.stepHours);
    if (a.strategy.kind === "optimal") {
      let plan = ctx.plans.get(a.index);
      const every = a.strategy.replanEveryIntervals;
      if (plan === undefined || k - plan.startStep >= every || k - plan.startStep >= plan.chargeWh.length) {
        const h = Math.min(ctx.steps - k, Math.max(1, Math.round(a.strategy.horizonHours / ctx.stepHours)));
        const net = new Float64Array(h);
        const price = new Float64Array(h);
        for (let j = 0; j < h; j++) {
          net[j] = a.loadFcWh[k + j] - (a.pvFcWh ? a.pvFcWh[k + j] : 0);
          price[j] = ctx.priceForecast(a, k + j);
        }
        const sell = price.map((p) => Math.max(0, p - 1));
        const b = a.battery;
        const s = scheduleBattery({
          netWh: net,
          buyMicrosPerKWh: price,
          sellMicrosPerKWh: sell,
          ratingW: b.ratingW,
          capacityWh: b.energyWh,
          minWh: b.minWh,
          efficiency: b.efficiency,
          socWh: b.socWh,
          endWh: Math.min(b.socWh, b.initialWh),
          stepHours: ctx.stepHours,
        });
        plan = { startStep: k, chargeWh: s.chargeWh, dischargeWh: s.dischargeWh };
        ctx.plans.set(a.index, plan);
      }
      chargeWh = plan.chargeWh[k - plan.startStep];
      dischargeWh = plan.dischargeWh[k - plan.startStep];
      const both = Math.min(chargeWh, dischargeWh);
      chargeWh -= both;
      dischargeWh -= both;
    } else {
      const net = load - pv;
      if (net < 0) chargeWh = -net;
      else dischargeWh = net;
    }
    chargeWh = Math.round(Math.min(chargeWh, room.charge));
    dischargeWh = Math.round(Math.min(dischargeWh, room.discharge));
  }
  return { chargeWh, dischargeWh, positionWh: pv + dischargeWh - chargeWh - load, loadFcWh: load };
}

/**
 * The limits an agent bids at (its normal buys, its sells), by its strategy: truthful at its value and its
 * marginal cost, markup moved in its favour, optimal as a price taker at the upstream tariffs.
 */
export function limitsOf(a: Agent, scenario: Scenario): { buy: number; sell: number } {
  const up = scenario.market.upstream;
  if (a.strategy.kind === "optimal") return { buy: up.sellMicrosPerKWh, sell: up.buyMicrosPerKWh };
  const markup = a.strategy.kind === "markup" ? a.strategy.markupMicrosPerKWh : 0;
  return { buy: Math.max(0, a.valueMicrosPerKWh - markup), sell: a.pvCostMicrosPerKWh + markup };
}

/** The limit orders of one agent for one interval (ids `<agent>/<part>`); quantities in whole Wh. */
/**
 * `cutOff`: the agent's island is cut off from the upstream grid (as the protocol knows it). Only then does an
 * agent split off its critical load as a priority intent at the value of lost load: connected, every bid at
 * the value clears against the upstream grid anyway, and one intent is cheaper for everyone than two.
 */
export function ordersOf(
  a: Agent,
  step: AgentStep,
  scenario: Scenario,
  doubleSelling: boolean,
  cutOff: boolean,
): Order[] {
  const m = scenario.market;
  const out: Order[] = [];
  const base = { participant: a.id, bus: a.busId, minFillWh: 0 };
  const limits = limitsOf(a, scenario);
  const q = Math.round(step.positionWh);
  if (q < 0) {
    const demand = -q;
    const critical = cutOff ? Math.min(demand, Math.round(a.criticalShare * step.loadFcWh)) : 0;
    const normal = demand - critical;
    if (critical > 0) {
      out.push({
        ...base,
        id: `${a.id}/critical`,
        side: "buy",
        quantityWh: critical,
        limitPrice: m.valueOfLostLoadMicrosPerKWh,
        priority: "critical",
      });
    }
    if (normal > 0) {
      const limit = limits.buy;
      out.push({
        ...base,
        id: `${a.id}/buy`,
        side: "buy",
        quantityWh: normal,
        limitPrice: limit,
        priority: "normal",
      });
    }
  } else if (q > 0) {
    const limit = limits.sell;
    const kind = a.pvWh ? "pv" : "battery";
    out.push({ ...base, id: `${a.id}/sell`, side: "sell", quantityWh: q, limitPrice: limit, kind });
    if (doubleSelling)
      out.push({ ...base, id: `${a.id}/sell-again`, side: "sell", quantityWh: q, limitPrice: limit, kind });
  }
  return out;
}
