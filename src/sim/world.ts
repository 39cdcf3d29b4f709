/**
 * The simulated world built from a scenario, before the first interval: the network, every participant with
 * its keys, devices and its actual and forecast energy per interval, the events on the interval grid, and the
 * genesis document of the run's chain. Everything that can be wrong with a scenario is found here (validate.ts)
 * before anything runs; everything random is drawn from the scenario's seed.
 */
import { readFileSync } from "node:fs";
import { hashTagged } from "../core/hash.js";
import { accountIdOf, type KeyPair, keyFromSeed } from "../core/keys.js";
import { createRng, type Rng } from "../core/prng.js";
import { resolveSettings } from "../der/ieee1547/resolve.js";
import type { Ieee1547Settings } from "../der/ieee1547/settings.js";
import { parseTmy3 } from "../der/weather/tmy3.js";
import { parseMatpower } from "../grid/matpower/index.js";
import { busIndexById, type Network } from "../grid/model.js";
import { type GenesisDoc, SIMULATION_CHAIN_PREFIX, type SignatureScheme } from "../protocol/index.js";
import { type LoadProfile, peakKwh, readLoadProfile, sampleProfile } from "./profiles.js";
import { pvEnergyWh, siteWeather } from "./pv.js";
import type { EventSpec, ParticipantSpec, Scenario, Strategy } from "./scenario.js";
import { checkScenario, type ResolvedPaths } from "./validate.js";

const utf8 = new TextEncoder();
/** Inverters with PV enable volt-watt (IEEE 1547-2018 §5.4.2) with the standard's default curve. */

/** DER id of the substation meter (the upstream grid's intents and readings). */
export const UPSTREAM_DER = "upstream";

export interface BatteryState {
  ratingW: number;
  energyWh: number;
  minWh: number;
  efficiency: number;
  gridForming: boolean;
  /** State of charge, Wh (changes during the run). */
  socWh: number;
  initialWh: number;
}

export interface Agent {
  /** Index in World.agents (ids sort in this order). */
  index: number;
  id: string;
  roles: ("prosumer" | "producer" | "consumer")[];
  /** Bus index of the connection point (the meter). */
  busIndex: number;
  busId: number;
  strategy: Strategy;
  household: boolean;
  key: KeyPair;
  account: string;
  device: KeyPair;
  deviceAccount: string;
  /** Consumption per interval, Wh: actual and the agent's forecast of it. */
  loadWh: Float64Array;
  loadFcWh: Float64Array;
  /** Where the consumption sits: bus index and share (several buses for feeder loads). */
  loadAt: { busIndex: number; share: number }[];
  criticalShare: number;
  valueMicrosPerKWh: number;
  pvWh: Float64Array | null;
  pvFcWh: Float64Array | null;
  pvRatingW: number;
  pvCostMicrosPerKWh: number;
  battery: BatteryState | null;
  balanceMicros: number;
  /** IEEE 1547-2018 settings of an inverter with PV (volt-watt enabled), as registered; null otherwise. */
  ieee1547: Ieee1547Settings | null;
}

export interface TimedEvent {
  /** Interval (0-based in the run) the event takes effect in. */
  step: number;
  atMs: number;
  spec: EventSpec;
  /** Branch row for outages and restorations. */
  branch?: number;
}

export interface World {
  scenario: Scenario;
  net: Network;
  caseText: string;
  busIndex: Map<number, number>;
  startMs: number;
  steps: number;
  intervalMinutes: number;
  /** Index of the first interval in protocol terms (core/time.ts). */
  firstInterval: number;
  siteTimezoneHours: number;
  agents: Agent[];
  agentById: Map<string, Agent>;
  upstreamBusIndex: number;
  operator: KeyPair;
  market: KeyPair;
  utility: KeyPair;
  upstreamDevice: KeyPair;
  events: TimedEvent[];
  microgridOfBus: (string | null)[];
  chainId: string;
  genesis: GenesisDoc;
  paths: ResolvedPaths;
}

