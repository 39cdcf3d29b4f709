/**
 * The run loop, on the protocol's own market module. For market interval t (L = interval length):
 *
 *   gate closure − 1 ms   block: every agent's signed SubmitIntent for t (and whatever is due)
 *   gate closure          block: grid events reported by the operator, then the market account's
 *                         SubmitSolution for t, cleared per island on the topology the protocol knows
 *   delivery [start, end) devices follow the dispatch: unfilled demand is shed (critical load last), unfilled
 *                         supply curtailed; an island cut off from the upstream grid runs on its grid-forming
 *                         battery (shedding or curtailing what the battery cannot take); without one its DERs
 *                         cease to energize (IEEE 1547-2018 §8.1); the AC power flow gives voltages, losses and
 *                         loadings, after the PV inverters' IEEE 1547 responses to them (inverters.ts)
 *   end                   each device's signed SubmitMeterReading (honest or tampered)
 *   end + L               SettleInterval: payments out of escrow, imbalance at the market's price
 *
 * Events take effect physically at their interval; the market learns of them by the operator's report at
 * the next gate closure, so the first interval of an outage clears on the old topology and its imbalance is
 * what the island's battery, shedding and the settlement have to absorb.
 */
import { PlurigridError } from "../core/errors.js";
import { accountIdOf } from "../core/keys.js";
import { createRng, type Rng } from "../core/prng.js";
import { intervalStartMs } from "../core/time.js";
import type { LpSolver } from "../grid/lp/types.js";
import { referenceSolution } from "../intents/solver.js";
import type { Order } from "../market/types.js";
import { PARAMS_KEY, readStateValue } from "../protocol/index.js";
import { loadBookWithoutNetwork, loadMarketNetwork, marketNetworkSpec } from "../protocol/market/book.js";
import { settledDerColumn } from "../protocol/market/settle-tx.js";
import { ESCROW_ACCOUNT, getInterval, TREASURY_ACCOUNT } from "../protocol/market/state.js";
import { StateOverlay } from "../protocol/overlay.js";
import { type AttackId, tamperDay } from "./attacks.js";
import { type Clearing, meritOrderClearing } from "./clearing.js";
import { ClearingThread } from "./clearing-thread.js";
import {
  type DayPlan,
  type DaySeries,
  deliverableStep,
  entryAt,
  placedSeries,
  planDay,
  readingRuns,
  resolveSlots,
  type SeriesToPlace,
  seriesOfAgent,
} from "./day-ahead.js";
import { respondPerIeee1547 } from "./inverters.js";
import { SimLedger } from "./ledger.js";
import { type IntervalRecord, newRunMetrics, type RunMetrics } from "./metrics.js";
import { islandsOf, powerFlow } from "./physics.js";
import { type SolutionBody, type SolutionBuilder, solutionOf } from "./solution.js";
import { type AgentStep, type BatteryPlan, batteryRoom, ordersOf, planStep } from "./strategies.js";
import { type Agent, UPSTREAM_DER, type World } from "./world.js";

/** How many intervals ahead the clearing thread may be given books (see `bookIsFinal`). */
const CLEAR_AHEAD = 2;

/** Transactions that change nothing an interval's book is loaded from (the clearing ahead relies on it). */
const BOOK_NEUTRAL: ReadonlySet<string> = new Set([
  "SubmitMeterReading",
  "SubmitMeterReadings",
  "SettleInterval",
]);

export interface RunOptions {
  /** Data folder for the ledger (SQLite + genesis.json), or none to keep the chain in memory only. */
  ledgerDir?: string;
  solver?: LpSolver;
  clearing?: Clearing;
  /**
   * Clear with the reference solver on a second thread, up to two intervals ahead whenever their
   * books are already final (day-ahead bids; see `bookIsFinal`). Default: on where it applies (the reference
   * solver and day-ahead bids). The results are the same either way.
   */
  clearingThread?: boolean;
  /** After each interval; `timing` so far (protocol, signing and store times are the ledger's running totals). */
  onStep?: (step: number, steps: number, timing: StepTiming) => void;
}

export interface StepTiming {
  planMs: number;
  /**
   * The clearing on the run's thread: loading the book, handing it to the clearing thread and waiting for
   * its answer (or solving it here), and tallying the fills.
   */
  clearingMs: number;
  /** Time the clearing thread spent solving, alongside the run, ms. */
  clearingThreadMs: number;
  powerFlowMs: number;
  protocolMs: number;
  signMs: number;
  /** Time the run waited for the ledger's writer thread, ms. */
  storeMs: number;
  /** Time the writer thread spent writing the ledger, alongside the run, ms. */
  writerMs: number;
}

export interface RunResult {
  world: World;
  metrics: RunMetrics;
  ledger: { height: number; stateRoot: string; headHash: string; txCount: number };
  /** Balances (micros) before and after, of the agents, the market, the upstream grid, escrow and treasury. */
  balances: { initial: Map<string, number>; final: Map<string, number> };
  /** Price each agent's island cleared at, per step (NaN: none). */
  realizedPrice: Float64Array[];
  /** Load served and PV delivered per agent and step, Wh. */
  servedWh: Float64Array[];
  pvOutWh: Float64Array[];
  /** Metered (true) net export per agent and step, Wh. */
  deliveredWh: Float64Array[];
  timing: StepTiming;
  /** Intervals whose book was cleared on the clearing thread while the interval before was delivered. */
  clearedAhead: number;
}

