/**
 * The run loop. For every market interval:
 *
 * 1. events of the interval take effect (branch outages and restorations are reported to the protocol by the
 *    operator, with the islanding of a microgrid they cause; a meter starts lying; a participant starts selling
 *    twice);
 * 2. agents forecast and decide (strategies.ts), their orders pass the intent gate and clear per island;
 * 3. the devices follow the dispatch: unfilled demand is shed (critical load last), unfilled supply curtailed;
 *    an island without the upstream grid runs on its grid-forming battery (shedding or curtailing what the
 *    battery cannot take), and without one its DERs cease to energize (IEEE 1547-2018 §8.1);
 * 4. the AC power flow of the dispatched state gives voltages, losses and loadings;
 * 5. meters sign their readings (honest or tampered), the settlement is paid in signed transfers, and the
 *    block of the interval is applied by the protocol and stored.
 */

import { accountIdOf } from "../core/keys.js";
import { createRng, type Rng } from "../core/prng.js";
import { mulDiv } from "../core/units.js";
import type { LpSolver } from "../grid/lp/types.js";
import type { Order } from "../market/types.js";
import { type AttackId, tamperDay } from "./attacks.js";
import { type Clearing, meritOrderClearing } from "./clearing.js";
import { SimLedger } from "./ledger.js";
import { type IntervalRecord, newRunMetrics, type RunMetrics } from "./metrics.js";
import { islandsOf, powerFlow } from "./physics.js";
import { type AgentStep, type BatteryPlan, batteryRoom, ordersOf, planStep } from "./strategies.js";
import type { Agent, World } from "./world.js";

export interface RunOptions {
  /** Data folder for the ledger (SQLite + genesis.json), or none to keep the chain in memory only. */
  ledgerDir?: string;
  solver?: LpSolver;
  clearing?: Clearing;
  onStep?: (step: number, steps: number) => void;
}

export interface StepTiming {
  planMs: number;
  clearingMs: number;
  powerFlowMs: number;
  protocolMs: number;
  signMs: number;
  storeMs: number;
}

export interface RunResult {
  world: World;
  metrics: RunMetrics;
  ledger: { height: number; stateRoot: string; headHash: string; txCount: number };
  balances: { initial: Map<string, number>; final: Map<string, number> };
  /** Price each agent's island cleared at, per step (NaN: none). */
  realizedPrice: Float64Array[];
  timing: StepTiming;
}

const INTENT_GATE_CODE = "INTENT_OVER_CAPACITY";

function deliverableWh(a: Agent, stepHours: number): number {
  return Math.round((a.pvRatingW + (a.battery?.ratingW ?? 0)) * stepHours);
}

