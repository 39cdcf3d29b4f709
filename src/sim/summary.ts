/**
 * The summary of a run (summary.json) and the capital efficiency of every battery owner: realized profit over
 * the perfect-foresight optimum, both measured against owning nothing (buying the whole load at the prices
 * that cleared). The optimum is the same problem as the optimal strategy's (schedule.ts: the LP, solved exactly
 * by its dynamic program), solved once after the run on the actual load, PV and prices of the whole run, from
 * the same initial state of charge and back to it.
 */
import { gini, maxOf, minOf, round } from "./metrics.js";
import type { RunResult } from "./run.js";
import { scheduleBattery } from "./schedule.js";

export interface CapitalEfficiency {
  id: string;
  strategy: string;
  realizedProfitMicros: number;
  optimalProfitMicros: number;
  /** realized / optimal (null when the optimum is not positive). */
  efficiency: number | null;
}

export function capitalEfficiency(r: RunResult): CapitalEfficiency[] {
  const { world } = r;
  const stepHours = world.intervalMinutes / 60;
  const up = world.scenario.market.upstream;
  const out: CapitalEfficiency[] = [];
  for (const a of world.agents) {
    if (!a.battery) continue;
    const n = world.steps;
    const net = new Float64Array(n);
    const price = new Float64Array(n);
    let baseline = 0;
    let delivered = 0;
    for (let k = 0; k < n; k++) {
      // The same physical world as the run: the load that was served, the PV that was delivered.
      net[k] = r.servedWh[a.index][k] - r.pvOutWh[a.index][k];
      const p = r.realizedPrice[a.index][k];
      price[k] = Number.isNaN(p) ? (net[k] > 0 ? up.sellMicrosPerKWh : up.buyMicrosPerKWh) : p;
      baseline += (r.servedWh[a.index][k] * price[k]) / 1000;
      delivered += (r.deliveredWh[a.index][k] * price[k]) / 1000;
    }
    const s = scheduleBattery({
      netWh: net,
      buyMicrosPerKWh: price,
      sellMicrosPerKWh: price.map((p) => Math.max(0, p - 1)),
      ratingW: a.battery.ratingW,
      capacityWh: a.battery.energyWh,
      minWh: a.battery.minWh,
      efficiency: a.battery.efficiency,
      socWh: a.battery.initialWh,
      endWh: a.battery.initialWh,
      stepHours,
    });
    // The battery's energy left above (or below) where it started is worth what it would sell for.
    const soc = (a.battery.socWh - a.battery.initialWh) * a.battery.efficiency;
    const endValue = (soc * up.buyMicrosPerKWh) / 1000;
    // Physical flows at the cleared prices: the schedule's worth, without the imbalance charges that
    // forecast errors of the load would cost without a battery too.
    const realized = baseline + delivered + endValue;
    const optimal = s.ok ? baseline - s.costMicros : 0;
    out.push({
      id: a.id,
      strategy: a.strategy.kind,
      realizedProfitMicros: Math.round(realized),
      optimalProfitMicros: Math.round(optimal),
      // below one micro the optimum is the LP's rounding noise around zero: no ratio to state
      efficiency: Math.round(optimal) > 0 ? round(realized / optimal, 4) : null,
    });
  }
  return out;
}