export async function runWorld(world: World, options: RunOptions = {}): Promise<RunResult> {
  const s = world.scenario;
  const threaded =
    (options.clearingThread ?? true) && s.market.solver === "reference" && s.market.intents === "day-ahead";
  const thread = threaded ? new ClearingThread() : undefined;
  try {
    return await runSteps(world, options, thread);
  } finally {
    await thread?.close();
  }
}

/** The intents of one interval as placed at its gate closure, and the market's view of the grid then. */
interface Bids {
  /** Island of each bus as the protocol knows the topology at gate closure. */
  mIsland: Int32Array;
  mUp: number;
  /** Grid former of each market island cut off from the upstream grid. */
  mFormer: Map<number, Agent>;
  /** The step each agent plans to deliver (null: it places nothing). */
  stepOf: (AgentStep | null)[];
  /** Every intent of the interval with the number the protocol gave it (null: refused). */
  placed: { order: Order; island: number; seq: number | null }[];
}

/** What the interval's solution gave each agent (index: agent) and the upstream grid, Wh and micros. */
interface Trade {
  committed: Float64Array;
  bought: Float64Array;
  sold: Float64Array;
  priceOfIsland: Map<number, number>;
  upstreamSold: number;
  upstreamBought: number;
  welfare: number;
  localVolume: number;
  /** Buy energy of each agent left unfilled (rejected intents included), critical and the rest. */
  unfilledCritical: Float64Array;
  unfilledNormal: Float64Array;
}

/** What the interval delivered: physical islands, per-agent energy (index: agent), the power flow. */
interface Delivery {
  island: Int32Array;
  upIsland: number;
  loadServed: Float64Array;
  pvOut: Float64Array;
  battNet: Float64Array;
  actualNet: Float64Array;
  unserved: number;
  curtailed: number;
  toMw: number;
  upstreamWh: number;
  theftWh: number;
  imbalanceWh: number;
  inv: ReturnType<typeof respondPerIeee1547>;
}

/**
 * The run's loop. Each phase of an interval is a function of its own rather than one long loop body: V8
 * optimizes each separately, and re-optimizing one after a deoptimization costs a fraction of re-compiling
 * the whole loop (which, as one function, was re-compiled every day or two of a run).
 */