export async function runWorld(world: World, options: RunOptions = {}): Promise<RunResult> {
  const { scenario: s, net, steps } = world;
  const stepHours = world.intervalMinutes / 60;
  const stepMs = world.intervalMinutes * 60_000;
  const stepsPerDay = Math.round(24 / stepHours);
  const clear = options.clearing ?? meritOrderClearing;
  const ledger = new SimLedger(world.genesis, options.ledgerDir);
  const metrics = newRunMetrics(world);
  const timing: StepTiming = {
    planMs: 0,
    clearingMs: 0,
    powerFlowMs: 0,
    protocolMs: 0,
    signMs: 0,
    storeMs: 0,
  };
  const tanPhi = Math.tan(Math.acos(s.network.loadPowerFactor));
  const marketAccount = accountIdOf(world.market.publicKey);
  const utilityAccount = accountIdOf(world.utility.publicKey);
  const initial = new Map<string, number>();
  for (const a of world.agents) initial.set(a.account, ledger.balance(a.account));
  initial.set(marketAccount, ledger.balance(marketAccount));
  initial.set(utilityAccount, ledger.balance(utilityAccount));

  const inService = Uint8Array.from(net.branch.status, (x) => (x ? 1 : 0));
  const tampered = new Map<number, { attack: AttackId; rng: Rng; day: number; theft: Float64Array }>();
  const doubleSellers = new Set<number>();
  const islandedMicrogrid = new Map<string, boolean>();
  const plans = new Map<number, BatteryPlan>();
  /** Realized price at each agent's bus per step (NaN where none). */
  const realized = world.agents.map(() => new Float64Array(steps).fill(Number.NaN));
  const up = s.market.upstream;
  const priceForecast = (a: Agent, j: number) => {
    const back = j - (Math.floor((j - metrics.step) / stepsPerDay) + 1) * stepsPerDay;
    if (back >= 0 && back < metrics.step && !Number.isNaN(realized[a.index][back]))
      return realized[a.index][back];
    // Before any history: the tariff the upstream grid would set, cheap while the sun shines.
    return a.pvFcWh && a.pvFcWh[j] > 0 ? up.buyMicrosPerKWh : up.sellMicrosPerKWh;
  };
  let eventIdx = 0;

  for (let k = 0; k < steps; k++) {
    metrics.step = k;
    const tStart = world.startMs + k * stepMs;
    const tEnd = tStart + stepMs;
    const interval = world.firstInterval + k;

    // 1. Events.
    while (eventIdx < world.events.length && world.events[eventIdx].step <= k) {
      const ev = world.events[eventIdx++];
      const e = ev.spec;
      if (e.kind === "branch_outage" || e.kind === "branch_restoration") {
        inService[ev.branch!] = e.kind === "branch_restoration" ? 1 : 0;
        ledger.submit(world.operator, "ReportGridEvent", {
          event: { kind: e.kind, branch: ev.branch! },
          observedAtMs: ev.atMs,
        });
        metrics.events.push({ step: k, kind: e.kind, what: `branch ${e.from}-${e.to}` });
      } else {
        const a = world.agentById.get(e.participant)!;
        if (e.kind === "meter_tamper") {
          tampered.set(a.index, {
            attack: e.attack,
            rng: createRng(s.seed).fork(`tamper/${a.id}`),
            day: -1,
            theft: new Float64Array(0),
          });
        } else {
          doubleSellers.add(a.index);
        }
        metrics.events.push({
          step: k,
          kind: e.kind,
          what: `${a.id}${e.kind === "meter_tamper" ? ` (${e.attack})` : ""}`,
        });
      }
    }
    const island = islandsOf(net, inService);
    const upIsland = island[world.upstreamBusIndex];
    // Islanding of registered microgrids, as the operator reports it.
    for (const m of s.microgrids) {
      const cut = m.buses.every((b) => island[world.busIndex.get(b)!] !== upIsland);
      if ((islandedMicrogrid.get(m.id) ?? false) !== cut) {
        islandedMicrogrid.set(m.id, cut);
        ledger.submit(world.operator, "ReportGridEvent", {
          event: { kind: "islanding", microgrid: m.id, islanded: cut },
          observedAtMs: tStart,
        });
      }
    }
    // Grid-forming unit of each island cut off from the upstream grid: the largest grid-forming battery.
    const former = new Map<number, Agent>();
    for (const a of world.agents) {
      const i = island[a.busIndex];
      if (i === upIsland || !a.battery?.gridForming) continue;
      const cur = former.get(i);
      if (!cur || a.battery.ratingW > cur.battery!.ratingW) former.set(i, a);
    }
    const energized = (i: number) => i === upIsland || former.has(i);

    // 2. Plans and orders.
    let t0 = performance.now();
    const stepOf: (AgentStep | null)[] = world.agents.map(() => null);
    const ordersByIsland = new Map<number, Order[]>();
    const push = (i: number, o: Order) => {
      const list = ordersByIsland.get(i);
      if (list) list.push(o);
      else ordersByIsland.set(i, [o]);
    };
    for (const a of world.agents) {
      const i = island[a.busIndex];
      if (!energized(i)) continue;
      let st: AgentStep;
      if (former.get(i) === a) {
        // The island's grid former offers what it can discharge and absorbs surplus, as a price taker.
        const room = batteryRoom(a, stepHours);
        st = { chargeWh: 0, dischargeWh: 0, positionWh: 0, loadFcWh: a.loadFcWh[k] };
        stepOf[a.index] = st;
        const base = { participant: a.id, bus: a.busId, minFillWh: 0 };
        if (room.discharge >= 1)
          push(i, {
            ...base,
            id: `${a.id}/sell`,
            side: "sell",
            quantityWh: Math.floor(room.discharge),
            limitPrice: up.sellMicrosPerKWh,
            kind: "battery",
          });
        if (room.charge >= 1)
          push(i, {
            ...base,
            id: `${a.id}/buy`,
            side: "buy",
            quantityWh: Math.floor(room.charge),
            limitPrice: up.buyMicrosPerKWh,
          });
        continue;
      }
      st = planStep(a, k, { scenario: s, steps, stepHours, solver: options.solver, plans, priceForecast });
      stepOf[a.index] = st;
      const orders = ordersOf(a, st, s, doubleSellers.has(a.index));
      // The intent gate: an agent cannot offer more than its devices can deliver in the interval.
      let offered = 0;
      for (const o of orders) {
        if (o.side === "sell") {
          offered += o.quantityWh;
          if (offered > deliverableWh(a, stepHours)) {
            metrics.reject(INTENT_GATE_CODE, a.id);
            continue;
          }
        }
        push(i, o);
      }
    }
    if (ordersByIsland.has(upIsland)) {
      push(upIsland, {
        id: "upstream/sell",
        side: "sell",
        quantityWh: 1_000_000_000,
        minFillWh: 0,
        limitPrice: up.sellMicrosPerKWh,
        participant: "upstream",
        bus: up.bus,
        kind: "grid",
      });
      push(upIsland, {
        id: "upstream/buy",
        side: "buy",
        quantityWh: 1_000_000_000,
        minFillWh: 0,
        limitPrice: up.buyMicrosPerKWh,
        participant: "upstream",
        bus: up.bus,
      });
    }
    timing.planMs += performance.now() - t0;

    // 3. Clearing per island.
    t0 = performance.now();
    const committed = new Float64Array(world.agents.length);
    const bought = new Float64Array(world.agents.length);
    const sold = new Float64Array(world.agents.length);
    const energyMicros = new Float64Array(world.agents.length);
    const priceOfIsland = new Map<number, number>();
    let upstreamSold = 0;
    let upstreamBought = 0;
    let upstreamMicros = 0;
    let welfare = 0;
    let volume = 0;
    const islandIds = [...ordersByIsland.keys()].sort((x, y) => x - y);
    for (const i of islandIds) {
      const orders = ordersByIsland.get(i)!;
      const r = clear(orders, { rule: s.market.rule, kPpm: s.market.kPpm });
      welfare += r.welfare;
      if (r.prices.uniform !== undefined) priceOfIsland.set(i, r.prices.uniform);
      orders.forEach((o, n) => {
        const out = r.intents[n];
        if (out.filledWh <= 0 || out.price === null) return;
        const pay = mulDiv(out.filledWh, out.price, 1000);
        if (o.participant === "upstream") {
          if (o.side === "sell") upstreamSold += out.filledWh;
          else upstreamBought += out.filledWh;
          upstreamMicros += o.side === "sell" ? pay : -pay;
          return;
        }
        const a = world.agentById.get(o.participant!)!;
        if (o.side === "sell") {
          sold[a.index] += out.filledWh;
          energyMicros[a.index] += pay;
          volume += out.filledWh;
        } else {
          bought[a.index] += out.filledWh;
          energyMicros[a.index] -= pay;
        }
      });
    }
    for (const a of world.agents) committed[a.index] = sold[a.index] - bought[a.index];
    timing.clearingMs += performance.now() - t0;

    // 4. Devices follow the dispatch.
    const loadServed = new Float64Array(world.agents.length);
    const pvOut = new Float64Array(world.agents.length);
    const battNet = new Float64Array(world.agents.length);
    let unserved = 0;
    let curtailed = 0;
    for (const a of world.agents) {
      const st = stepOf[a.index];
      const demand = a.loadWh[k];
      const pv = a.pvWh ? a.pvWh[k] : 0;
      if (st === null) {
        unserved += demand;
        curtailed += pv;
        continue;
      }
      if (former.get(island[a.busIndex]) === a) {
        loadServed[a.index] = demand;
        pvOut[a.index] = pv;
        continue; // its battery is settled by the island balance below
      }
      const shortWh = Math.max(0, -st.positionWh - bought[a.index]);
      const surplusWh = Math.max(0, st.positionWh - sold[a.index]);
      loadServed[a.index] = Math.max(0, demand - shortWh);
      pvOut[a.index] = Math.max(0, pv - surplusWh);
      unserved += demand - loadServed[a.index];
      curtailed += pv - pvOut[a.index];
      battNet[a.index] = st.dischargeWh - st.chargeWh;
    }
    // Islands on a grid-forming battery: it takes the island's imbalance within its limits.
    for (const [i, f] of [...former.entries()].sort((x, y) => x[0] - y[0])) {
      const members = world.agents.filter((a) => island[a.busIndex] === i && stepOf[a.index] !== null);
      let need = 0; // energy the former must inject, Wh
      for (const a of members) if (a !== f) need -= pvOut[a.index] + battNet[a.index] - loadServed[a.index];
      need += loadServed[f.index] - pvOut[f.index];
      const room = batteryRoom(f, stepHours);
      if (need > room.discharge) {
        let cut = need - room.discharge;
        for (const a of members) {
          const shed = Math.min(cut, loadServed[a.index] * (1 - a.criticalShare));
          loadServed[a.index] -= shed;
          unserved += shed;
          cut -= shed;
        }
        for (const a of members) {
          const shed = Math.min(cut, loadServed[a.index]);
          loadServed[a.index] -= shed;
          unserved += shed;
          cut -= shed;
        }
      } else if (-need > room.charge) {
        let cut = -need - room.charge;
        for (const a of members) {
          const c = Math.min(cut, pvOut[a.index]);
          pvOut[a.index] -= c;
          curtailed += c;
          cut -= c;
        }
      }
    }

    // 5. Power flow of the dispatched state.
    t0 = performance.now();
    const pdMw = new Float64Array(net.bus.count);
    const qdMvar = new Float64Array(net.bus.count);
    const toMw = 1 / (stepHours * 1e6);
    for (const a of world.agents) {
      if (stepOf[a.index] === null) continue;
      for (const at of a.loadAt) {
        pdMw[at.busIndex] += loadServed[a.index] * at.share * toMw;
        qdMvar[at.busIndex] += loadServed[a.index] * at.share * toMw * tanPhi;
      }
      if (a.loadAt.length === 0 && loadServed[a.index] > 0) pdMw[a.busIndex] += loadServed[a.index] * toMw;
      pdMw[a.busIndex] -= (pvOut[a.index] + battNet[a.index]) * toMw;
    }
    const formers = [...former.entries()].sort((x, y) => x[0] - y[0]).map((e) => e[1]);
    const slackBuses = [world.upstreamBusIndex, ...formers.map((f) => f.busIndex)];
    const pf = powerFlow(net, { pdMw, qdMvar, inService, slackBuses }, s.network.defaultRatingMva);
    timing.powerFlowMs += performance.now() - t0;
    const upstreamWh = pf.slackMw[0] / toMw;
    formers.forEach((f, g) => {
      battNet[f.index] = pf.slackMw[g + 1] / toMw;
      committed[f.index] = sold[f.index] - bought[f.index];
    });
    // State of charge after the interval.
    for (const a of world.agents) {
      const b = a.battery;
      if (!b || stepOf[a.index] === null) continue;
      const e = battNet[a.index];
      b.socWh = e >= 0 ? b.socWh - e / b.efficiency : b.socWh - e * b.efficiency;
      b.socWh = Math.min(b.energyWh, Math.max(0, b.socWh));
    }

    // 6. Meter readings (signed by each device), tampering, settlement.
    const readings = new Float64Array(world.agents.length);
    const imbalanceMicros = new Float64Array(world.agents.length);
    let theftWh = 0;
    let imbalanceWh = 0;
    for (const a of world.agents) {
      if (stepOf[a.index] === null) continue;
      const actual = Math.round(pvOut[a.index] + battNet[a.index] - loadServed[a.index]);
      let reported = actual;
      const t = tampered.get(a.index);
      if (t) {
        const day = Math.floor(k / stepsPerDay);
        if (t.day !== day) {
          const from = day * stepsPerDay;
          const x = a.loadWh.subarray(from, Math.min(steps, from + stepsPerDay));
          const h = tamperDay(t.attack, x, t.rng.fork(`day/${day}`));
          t.theft = x.map((v, n) => v - h[n]);
          t.day = day;
        }
        const demand = a.loadWh[k];
        const frac = demand > 0 ? loadServed[a.index] / demand : 0;
        reported = Math.round(actual + t.theft[k - t.day * stepsPerDay] * frac);
        theftWh += reported - actual;
      }
      readings[a.index] = reported;
      ledger.submit(a.device, "SubmitMeterReading", { der: a.id, interval, energyWh: reported });
      if (doubleSellers.has(a.index) && committed[a.index] > 0) {
        // The second claim on the same interval's energy.
        ledger.submit(a.device, "SubmitMeterReading", {
          der: a.id,
          interval,
          energyWh: reported + committed[a.index],
        });
      }
      const dev = reported - Math.round(committed[a.index]);
      imbalanceWh += Math.abs(actual - Math.round(committed[a.index]));
      imbalanceMicros[a.index] =
        dev >= 0
          ? mulDiv(dev, s.market.imbalance.surplusMicrosPerKWh, 1000)
          : -mulDiv(-dev, s.market.imbalance.shortMicrosPerKWh, 1000);
    }
    // Payments first (into the market account), then payouts, so the market account never runs dry mid-block.
    const amounts = world.agents.map((a) => energyMicros[a.index] + imbalanceMicros[a.index]);
    for (const a of world.agents) {
      const n = amounts[a.index];
      if (n < 0) ledger.submit(a.key, "Transfer", { to: marketAccount, amount: -n, asset: "micros" });
    }
    if (upstreamMicros < 0)
      ledger.submit(world.utility, "Transfer", {
        to: marketAccount,
        amount: -upstreamMicros,
        asset: "micros",
      });
    for (const a of world.agents) {
      const n = amounts[a.index];
      if (n > 0) ledger.submit(world.market, "Transfer", { to: a.account, amount: n, asset: "micros" });
    }
    if (upstreamMicros > 0)
      ledger.submit(world.market, "Transfer", {
        to: utilityAccount,
        amount: upstreamMicros,
        asset: "micros",
      });

    t0 = performance.now();
    const applied = ledger.commit(tEnd);
    timing.protocolMs += performance.now() - t0;
    for (const x of applied) if (!x.result.ok) metrics.reject(x.result.code, x.sender);

    // 7. Metrics of the interval.
    for (const a of world.agents) {
      const p = priceOfIsland.get(island[a.busIndex]);
      if (p !== undefined) realized[a.index][k] = p;
    }
    const rec: IntervalRecord = {
      step: k,
      timeMs: tStart,
      price: priceOfIsland.get(upIsland) ?? null,
      islandPrice: null,
      volumeWh: volume + upstreamSold,
      localVolumeWh: volume,
      upstreamSoldWh: upstreamSold,
      upstreamBoughtWh: upstreamBought,
      welfareMicros: welfare,
      loadWh: 0,
      loadServedWh: 0,
      criticalWh: 0,
      criticalServedWh: 0,
      unservedWh: unserved,
      pvWh: 0,
      curtailedWh: curtailed,
      batteryNetWh: 0,
      upstreamWh,
      lossesWh: pf.lossesMw / toMw,
      vmMinPu: Number.POSITIVE_INFINITY,
      vmMaxPu: 0,
      voltageViolations: 0,
      maxLoading: 0,
      imbalanceWh,
      theftWh,
      islands: new Set(island).size,
      islandedBuses: 0,
      pfConverged: pf.converged,
    };
    for (const [i, p] of priceOfIsland) if (i !== upIsland) rec.islandPrice = p;
    for (const a of world.agents) {
      rec.loadWh += a.loadWh[k];
      rec.loadServedWh += loadServed[a.index];
      rec.criticalWh += a.loadWh[k] * a.criticalShare;
      rec.criticalServedWh += Math.min(loadServed[a.index], a.loadWh[k] * a.criticalShare);
      rec.pvWh += pvOut[a.index];
      rec.batteryNetWh += battNet[a.index];
    }
    for (let b = 0; b < net.bus.count; b++) {
      if (island[b] !== upIsland) rec.islandedBuses++;
      if (!pf.energized[b]) continue;
      const v = pf.vmPu[b];
      rec.vmMinPu = Math.min(rec.vmMinPu, v);
      rec.vmMaxPu = Math.max(rec.vmMaxPu, v);
      if (v < s.network.vmMinPu - 1e-9 || v > s.network.vmMaxPu + 1e-9) rec.voltageViolations++;
    }
    for (let l = 0; l < net.branch.count; l++) rec.maxLoading = Math.max(rec.maxLoading, pf.loading[l]);
    if (!Number.isFinite(rec.vmMinPu)) rec.vmMinPu = 0;
    metrics.record(rec, { vmPu: pf.vmPu, loading: pf.loading, energized: pf.energized });
    for (const a of world.agents) {
      metrics.participant(a, {
        energyMicros: energyMicros[a.index],
        imbalanceMicros: imbalanceMicros[a.index],
        boughtWh: bought[a.index],
        soldWh: sold[a.index],
        loadWh: a.loadWh[k],
        servedWh: loadServed[a.index],
        readingWh: readings[a.index],
        price: priceOfIsland.get(island[a.busIndex]) ?? null,
      });
    }
    metrics.upstream(upstreamMicros, upstreamSold, upstreamBought);
    options.onStep?.(k + 1, steps);
  }
  metrics.step = steps;
  timing.signMs = ledger.timing.signMs;
  timing.storeMs = ledger.timing.storeMs;
  timing.protocolMs = ledger.timing.applyMs;
  const final = new Map<string, number>();
  for (const acct of initial.keys()) final.set(acct, ledger.balance(acct));
  const result: RunResult = {
    world,
    metrics,
    ledger: {
      height: ledger.height,
      stateRoot: ledger.stateRoot,
      headHash: ledger.headHash,
      txCount: ledger.txCount,
    },
    balances: { initial, final },
    realizedPrice: realized,
    timing,
  };
  ledger.close();
  return result;
}