/**
 * The key of `label` for this run: a pure function of the seed and the label. Under sim-digest no
 * elliptic-curve key is needed (nothing is signed with the secret), so the public key is a hash of it.
 */
export function simKey(seed: number, label: string, scheme: SignatureScheme = "ed25519"): KeyPair {
  const secretKey = hashTagged("plurigrid/sim/key", utf8.encode(String(seed)), utf8.encode(label));
  if (scheme === "sim-digest")
    return { secretKey, publicKey: hashTagged("plurigrid/sim/public-key", secretKey) };
  return keyFromSeed(secretKey);
}

/** Standard normal draws (Box–Muller over the seeded generator). */
function normal(rng: Rng): number {
  const u = 1 - rng.nextFloat();
  const v = rng.nextFloat();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function forecastOf(actual: Float64Array, errorPct: number, rng: Rng): Float64Array {
  const out = new Float64Array(actual.length);
  const s = errorPct / 100;
  for (let k = 0; k < actual.length; k++) out[k] = Math.max(0, actual[k] * (1 + s * normal(rng)));
  return out;
}

function chosen(count: number, sharePct: number, rng: Rng): Set<number> {
  const order = rng.shuffle(Array.from({ length: count }, (_, i) => i));
  return new Set(order.slice(0, Math.round((count * sharePct) / 100)));
}

/** Group members become ordinary participants: `<id>-<k>`, buses in turn, devices by seeded shares. */
function expandGroups(s: Scenario): { spec: ParticipantSpec; household: boolean; dayShift: number }[] {
  const out: { spec: ParticipantSpec; household: boolean; dayShift: number }[] = s.participants.map((p) => ({
    spec: p,
    household: false,
    dayShift: 0,
  }));
  for (const g of s.groups) {
    const rng = createRng(s.seed).fork(`group/${g.id}`);
    const pv = g.pv ? chosen(g.count, g.pv.sharePct, rng.fork("pv")) : new Set<number>();
    const bat = g.battery ? chosen(g.count, g.battery.sharePct, rng.fork("battery")) : new Set<number>();
    const ev = g.ev ? chosen(g.count, g.ev.sharePct, rng.fork("ev")) : new Set<number>();
    const scales = rng.fork("scale");
    for (let k = 0; k < g.count; k++) {
      const { members, scaleMin, scaleMax, ...load } = g.load;
      const scale = load.scale * (scaleMin + (scaleMax - scaleMin) * scales.nextFloat());
      const { sharePct: _p, ...pvSpec } = g.pv ?? { sharePct: 0 };
      const { sharePct: _b, ...batSpec } = g.battery ?? { sharePct: 0 };
      const { sharePct: _e, ...evSpec } = g.ev ?? { sharePct: 0 };
      const hasBattery = bat.has(k);
      out.push({
        household: true,
        dayShift: Math.floor(k / members),
        spec: {
          id: `${g.id}-${k + 1}`,
          roles: pv.has(k) || hasBattery ? ["prosumer"] : ["consumer"],
          bus: g.buses[k % g.buses.length],
          strategy: hasBattery && g.batteryStrategy ? g.batteryStrategy : g.strategy,
          load: { ...load, member: load.member + (k % members), scale },
          pv: pv.has(k) ? (pvSpec as ParticipantSpec["pv"]) : undefined,
          battery: hasBattery ? (batSpec as ParticipantSpec["battery"]) : undefined,
          ev: ev.has(k) ? (evSpec as ParticipantSpec["ev"]) : undefined,
          balanceMicros: g.balanceMicros,
        },
      });
    }
  }
  return out;
}

/** EV charging at full power from the (jittered) local arrival hour until the day's energy is in, Wh. */
function evEnergy(
  ev: NonNullable<ParticipantSpec["ev"]>,
  w: { startMs: number; steps: number; intervalMinutes: number; tz: number },
  rng: Rng,
): Float64Array {
  const out = new Float64Array(w.steps);
  const perStepWh = (ev.ratingW * w.intervalMinutes) / 60;
  const stepsPerDay = 1440 / w.intervalMinutes;
  const localStart = w.startMs + w.tz * 3_600_000;
  const arrive = Math.floor((ev.arriveHour * 60) / w.intervalMinutes);
  let need = 0;
  let day = -1;
  let jitter = 0;
  for (let k = 0; k < w.steps; k++) {
    const localMs = localStart + k * w.intervalMinutes * 60_000;
    const d = Math.floor(localMs / 86_400_000);
    if (d !== day) {
      day = d;
      jitter = rng.int(0, Math.max(1, 60 / w.intervalMinutes));
    }
    const stepOfDay = Math.floor((localMs - d * 86_400_000) / (w.intervalMinutes * 60_000));
    if (stepOfDay === (arrive + jitter) % stepsPerDay) need = ev.energyWhPerDay;
    if (need > 0) {
      const e = Math.min(need, perStepWh);
      out[k] = e;
      need -= e;
    }
  }
  return out;
}

export function buildWorld(scenario: Scenario): World {
  const paths = checkScenario(scenario);
  const caseText = readFileSync(paths.casePath, "utf8");
  const net = parseMatpower(caseText, scenario.network.case);
  const busIndex = busIndexById(net);
  const startMs = Date.parse(scenario.start);
  const intervalMinutes = scenario.intervalMinutes;
  const stepMs = intervalMinutes * 60_000;
  const steps = Math.round((scenario.durationHours * 60) / intervalMinutes);
  const startYear = new Date(startMs).getUTCFullYear();
  const tmy = parseTmy3(readFileSync(paths.tmy3Path, "utf8"), {
    source: paths.tmy3Path,
    coerceYear: startYear,
  });
  const siteTimezoneHours = tmy.station.timezoneHours;
  const weather = siteWeather(tmy, startMs, steps, intervalMinutes);
  const profiles = new Map<string, LoadProfile>();
  for (const [name, p] of Object.entries(scenario.loadProfiles)) {
    profiles.set(name, readLoadProfile(paths.profilePaths.get(name)!, p.format, p.timezoneHours));
  }

  const expanded = expandGroups(scenario);
  const rng = createRng(scenario.seed);
  // The PV inverters' IEEE 1547 settings, registered in genesis with each DER and followed in the run.
  const pvSettings = {
    reactiveMode: scenario.ieee1547.reactiveMode,
    ...(scenario.ieee1547.voltWatt ? { voltWatt: {} } : {}),
  };
  const agents: Agent[] = [];
  for (const [i, { spec, household, dayShift }] of expanded.entries()) {
    const key = simKey(scenario.seed, `participant/${spec.id}`, scenario.signatureScheme);
    const device = simKey(scenario.seed, `device/${spec.id}`, scenario.signatureScheme);
    const fc = rng.fork(`forecast/${spec.id}`);
    const loadWh = new Float64Array(steps);
    const loadAt: Agent["loadAt"] = [];
    let criticalShare = 0;
    let value = 400_000;
    const bi = busIndex.get(spec.bus)!;
    if (spec.load) {
      const p = profiles.get(spec.load.profile)!;
      const s = sampleProfile(
        p,
        spec.load.member,
        startMs,
        steps,
        intervalMinutes,
        siteTimezoneHours,
        dayShift,
      );
      for (let k = 0; k < steps; k++) loadWh[k] += s[k] * spec.load.scale;
      loadAt.push({ busIndex: bi, share: 1 });
      criticalShare = spec.load.criticalSharePct / 100;
      value = spec.load.valueMicrosPerKWh;
    }
    if (spec.caseLoads) {
      const c = spec.caseLoads;
      const p = profiles.get(c.profile)!;
      const shape = sampleProfile(p, c.member, startMs, steps, intervalMinutes, siteTimezoneHours, 0);
      const peak = peakKwh(p, c.member) * 1000 * (intervalMinutes / 60);
      let totalMw = 0;
      for (const b of c.buses) totalMw += net.bus.pdMw[busIndex.get(b)!];
      for (const b of c.buses) {
        const j = busIndex.get(b)!;
        if (totalMw > 0) loadAt.push({ busIndex: j, share: net.bus.pdMw[j] / totalMw });
      }
      // Peak of the measured shape = the case's own Pd (its peak design load).
      const whAtPeak = totalMw * 1e6 * (intervalMinutes / 60);
      for (let k = 0; k < steps; k++) loadWh[k] += peak > 0 ? (shape[k] / peak) * whAtPeak : 0;
      criticalShare = c.criticalSharePct / 100;
      value = c.valueMicrosPerKWh;
    }
    if (spec.ev) {
      const e = evEnergy(
        spec.ev,
        { startMs, steps, intervalMinutes, tz: siteTimezoneHours },
        rng.fork(`ev/${spec.id}`),
      );
      for (let k = 0; k < steps; k++) loadWh[k] += e[k];
      if (loadAt.length === 0) loadAt.push({ busIndex: bi, share: 1 });
    }
    let pvWh: Float64Array | null = null;
    if (spec.pv) pvWh = pvEnergyWh(weather, spec.pv, intervalMinutes);
    const b = spec.battery;
    agents.push({
      index: i,
      id: spec.id,
      roles:
        spec.roles ??
        (spec.pv || spec.battery
          ? spec.load || spec.caseLoads
            ? ["prosumer"]
            : ["producer"]
          : ["consumer"]),
      busIndex: bi,
      busId: spec.bus,
      strategy: spec.strategy,
      household,
      key,
      account: accountIdOf(key.publicKey),
      device,
      deviceAccount: accountIdOf(device.publicKey),
      loadWh,
      loadFcWh: forecastOf(loadWh, scenario.forecast.loadErrorPct, fc.fork("load")),
      loadAt,
      criticalShare,
      valueMicrosPerKWh: value,
      pvWh,
      // A forecast of an inverter's output never exceeds what its AC rating lets through.
      pvFcWh: pvWh
        ? forecastOf(pvWh, scenario.forecast.pvErrorPct, fc.fork("pv")).map((x) =>
            Math.min(x, ((spec.pv?.ratingW ?? 0) * intervalMinutes) / 60),
          )
        : null,
      pvRatingW: spec.pv?.ratingW ?? 0,
      pvCostMicrosPerKWh: spec.pv?.marginalCostMicrosPerKWh ?? 0,
      battery: b
        ? {
            ratingW: b.ratingW,
            energyWh: b.energyWh,
            minWh: (b.energyWh * b.minSocPct) / 100,
            efficiency: b.efficiency,
            gridForming: b.gridForming,
            socWh: (b.energyWh * b.initialSocPct) / 100,
            initialWh: (b.energyWh * b.initialSocPct) / 100,
          }
        : null,
      balanceMicros: spec.balanceMicros,
      ieee1547: spec.pv
        ? resolveSettings(pvSettings, { category: "III", absorbsActivePower: spec.battery !== undefined })
            .settings
        : null,
    });
  }

  const events: TimedEvent[] = scenario.events
    .map((spec) => {
      const atMs = Date.parse(spec.at);
      const ev: TimedEvent = { step: Math.floor((atMs - startMs) / stepMs), atMs, spec };
      if (spec.kind === "branch_outage" || spec.kind === "branch_restoration") {
        ev.branch = paths.branchOf(spec.from, spec.to);
      }
      return ev;
    })
    .sort((a, b) => a.atMs - b.atMs);

  const microgridOfBus: (string | null)[] = new Array(net.bus.count).fill(null);
  for (const m of scenario.microgrids) for (const b of m.buses) microgridOfBus[busIndex.get(b)!] = m.id;

  const operator = simKey(scenario.seed, "operator", scenario.signatureScheme);
  const market = simKey(scenario.seed, "market", scenario.signatureScheme);
  const utility = simKey(scenario.seed, "utility", scenario.signatureScheme);
  const upstreamDevice = simKey(scenario.seed, "device/upstream", scenario.signatureScheme);
  const chainId = `${SIMULATION_CHAIN_PREFIX}${scenario.name}`.slice(0, 64);
  const firstInterval = startMs / stepMs;
  const id = (k: KeyPair) => accountIdOf(k.publicKey);
  const MARKET_FLOAT = 1_000_000_000_000_000;
  const genesis: GenesisDoc = {
    chainId,
    // Before the gate closure of the first interval (one interval ahead of its start).
    genesisTimeMs: startMs - stepMs - 2,
    params: {
      intervalMinutes,
      // A daily upload reads back to the day's first interval: two days of age leave room for the last one.
      meterReadingMaxAgeIntervals: scenario.meters.upload === "daily" ? 2 * (1440 / intervalMinutes) : 96,
      ...(scenario.signatureScheme === "ed25519" ? {} : { signatureScheme: scenario.signatureScheme }),
      market: {
        kPricingPpm: scenario.market.kPpm,
        imbalancePriceMicrosPerKWh: scenario.market.imbalancePriceMicrosPerKWh,
        gateClosureMinutes: intervalMinutes,
        solutionDeadlineMinutes: Math.min(5, intervalMinutes),
        settlementDelayMinutes: intervalMinutes,
      },
    },
    accounts: [
      { id: id(operator), micros: 0 },
      { id: id(market), micros: MARKET_FLOAT },
      { id: id(utility), micros: MARKET_FLOAT },
      ...agents.map((a) => ({ id: a.account, micros: a.balanceMicros })),
    ],
    participants: [
      { id: id(operator), name: "operator", roles: ["operator", "oracle"] },
      { id: id(market), name: "market", roles: ["solver"] },
      { id: id(utility), name: "upstream grid", roles: ["producer", "consumer"] },
      ...agents.map((a) => ({ id: a.account, name: a.id, roles: a.roles })),
    ],
    network: { matpower: { text: caseText, name: scenario.network.case } },
    microgrids: scenario.microgrids.map((m) => ({
      id: m.id,
      name: m.name,
      buses: [...m.buses].sort((x, y) => x - y),
    })),
    ders: [
      {
        // The substation: the upstream grid's connection point, metered like any DER.
        id: UPSTREAM_DER,
        owner: id(utility),
        kind: "load",
        bus: scenario.market.upstream.bus,
        ratingW: scenario.market.upstream.ratingW,
        devicePublicKey: Buffer.from(upstreamDevice.publicKey).toString("hex"),
        ieee1547Category: "II",
        settings: {},
      },
      ...agents.map((a) => {
        const kind: "battery" | "pv" | "load" = a.battery
          ? "battery"
          : a.pvWh && a.loadAt.length === 0
            ? "pv"
            : "load";
        let peak = 0;
        for (const v of a.loadWh) peak = Math.max(peak, v);
        // The connection's rating bounds every intent (MARKET_EXCEEDS_RATING): room for forecast errors.
        const peakW = (peak * 60) / intervalMinutes;
        const batW = a.battery?.ratingW ?? 0;
        const ratingW = Math.max(1, Math.round(Math.max(a.pvRatingW + batW, 2 * peakW + batW)));
        return {
          id: a.id,
          owner: a.account,
          kind,
          bus: a.busId,
          ratingW,
          ...(a.battery ? { energyWh: a.battery.energyWh } : {}),
          devicePublicKey: Buffer.from(a.device.publicKey).toString("hex"),
          ieee1547Category: (a.pvWh || a.battery ? "III" : "II") as "II" | "III",
          settings: a.ieee1547 ? pvSettings : {},
        };
      }),
    ],
  };

  return {
    scenario,
    net,
    caseText,
    busIndex,
    startMs,
    steps,
    intervalMinutes,
    firstInterval,
    siteTimezoneHours,
    agents,
    agentById: new Map(agents.map((a) => [a.id, a])),
    upstreamBusIndex: busIndex.get(scenario.market.upstream.bus)!,
    operator,
    market,
    utility,
    upstreamDevice,
    events,
    microgridOfBus,
    chainId,
    genesis,
    paths,
  };
}