export function buildSummary(r: RunResult, efficiency: CapitalEfficiency[]): Record<string, unknown> {
  const { world, metrics } = r;
  const s = world.scenario;
  const iv = metrics.intervals;
  const sum = (f: (x: (typeof iv)[number]) => number) => iv.reduce((t, x) => t + f(x), 0);
  const priced = iv.filter((x) => x.price !== null);
  const volume = sum((x) => x.volumeWh);
  const weighted = iv.reduce((t, x) => t + (x.price ?? 0) * (x.volumeWh - 0), 0);
  const served = sum((x) => x.loadServedWh);
  const upstreamImport = sum((x) => Math.max(0, x.upstreamWh));
  const upstreamExport = sum((x) => Math.max(0, -x.upstreamWh));
  const renewable = sum((x) => Math.min(x.pvWh, x.loadServedWh + x.lossesWh));
  const critical = sum((x) => x.criticalWh);
  const households = metrics.participants.filter((p) => p.household);
  let initialTotal = 0;
  let finalTotal = 0;
  for (const v of r.balances.initial.values()) initialTotal += v;
  for (const v of r.balances.final.values()) finalTotal += v;
  const rejections = Object.fromEntries(
    [...metrics.rejections.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
  );
  const rejectionsBy = Object.fromEntries(
    [...metrics.rejectionsBy.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
  );
  return {
    scenario: {
      name: s.name,
      seed: s.seed,
      start: s.start,
      durationHours: s.durationHours,
      intervalMinutes: s.intervalMinutes,
      intervals: world.steps,
      network: s.network.case,
      participants: world.agents.length,
      households: households.length,
    },
    totals: {
      energyTradedWh: Math.round(volume),
      localTradedWh: Math.round(sum((x) => x.localVolumeWh)),
      upstreamImportWh: Math.round(upstreamImport),
      upstreamExportWh: Math.round(upstreamExport),
      meanPriceMicrosPerKWh: volume > 0 ? Math.round(weighted / volume) : null,
      minPriceMicrosPerKWh: priced.length ? minOf(priced.map((x) => x.price as number)) : null,
      maxPriceMicrosPerKWh: priced.length ? maxOf(priced.map((x) => x.price as number)) : null,
      welfareMicros: Math.round(sum((x) => x.welfareMicros)),
      loadWh: Math.round(sum((x) => x.loadWh)),
      loadServedWh: Math.round(served),
      unservedWh: Math.round(sum((x) => x.unservedWh)),
      criticalWh: Math.round(critical),
      criticalServedWh: Math.round(sum((x) => x.criticalServedWh)),
      criticalServedShare: critical > 0 ? round(sum((x) => x.criticalServedWh) / critical, 6) : 1,
      pvWh: Math.round(sum((x) => x.pvWh)),
      curtailedWh: Math.round(sum((x) => x.curtailedWh)),
      voltWattCurtailedWh: Math.round(sum((x) => x.voltWattWh)),
      tripCurtailedWh: Math.round(sum((x) => x.tripWh)),
      inverterTrips: sum((x) => x.inverterTrips),
      inverterReactiveVarh: Math.round(sum((x) => x.reactiveVarh)),
      localShare: served > 0 ? round(Math.max(0, 1 - upstreamImport / served), 6) : 0,
      renewableShare: served > 0 ? round(renewable / served, 6) : 0,
      lossesWh: Math.round(sum((x) => x.lossesWh)),
      maxLoading: round(
        maxOf(
          iv.map((x) => x.maxLoading),
          0,
        ),
        6,
      ),
      vmMinPu: round(minOf(iv.map((x) => (x.vmMinPu > 0 ? x.vmMinPu : 9))), 6),
      vmMaxPu: round(maxOf(iv.map((x) => x.vmMaxPu)), 6),
      voltageViolationBusIntervals: sum((x) => x.voltageViolations),
      imbalanceWh: Math.round(sum((x) => x.imbalanceWh)),
      meterDiscrepancyWh: Math.round(sum((x) => x.theftWh)),
      islandedIntervals: iv.filter((x) => x.islandedBuses > 0).length,
      powerFlowFailures: iv.filter((x) => !x.pfConverged).length,
    },
    fairness: {
      giniHouseholdCost: round(gini(households.map((p) => -p.netMicros)), 6),
      households: households.length,
    },
    rejections,
    rejectionsByParticipant: rejectionsBy,
    events: metrics.events,
    money: {
      totalMicrosBefore: initialTotal,
      totalMicrosAfter: finalTotal,
      upstreamNetMicros: metrics.upstreamTotals.netMicros,
      upstreamImbalanceMicros: metrics.upstreamTotals.imbalanceMicros,
      unpaidMicros: metrics.unpaidMicros,
    },
    capitalEfficiency: efficiency,
    participants: metrics.participants.map((p) => ({
      ...p,
      energyMicros: Math.round(p.energyMicros),
      imbalanceMicros: Math.round(p.imbalanceMicros),
      netMicros: Math.round(p.netMicros),
      loadWh: Math.round(p.loadWh),
      servedWh: Math.round(p.servedWh),
      loadValueMicros: Math.round(p.loadValueMicros),
      deliveredValueMicros: Math.round(p.deliveredValueMicros),
    })),
    ledger: r.ledger,
  };
}