async function runSteps(
  world: World,
  options: RunOptions,
  thread: ClearingThread | undefined,
): Promise<RunResult> {
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
    writerMs: 0,
    clearingThreadMs: 0,
  };
  const tanPhi = Math.tan(Math.acos(s.network.loadPowerFactor));
  const up = s.market.upstream;
  const accounts = new Map<string, string>([
    [accountIdOf(world.market.publicKey), "market"],
    [accountIdOf(world.utility.publicKey), "upstream"],
    [accountIdOf(world.operator.publicKey), "operator"],
    [accountIdOf(world.upstreamDevice.publicKey), "upstream"],
    [ESCROW_ACCOUNT, "escrow"],
    [TREASURY_ACCOUNT, "treasury"],
  ]);
  for (const a of world.agents) {
    accounts.set(a.account, a.id);
    accounts.set(a.deviceAccount, a.id);
  }
  const tracked = [...new Set(accounts.keys())].sort();
  const initial = new Map<string, number>(tracked.map((x) => [x, ledger.balance(x)]));

  const physicalInService = Uint8Array.from(net.branch.status, (x) => (x ? 1 : 0));
  const marketInService = Uint8Array.from(physicalInService);
  /** Topology changes the protocol learns at the first gate closure at or after they happen. */
  const topology: { atMs: number; branch: number; inService: number }[] = [];
  const tampered = new Map<number, { attack: AttackId; rng: Rng; day: number; theft: Float64Array }>();
  const doubleSellers = new Set<number>();
  const islandedMicrogrid = new Map<string, boolean>();
  const plans = new Map<number, BatteryPlan>();
  const realized = world.agents.map(() => new Float64Array(steps).fill(Number.NaN));
  const servedSeries = world.agents.map(() => new Float64Array(steps));
  const pvSeries = world.agents.map(() => new Float64Array(steps));
  const deliveredSeries = world.agents.map(() => new Float64Array(steps));
  /** Days of history an optimal agent averages for its price forecast. */
  const FORECAST_DAYS = 3;
  const priceForecast = (a: Agent, j: number) => {
    // The mean of the prices cleared at the same time of day on the last few days that are known.
    let back = j - (Math.floor((j - metrics.step) / stepsPerDay) + 1) * stepsPerDay;
    let sum = 0;
    let n = 0;
    for (; back >= 0 && n < FORECAST_DAYS; back -= stepsPerDay) {
      const p = realized[a.index][back];
      if (back < metrics.step && !Number.isNaN(p)) {
        sum += p;
        n++;
      }
    }
    if (n > 0) return sum / n;
    // Before any history: the tariff the upstream grid would set, cheap while the sun shines.
    return a.pvFcWh && a.pvFcWh[j] > 0 ? up.buyMicrosPerKWh : up.sellMicrosPerKWh;
  };
  const countRejections = (applied: ReturnType<SimLedger["commit"]>) => {
    for (const x of applied) {
      if (!x.result.ok) {
        metrics.reject(x.result.code, accounts.get(x.sender) ?? x.sender);
        continue;
      }
      if (x.type !== "SettleInterval") continue;
      // What the settlement charged for imbalance, per participant (the protocol's settlement events).
      // (Two of the event's columns: a thousand DERs an interval need not become objects here.)
      const ders = settledDerColumn(x.result.events, "der");
      const imbalance = settledDerColumn(x.result.events, "imbalanceMicros");
      for (let i = 0; i < ders.length; i++) {
        const a = world.agentById.get(ders[i]);
        if (a) metrics.participants[a.index].imbalanceMicros += Number(imbalance[i]);
        else metrics.upstreamTotals.imbalanceMicros += Number(imbalance[i]);
      }
      for (const e of x.result.events)
        if (e.type === "settlement") metrics.unpaidMicros += Number(e.attributes.unpaidMicros);
    }
    return applied;
  };
  const planCtx = { scenario: s, steps, stepHours, solver: options.solver, plans, priceForecast };
  const perDay = Math.round(1440 / world.intervalMinutes);
  const dayAhead = s.market.intents === "day-ahead";
  let day: DayPlan | null = null;
  const placeSeries = (x: SeriesToPlace): DaySeries => {
    const handle = ledger.submit(x.key, "SubmitIntentSeries", {
      firstInterval: world.firstInterval + x.firstStep,
      side: x.side,
      quantitiesWh: x.quantitiesWh,
      limitPrices: x.limitPrices,
      der: x.der,
      priority: x.priority,
    });
    return placedSeries(x, handle);
  };
  const daily = s.meters.upload === "daily";
  const dayReadings = world.agents.map((): { step: number; energyWh: number }[] => []);
  const dayClaims = world.agents.map((): { step: number; energyWh: number }[] => []);
  const upstreamReadings: { step: number; energyWh: number }[] = [];
  const toSettle: number[] = [];
  const uploadDay = (endMs: number) => {
    const upload = (key: Agent["key"], der: string, list: { step: number; energyWh: number }[]) => {
      for (const run of readingRuns(list)) {
        ledger.defer(
          endMs,
          () =>
            ledger.submit(key, "SubmitMeterReadings", {
              der,
              firstInterval: run.firstStep,
              energyWh: run.energyWh,
            }),
          false,
        );
      }
      list.length = 0;
    };
    for (const a of world.agents) {
      upload(a.device, a.id, dayReadings[a.index]);
      upload(a.device, a.id, dayClaims[a.index]);
    }
    upload(world.upstreamDevice, UPSTREAM_DER, upstreamReadings);
    const due = toSettle.splice(0);
    ledger.defer(
      endMs + stepMs,
      () => {
        for (const t of due) ledger.submit(world.market, "SettleInterval", { interval: t });
      },
      false,
    );
  };
  /**
   * The reference solution of interval u's book as the protocol holds it now (null: nothing to clear), on
   * the clearing thread if there is one. `nowMs` is u's gate closure (intents expired by then are out).
   */
  const solveBook = (u: number, nowMs: number): Promise<SolutionBody | null> => {
    const view = new StateOverlay(ledger.state);
    const book = loadBookWithoutNetwork(view, u, { intervalMinutes: world.intervalMinutes }, nowMs);
    const hasBoth =
      book.intents.some((x) => x?.side === "buy") && book.intents.some((x) => x?.side === "sell");
    if (!hasBoth) return Promise.resolve(null);
    const opts = { rule: s.market.rule, kPricingPpm: s.market.kPpm };
    const solved =
      thread !== undefined
        ? thread.solve(book, marketNetworkSpec(view, genesisHash), opts)
        : referenceSolution(
            { ...book, network: loadMarketNetwork(view, genesisHash) },
            { ...opts, solver: options.solver },
          );
    const result = solved.then((x) => (x.fills.length === 0 ? null : x));
    result.catch(() => {}); // awaited later, where a failure surfaces
    return result;
  };
  /**
   * Whether the book of interval t + d (d ≥ 1) is final at interval t's gate closure, so that it can be
   * cleared while t is delivered: a later interval of the same day of day-ahead bids (nothing is placed at
   * its gate), no event or topology change before it, one market island (no grid former bids or withdraws
   * entries), and nothing deferred until its gate closure that could change a book (readings and
   * settlements cannot). The blocks with the solutions of t … t + d − 1 write only their own intervals'
   * records. Each gate closure up to t + d checks that this held.
   */
  const bookIsFinal = (k: number, d: number, gateMs: number, mIsland: Int32Array) =>
    dayAhead &&
    day !== null &&
    k + d < day.endStep &&
    (eventIdx >= world.events.length || world.events[eventIdx].step > k + d) &&
    topology.length === 0 &&
    mIsland.every((i) => i === mIsland[0]) &&
    ledger.nextBookTouchMs > gateMs + d * stepMs;
  let eventIdx = 0;
  /**
   * Solutions of the next intervals, in interval order, being computed on the clearing thread since their
   * books were final: up to CLEAR_AHEAD intervals ahead, so that the thread always has the next book to
   * work on and an interval whose LP takes longer does not hold the run up.
   */
  const ahead: { t: number; solution: Promise<SolutionBody | null> }[] = [];
  let clearedAhead = 0;
  const genesisHash = String(readStateValue(PARAMS_KEY, ledger.state.get(PARAMS_KEY)!).genesisHash);
  // Grid-forming unit of each island cut off from the upstream grid: the largest grid-forming battery.
  const formersOf = (island: Int32Array) => {
    const upIsland = island[world.upstreamBusIndex];
    const former = new Map<number, Agent>();
    for (const a of world.agents) {
      const i = island[a.busIndex];
      if (i === upIsland || !a.battery?.gridForming) continue;
      const cur = former.get(i);
      if (!cur || a.battery.ratingW > cur.battery!.ratingW) former.set(i, a);
    }
    return former;
  };

  /** 1. Intents for interval t (step k), on the topology the protocol knows at gate closure (reported events included). */
  const placeIntents = (k: number, t: number, gateMs: number): Bids => {
    while (topology.length > 0 && topology[0].atMs <= gateMs) {
      const c = topology.shift()!;
      marketInService[c.branch] = c.inService;
    }
    const t0 = performance.now();
    const mIsland = islandsOf(net, marketInService);
    const mUp = mIsland[world.upstreamBusIndex];
    const mFormer = formersOf(mIsland);
    const stepOf: (AgentStep | null)[] = world.agents.map(() => null);
    const orders: { order: Order; island: number; handle: number }[] = [];
    ledger.release(gateMs - 1);
    // Day-ahead: before the day's first gate closure, every agent's series for the rest of the UTC day.
    let newDay = false;
    if (dayAhead && (day === null || k >= day.endStep)) {
      newDay = true;
      day = { firstStep: k, endStep: Math.min(steps, k + perDay - (t % perDay)), series: [], steps: [] };
      const d = day;
      for (const a of world.agents) {
        d.steps[a.index] = planDay(a, k, d.endStep, planCtx);
        for (const x of seriesOfAgent(a, d.steps[a.index], k, s, doubleSellers.has(a.index))) {
          // An agent that is its island's grid former, or cut off without one, places nothing for now.
          const i = mIsland[a.busIndex];
          if (mFormer.get(i) === a || (i !== mUp && !mFormer.has(i))) x.quantitiesWh[0] = 0;
          if (x.quantitiesWh.some((q) => q > 0)) d.series.push(placeSeries(x));
        }
      }
      const n = d.endStep - k;
      for (const [side, limit] of [
        ["sell", up.sellMicrosPerKWh],
        ["buy", up.buyMicrosPerKWh],
      ] as const) {
        d.series.push(
          placeSeries({
            agent: null,
            key: world.utility,
            der: UPSTREAM_DER,
            bus: up.bus,
            side,
            priority: "normal",
            firstStep: k,
            quantitiesWh: new Array(n).fill(Math.floor(up.ratingW * stepHours)),
            limitPrices: new Array(n).fill(limit),
          }),
        );
      }
    }
    const place = (key: Agent["key"], der: string, island: number, o: Order) => {
      const handle = ledger.submit(key, "SubmitIntent", {
        interval: t,
        side: o.side,
        quantityWh: o.quantityWh,
        limitPrice: o.limitPrice,
        der,
        priority: o.priority ?? "normal",
      });
      orders.push({ order: o, island, handle });
    };
    for (const a of world.agents) {
      const i = mIsland[a.busIndex];
      if (day !== null && !newDay && (mFormer.get(i) === a || (i !== mUp && !mFormer.has(i)))) {
        // The plan did not know: withdraw this interval's entries (the former bids below).
        for (const x of day.series) {
          if (x.agent !== a || x.slot === null || entryAt(x, k) === null) continue;
          ledger.submit(a.key, "CancelIntent", { interval: t, series: x.slot });
          x.cancelled.add(k);
        }
      }
      if (i !== mUp && !mFormer.has(i)) continue;
      const base = { participant: a.id, bus: a.busId, minFillWh: 0 };
      if (mFormer.get(i) === a) {
        // The island's grid former offers what it can discharge and takes surplus, as a price taker.
        const room = batteryRoom(a, stepHours);
        stepOf[a.index] = { chargeWh: 0, dischargeWh: 0, positionWh: 0, loadFcWh: a.loadFcWh[k] };
        if (room.discharge >= 1) {
          place(a.key, a.id, i, {
            ...base,
            id: `${a.id}/sell`,
            side: "sell",
            quantityWh: Math.floor(room.discharge),
            limitPrice: up.sellMicrosPerKWh,
          });
        }
        if (room.charge >= 1) {
          place(a.key, a.id, i, {
            ...base,
            id: `${a.id}/buy`,
            side: "buy",
            quantityWh: Math.floor(room.charge),
            limitPrice: up.buyMicrosPerKWh,
          });
        }
        continue;
      }
      if (day !== null) {
        stepOf[a.index] = deliverableStep(a, day.steps[a.index][k - day.firstStep], stepHours);
        continue;
      }
      const st = planStep(a, k, planCtx);
      stepOf[a.index] = st;
      for (const o of ordersOf(a, st, s, doubleSellers.has(a.index), i !== mUp)) place(a.key, a.id, i, o);
    }
    if (!dayAhead) {
      const upstreamWhMax = Math.floor(up.ratingW * stepHours);
      const upBase = { participant: "upstream", bus: up.bus, minFillWh: 0, quantityWh: upstreamWhMax };
      place(world.utility, UPSTREAM_DER, mUp, {
        ...upBase,
        id: "upstream/sell",
        side: "sell",
        limitPrice: up.sellMicrosPerKWh,
      });
      place(world.utility, UPSTREAM_DER, mUp, {
        ...upBase,
        id: "upstream/buy",
        side: "buy",
        limitPrice: up.buyMicrosPerKWh,
      });
    }
    timing.planMs += performance.now() - t0;
    const intentBlock = countRejections(ledger.commit(gateMs - 1));
    if (newDay && day !== null) resolveSlots(day, intentBlock);

    // At gate closure: what has become due (grid events, readings, settlements), so the book below is the one
    // the protocol will check the solution against.
    ledger.release(gateMs);
    const dueBlock = countRejections(ledger.commit(gateMs));
    if (ahead.length > 0) {
      // The books of t and later were loaded early (bookIsFinal): nothing that could change them may have come.
      const touching = [...intentBlock, ...dueBlock].find((x) => !BOOK_NEUTRAL.has(x.type));
      if (ahead[0].t !== t || touching !== undefined) {
        throw new PlurigridError(
          "SIM_INTERNAL",
          `interval ${t} was cleared ahead, but ${touching?.type ?? `interval ${ahead[0].t}`} came before its gate closure`,
        );
      }
    }
    // Every intent of t as placed: the singles of this interval, then the entries of the day's series, with
    // the number the protocol gave each (null: refused), as the book numbers them (market/series.ts).
    const placed: { order: Order; island: number; seq: number | null }[] = [];
    for (const o of orders) {
      const r = intentBlock[o.handle].result;
      placed.push({
        order: o.order,
        island: o.island,
        seq: r.ok ? Number(r.events[0]?.attributes.intent) : null,
      });
    }
    if (day !== null) {
      const singles = getInterval(new StateOverlay(ledger.state), t)?.intents ?? 0;
      for (const x of day.series) {
        const order = entryAt(x, k);
        if (order === null) continue;
        const island = mIsland[world.busIndex.get(x.bus)!];
        placed.push({ order, island, seq: x.slot === null ? null : singles + x.slot });
      }
    }
    return { mIsland, mUp, mFormer, stepOf, placed };
  };

  /**
   * The reference solution of interval t: cleared ahead on the clearing thread during an earlier interval,
   * or now; and the books of the next intervals up to CLEAR_AHEAD ahead started on the thread, in order,
   * where they are already final.
   */
  const referenceSolutionFor = (
    k: number,
    t: number,
    gateMs: number,
    mIsland: Int32Array,
  ): Promise<SolutionBody | null> => {
    const current = ahead.shift()?.solution ?? solveBook(t, gateMs);
    if (thread !== undefined) {
      for (let d = (ahead.at(-1)?.t ?? t) - t + 1; d <= CLEAR_AHEAD; d++) {
        if (!bookIsFinal(k, d, gateMs, mIsland)) break;
        ahead.push({ t: t + d, solution: solveBook(t + d, gateMs + d * stepMs) });
        clearedAhead++;
      }
    }
    return current;
  };

  /** The merit-order clearing of each market island over the intents the protocol accepted. */
  const meritOrderSolution = (t: number, bids: Bids): SolutionBody | null => {
    const { mIsland, mUp } = bids;
    const byIsland = new Map<number, { order: Order; seq: number }[]>();
    for (const o of bids.placed) {
      if (o.seq === null) continue;
      const list = byIsland.get(o.island) ?? [];
      list.push({ order: o.order, seq: o.seq });
      byIsland.set(o.island, list);
    }
    const builder: SolutionBuilder = { interval: t, islands: [] };
    for (const i of [...byIsland.keys()].sort((x, y) => x - y)) {
      const list = byIsland.get(i)!;
      const r = clear(
        list.map((x) => x.order),
        { rule: s.market.rule, kPpm: s.market.kPpm },
      );
      const buses: number[] = [];
      for (let b = 0; b < net.bus.count; b++) if (mIsland[b] === i) buses.push(net.bus.id[b]);
      builder.islands.push({
        buses,
        intents: list.map((x, n) => ({ seq: x.seq, side: x.order.side, outcome: r.intents[n] })),
        price: r.prices.uniform ?? null,
        upstream: i === mUp,
      });
    }
    return solutionOf(builder);
  };

  /** What each agent and the upstream grid bought and sold in the solution, at which prices. */
  const tradeOf = (solution: SolutionBody | null, bids: Bids): Trade => {
    const { placed, mIsland } = bids;
    // Energy filled by intent number (small numbers: the singles, then the day's series slots).
    const fills = solution?.fills ?? [];
    let numbers = 0;
    for (const o of placed) if (o.seq !== null) numbers = Math.max(numbers, o.seq + 1);
    for (const [b, sl] of fills) numbers = Math.max(numbers, b + 1, sl + 1);
    const filledOfSeq = new Float64Array(numbers);
    for (const [b, sl, e] of fills) {
      filledOfSeq[b] += e;
      filledOfSeq[sl] += e;
    }
    const busPrice = new Map<number, number>(solution?.busPrices ?? []);
    const committed = new Float64Array(world.agents.length);
    const bought = new Float64Array(world.agents.length);
    const sold = new Float64Array(world.agents.length);
    const priceOfIsland = new Map<number, number>();
    let upstreamSold = 0;
    let upstreamBought = 0;
    let welfare = 0;
    let localVolume = 0;
    /** Buy energy of each agent left unfilled (rejected intents included), critical and the rest, Wh. */
    const unfilledCritical = new Float64Array(world.agents.length);
    const unfilledNormal = new Float64Array(world.agents.length);
    for (const o of placed) {
      if (o.order.side !== "buy" || o.order.participant === "upstream") continue;
      const a = world.agentById.get(o.order.participant!)!;
      const f = o.seq === null ? 0 : filledOfSeq[o.seq];
      if (o.order.priority === "critical") unfilledCritical[a.index] += o.order.quantityWh - f;
      else unfilledNormal[a.index] += o.order.quantityWh - f;
    }
    // Each accepted intent once, in the order placed (its number is unique).
    for (const { seq, order: o } of placed) {
      if (seq === null) continue;
      const f = filledOfSeq[seq];
      if (f <= 0) continue;
      const bi = world.busIndex.get(o.bus!)!;
      const i = mIsland[bi];
      if (solution && !priceOfIsland.has(i))
        priceOfIsland.set(i, busPrice.get(o.bus!) ?? solution.referencePrice);
      welfare += ((o.side === "buy" ? 1 : -1) * o.limitPrice * f) / 1000;
      if (o.participant === "upstream") {
        if (o.side === "sell") upstreamSold += f;
        else upstreamBought += f;
        continue;
      }
      const a = world.agentById.get(o.participant!)!;
      if (o.side === "sell") {
        sold[a.index] += f;
        localVolume += f;
      } else bought[a.index] += f;
    }
    for (const a of world.agents) committed[a.index] = sold[a.index] - bought[a.index];
    return {
      committed,
      bought,
      sold,
      priceOfIsland,
      upstreamSold,
      upstreamBought,
      welfare,
      localVolume,
      unfilledCritical,
      unfilledNormal,
    };
  };

  /** 3.–5. Interval t delivered: events take effect, devices follow the dispatch, power flow, meter readings. */
  const deliver = (
    k: number,
    t: number,
    tStart: number,
    tEnd: number,
    bids: Bids,
    trade: Trade,
  ): Delivery => {
    const { mIsland, mFormer, stepOf } = bids;
    const { committed, sold, unfilledCritical, unfilledNormal } = trade;
    // 3. Delivery: events of t take effect, the devices follow the dispatch.
    while (eventIdx < world.events.length && world.events[eventIdx].step <= k) {
      const ev = world.events[eventIdx++];
      const e = ev.spec;
      if (e.kind === "branch_outage" || e.kind === "branch_restoration") {
        const inService = e.kind === "branch_restoration" ? 1 : 0;
        physicalInService[ev.branch!] = inService;
        topology.push({ atMs: ev.atMs, branch: ev.branch!, inService });
        ledger.defer(ev.atMs, () =>
          ledger.submit(world.operator, "ReportGridEvent", {
            event: { kind: e.kind, branch: ev.branch! },
            observedAtMs: ev.atMs,
          }),
        );
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
        } else doubleSellers.add(a.index);
        metrics.events.push({
          step: k,
          kind: e.kind,
          what: `${a.id}${e.kind === "meter_tamper" ? ` (${e.attack})` : ""}`,
        });
      }
    }
    const island = islandsOf(net, physicalInService);
    const upIsland = island[world.upstreamBusIndex];
    const former = formersOf(island);
    for (const m of s.microgrids) {
      const cut = m.buses.every((b) => island[world.busIndex.get(b)!] !== upIsland);
      if ((islandedMicrogrid.get(m.id) ?? false) !== cut) {
        islandedMicrogrid.set(m.id, cut);
        ledger.defer(tStart, () =>
          ledger.submit(world.operator, "ReportGridEvent", {
            event: { kind: "islanding", microgrid: m.id, islanded: cut },
            observedAtMs: tStart,
          }),
        );
      }
    }
    const energized = (i: number) => i === upIsland || former.has(i);
    const loadServed = new Float64Array(world.agents.length);
    const pvOut = new Float64Array(world.agents.length);
    const battNet = new Float64Array(world.agents.length);
    let unserved = 0;
    let curtailed = 0;
    for (const a of world.agents) {
      const st = stepOf[a.index];
      const demand = a.loadWh[k];
      const pv = a.pvWh ? a.pvWh[k] : 0;
      if (st === null || !energized(island[a.busIndex])) {
        unserved += demand;
        curtailed += pv;
        continue;
      }
      if (former.get(island[a.busIndex]) === a || mFormer.get(mIsland[a.busIndex]) === a) {
        loadServed[a.index] = demand;
        pvOut[a.index] = pv;
        continue; // a grid former's battery is what the island balance below (or the power flow) makes it
      }
      // Energy not bought is load shed: the normal circuits by what their intents lacked, the critical ones
      // only by what the critical intent lacked.
      const critical = demand * a.criticalShare;
      const shed =
        Math.min(demand - critical, unfilledNormal[a.index]) + Math.min(critical, unfilledCritical[a.index]);
      const surplusWh = Math.max(0, st.positionWh - sold[a.index]);
      loadServed[a.index] = Math.max(0, demand - shed);
      pvOut[a.index] = Math.max(0, pv - surplusWh);
      unserved += demand - loadServed[a.index];
      curtailed += pv - pvOut[a.index];
      battNet[a.index] = st.dischargeWh - st.chargeWh;
    }
    // A former that is connected again after an island follows its market position with its battery.
    for (const [i, f] of mFormer) {
      if (former.has(island[f.busIndex]) || !energized(island[f.busIndex])) continue;
      void i;
      const room = batteryRoom(f, stepHours);
      battNet[f.index] = Math.max(-room.charge, Math.min(room.discharge, committed[f.index]));
    }
    for (const [i, f] of [...former.entries()].sort((x, y) => x[0] - y[0])) {
      const members = world.agents.filter((a) => island[a.busIndex] === i && stepOf[a.index] !== null);
      let need = 0;
      for (const a of members)
        need += loadServed[a.index] - pvOut[a.index] - (a === f ? 0 : battNet[a.index]);
      const room = batteryRoom(f, stepHours);
      if (need > room.discharge) {
        let cut = need - room.discharge;
        for (const pass of [0, 1]) {
          for (const a of members) {
            const shed = Math.min(cut, loadServed[a.index] * (pass === 0 ? 1 - a.criticalShare : 1));
            loadServed[a.index] -= shed;
            unserved += shed;
            cut -= shed;
          }
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

    // 4. Power flow of the dispatched state.
    const t0 = performance.now();
    const pdMw = new Float64Array(net.bus.count);
    const qdMvar = new Float64Array(net.bus.count);
    const toMw = 1 / (stepHours * 1e6);
    const formers = [...former.entries()].sort((x, y) => x[0] - y[0]).map((e) => e[1]);
    for (const a of world.agents) {
      if (!energized(island[a.busIndex])) continue;
      for (const at of a.loadAt) {
        pdMw[at.busIndex] += loadServed[a.index] * at.share * toMw;
        qdMvar[at.busIndex] += loadServed[a.index] * at.share * toMw * tanPhi;
      }
      const own = formers.includes(a) ? 0 : battNet[a.index];
      pdMw[a.busIndex] -= (pvOut[a.index] + own) * toMw;
    }
    const slackBuses = [world.upstreamBusIndex, ...formers.map((f) => f.busIndex)];
    const flow = () =>
      powerFlow(net, { pdMw, qdMvar, inService: physicalInService, slackBuses }, s.network.defaultRatingMva);
    // IEEE 1547: the inverters' reactive power, volt-watt and voltage trips on the flow's voltages.
    const inv = respondPerIeee1547(flow(), {
      agents: world.agents,
      pvOut,
      pdMw,
      qdMvar,
      toMw,
      stepHours,
      flow,
    });
    const pf = inv.pf;
    curtailed += inv.voltWattWh + inv.tripWh;
    timing.powerFlowMs += performance.now() - t0;
    const upstreamWh = pf.slackMw[0] / toMw;
    formers.forEach((f, g) => {
      battNet[f.index] = pf.slackMw[g + 1] / toMw;
    });
    for (const a of world.agents) {
      const b = a.battery;
      if (!b) continue;
      const e = battNet[a.index];
      b.socWh = e >= 0 ? b.socWh - e / b.efficiency : b.socWh - e * b.efficiency;
      b.socWh = Math.min(b.energyWh, Math.max(0, b.socWh));
    }

    // 5. Meter readings (signed by each device, after the interval), tampering, settlement after the delay.
    let theftWh = 0;
    let imbalanceWh = 0;
    const actualNet = new Float64Array(world.agents.length);
    for (const a of world.agents) {
      if (!energized(island[a.busIndex])) continue;
      const actual = Math.round(pvOut[a.index] + battNet[a.index] - loadServed[a.index]);
      actualNet[a.index] = actual;
      let reported = actual;
      const tam = tampered.get(a.index);
      if (tam) {
        const day = Math.floor(k / stepsPerDay);
        if (tam.day !== day) {
          const from = day * stepsPerDay;
          const x = a.loadWh.subarray(from, Math.min(steps, from + stepsPerDay));
          const h = tamperDay(tam.attack, x, tam.rng.fork(`day/${day}`));
          tam.theft = x.map((v, n) => v - h[n]);
          tam.day = day;
        }
        const demand = a.loadWh[k];
        reported = Math.round(
          actual + tam.theft[k - tam.day * stepsPerDay] * (demand > 0 ? loadServed[a.index] / demand : 0),
        );
        theftWh += reported - actual;
      }
      imbalanceWh += Math.abs(actual - committed[a.index]);
      const claim =
        doubleSellers.has(a.index) && committed[a.index] > 0 ? reported + committed[a.index] : null;
      if (daily) {
        dayReadings[a.index].push({ step: t, energyWh: reported });
        if (claim !== null) dayClaims[a.index].push({ step: t, energyWh: claim });
        continue;
      }
      ledger.defer(
        tEnd,
        () => ledger.submit(a.device, "SubmitMeterReading", { der: a.id, interval: t, energyWh: reported }),
        false,
      );
      if (claim !== null) {
        ledger.defer(
          tEnd,
          () => ledger.submit(a.device, "SubmitMeterReading", { der: a.id, interval: t, energyWh: claim }),
          false,
        );
      }
    }
    const upstreamReading = Math.round(upstreamWh);
    if (daily) {
      upstreamReadings.push({ step: t, energyWh: upstreamReading });
      toSettle.push(t);
      // After the UTC day (or the run) ends: each meter's day in one upload, then the day's settlements.
      if ((t + 1) % perDay === 0 || k === steps - 1) uploadDay(tEnd);
    } else {
      ledger.defer(
        tEnd,
        () =>
          ledger.submit(world.upstreamDevice, "SubmitMeterReading", {
            der: UPSTREAM_DER,
            interval: t,
            energyWh: upstreamReading,
          }),
        false,
      );
      ledger.defer(
        tEnd + stepMs,
        () => ledger.submit(world.market, "SettleInterval", { interval: t }),
        false,
      );
    }
    return {
      island,
      upIsland,
      loadServed,
      pvOut,
      battNet,
      actualNet,
      unserved,
      curtailed,
      toMw,
      upstreamWh,
      theftWh,
      imbalanceWh,
      inv,
    };
  };

  /** 6. The metrics of interval t (step k). */
  const recordInterval = (k: number, tStart: number, bids: Bids, trade: Trade, d: Delivery): void => {
    const { mIsland, mUp } = bids;
    const { priceOfIsland, localVolume, upstreamSold, upstreamBought, welfare, bought, sold } = trade;
    const { island, upIsland, loadServed, pvOut, battNet, actualNet, unserved, curtailed, toMw, inv } = d;
    const { upstreamWh, theftWh, imbalanceWh } = d;
    const pf = inv.pf;
    const voltWattWh = inv.voltWattWh;
    for (const a of world.agents) {
      const p = priceOfIsland.get(mIsland[a.busIndex]);
      if (p !== undefined) realized[a.index][k] = p;
      servedSeries[a.index][k] = loadServed[a.index];
      pvSeries[a.index][k] = pvOut[a.index];
      deliveredSeries[a.index][k] = actualNet[a.index];
    }
    const rec: IntervalRecord = {
      step: k,
      timeMs: tStart,
      price: priceOfIsland.get(mUp) ?? null,
      islandPrice: null,
      volumeWh: localVolume + upstreamSold,
      localVolumeWh: localVolume,
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
      voltWattWh,
      tripWh: inv.tripWh,
      inverterTrips: inv.trips,
      reactiveVarh: inv.reactiveVarh,
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
      pfConverged: pf.converged && inv.settled,
    };
    for (const [i, p] of priceOfIsland) if (i !== mUp) rec.islandPrice = p;
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
      const price = priceOfIsland.get(mIsland[a.busIndex]) ?? null;
      metrics.participant(a, {
        boughtWh: bought[a.index],
        soldWh: sold[a.index],
        loadWh: a.loadWh[k],
        servedWh: loadServed[a.index],
        deliveredWh: actualNet[a.index],
        price,
      });
    }
    metrics.upstream(upstreamSold, upstreamBought);
  };

  for (let k = 0; k < steps; k++) {
    metrics.step = k;
    const t = world.firstInterval + k;
    const tStart = intervalStartMs(t, world.intervalMinutes);
    const tEnd = tStart + stepMs;
    const gateMs = tStart - stepMs;

    const bids = placeIntents(k, t, gateMs);

    // 2. The solution for t, over the intents the protocol accepted: the reference solver on the protocol's
    // own book (network, islands, lifeline), or the merit-order clearing per island.
    const t0 = performance.now();
    const solution =
      s.market.solver === "reference"
        ? await referenceSolutionFor(k, t, gateMs, bids.mIsland)
        : meritOrderSolution(t, bids);
    const trade = tradeOf(solution, bids);
    timing.clearingMs += performance.now() - t0;
    if (solution !== null) ledger.submit(world.market, "SubmitSolution", solution);
    countRejections(ledger.commit(gateMs + 1));

    const delivered = deliver(k, t, tStart, tEnd, bids, trade);
    recordInterval(k, tStart, bids, trade, delivered);
    if (options.onStep !== undefined) {
      timing.signMs = ledger.timing.signMs;
      timing.storeMs = ledger.timing.storeMs;
      timing.protocolMs = ledger.timing.applyMs;
      options.onStep(k + 1, steps, timing);
    }
  }
  metrics.step = steps;
  // Let every deferred reading and settlement reach the chain.
  let flushMs = world.startMs + (steps - 1) * stepMs;
  while (ledger.deferred > 0) {
    flushMs += stepMs;
    ledger.release(flushMs);
    countRejections(ledger.commit(flushMs));
  }
  // Waits until the writer thread has every block on disk.
  ledger.close();
  timing.signMs = ledger.timing.signMs;
  timing.storeMs = ledger.timing.storeMs;
  timing.writerMs = ledger.timing.writerMs;
  timing.clearingThreadMs = thread?.busyMs ?? 0;
  timing.protocolMs = ledger.timing.applyMs;
  const final = new Map<string, number>(tracked.map((x) => [x, ledger.balance(x)]));
  for (const a of world.agents) {
    const p = metrics.participants[a.index];
    p.netMicros = final.get(a.account)! - initial.get(a.account)!;
    p.energyMicros = p.netMicros - p.imbalanceMicros;
  }
  const u = accountIdOf(world.utility.publicKey);
  metrics.upstreamTotals.netMicros = final.get(u)! - initial.get(u)!;
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
    servedWh: servedSeries,
    pvOutWh: pvSeries,
    deliveredWh: deliveredSeries,
    timing,
    clearedAhead,
  };
  return result;
}
