import { assert } from "../../core/errors.js";
import { hashTagged, toHex } from "../../core/hash.js";
import type { Book, BookIntent } from "../../intents/book.js";
import {
  buildMarketNetwork,
  type MarketBranch,
  type MarketNetwork,
  type MarketNetworkInput,
} from "../../intents/network.js";
import {
  branchKey,
  busKey,
  getBranch,
  getBus,
  getMicrogridGrid,
  getNetwork,
  getSwitch,
  gridMicrogridKey,
  NETWORK_KEY,
  switchKey,
} from "../grid/state.js";
import type { StateOverlay } from "../overlay.js";
import { seriesEntriesOf } from "./series.js";
import {
  EMPTY_INTERVAL,
  getIntent,
  getInterval,
  MARKET_NETWORK_KEY,
  type MarketNetworkRecord,
  readMarketParams,
} from "./state.js";

/**
 * The order book of interval t and the network of the current topology, read from state, as the validity
 * predicates see them (intents/book.ts): the single intents, then the entries of the day's intent series
 * (series.ts). Cancelled intents are holes (null); an intent whose expiry is at or before `nowMs` is marked
 * expired.
 */
export function loadBook(
  state: StateOverlay,
  t: number,
  params: { intervalMinutes: number; genesisHash: string },
  nowMs: number,
): Book {
  return {
    ...loadBookWithoutNetwork(state, t, params, nowMs),
    network: loadMarketNetwork(state, params.genesisHash),
  };
}

/** loadBook without the network (marketNetworkSpec says what it is built from), for a solver elsewhere. */
export function loadBookWithoutNetwork(
  state: StateOverlay,
  t: number,
  params: { intervalMinutes: number },
  nowMs: number,
): Omit<Book, "network"> {
  const market = readMarketParams(state);
  const record = getInterval(state, t) ?? EMPTY_INTERVAL;
  const intents: (BookIntent | null)[] = [];
  for (let seq = 0; seq < record.intents; seq++) {
    const it = getIntent(state, t, seq);
    assert(it !== undefined, `intent ${seq} of interval ${t} exists`);
    if (it.status !== "open") {
      intents.push(null);
      continue;
    }
    intents.push({
      seq,
      id: String(seq),
      participant: it.participant,
      side: it.side,
      quantityWh: it.quantityWh,
      minFillWh: it.minFillWh,
      limitPrice: it.limitPrice,
      bus: it.bus,
      microgrid: it.microgrid,
      kind: it.kind,
      carbon: it.carbon,
      priority: it.priority,
      predicates: it.predicates,
      expired: it.expiresAtMs !== null && it.expiresAtMs <= nowMs,
    });
  }
  // Then one number per series slot of t's day (series.ts).
  for (const e of seriesEntriesOf(state, t, params.intervalMinutes)) {
    if (e === null) {
      intents.push(null);
      continue;
    }
    const seq = intents.length;
    const r = e.record;
    intents.push({
      seq,
      id: String(seq),
      participant: r.participant,
      side: r.side,
      quantityWh: e.quantityWh,
      minFillWh: 0,
      limitPrice: e.limitPrice,
      bus: r.bus,
      microgrid: r.microgrid,
      kind: r.kind,
      carbon: r.carbon,
      priority: r.priority,
      predicates: r.predicates,
      expired: false,
    });
  }
  return {
    interval: t,
    intervalMinutes: params.intervalMinutes,
    intents,
    lifeline: {
      priceMicrosPerKWh: market.regulatedPriceMicrosPerKWh,
      baselineWhPerParticipant: market.lifelineBaselineWh,
    },
  };
}

/**
 * Market networks by topology. Building one factorizes the susceptance matrix, so it is kept for as long as
 * the topology stays the same; the key is a hash of everything the network is built from (the genesis hash
 * fixes buses, branches and their electrical data; then the topology), so a cached network is exactly the
 * one that would be built: the cache changes how fast, never what.
 */
const cache = new Map<string, MarketNetwork>();
const CACHE_SIZE = 4;

/**
 * The key of the network of the current topology (a hash of the genesis hash and the topology: branches in
 * service, switches closed, islanded microgrids), and what to build it from, made only when asked for (a
 * cached network needs only the key).
 */
export function marketNetworkSpec(
  state: StateOverlay,
  genesisHash: string,
): { key: string; input: () => MarketNetworkInput } {
  const last = lastSpec;
  if (last !== undefined && last.genesisHash === genesisHash && sameSources(state, last)) {
    return { key: last.key, input: () => specOf(state, genesisHash).input() };
  }
  const spec = specOf(state, genesisHash);
  lastSpec = { genesisHash, key: spec.key, microgrids: spec.microgrids, sources: [] };
  lastSpec.sources = sourcesOf(state, lastSpec);
  return spec;
}

/**
 * The last key made, with the sources (StateOverlay.source) of every row it was made from: while each is
 * the same object, the rows are the same and so is the key, which then costs a lookup per row instead of
 * decoding them and hashing (the solver's book and the solution check both ask, every interval). A memo of
 * a pure function of the rows: it can never change a key.
 */
let lastSpec:
  | { genesisHash: string; key: string; microgrids: string[]; sources: (object | undefined)[] }
  | undefined;

/** The network's rows, in a fixed order: its size and record, branches, switches, buses, microgrids. */
function sourcesOf(state: StateOverlay, spec: { microgrids: string[] }): (object | undefined)[] {
  const out: (object | undefined)[] = [state.source(NETWORK_KEY), state.source(MARKET_NETWORK_KEY)];
  const size = getNetwork(state);
  const rec = state.get<MarketNetworkRecord>(MARKET_NETWORK_KEY);
  if (size === undefined || rec === undefined) return out;
  for (let k = 0; k < size.branchCount; k++) out.push(state.source(branchKey(k)));
  for (let k = 0; k < size.switchCount; k++) out.push(state.source(switchKey(k)));
  for (const id of rec.busIds) out.push(state.source(busKey(id)));
  for (const mg of spec.microgrids) out.push(state.source(gridMicrogridKey(mg)));
  return out;
}

function sameSources(state: StateOverlay, last: NonNullable<typeof lastSpec>): boolean {
  const now = sourcesOf(state, last);
  if (now.length !== last.sources.length) return false;
  for (let i = 0; i < now.length; i++) if (now[i] !== last.sources[i]) return false;
  return true;
}

/** marketNetworkSpec made from the rows, and the microgrids that have buses (ids sorted). */
function specOf(
  state: StateOverlay,
  genesisHash: string,
): { key: string; input: () => MarketNetworkInput; microgrids: string[] } {
  const rec = state.get<MarketNetworkRecord>(MARKET_NETWORK_KEY);
  const size = getNetwork(state);
  assert(rec !== undefined && size !== undefined, "genesis wrote the network");
  const branchOn: boolean[] = [];
  for (let k = 0; k < size.branchCount; k++) branchOn.push(getBranch(state, k)?.inService === true);
  const switchClosed: boolean[] = [];
  for (let k = 0; k < size.switchCount; k++) switchClosed.push(getSwitch(state, k)?.closed === true);
  // Microgrid membership of every bus, then the islanded microgrids' bus sets (ids sorted).
  const members = new Map<string, number[]>();
  for (const id of rec.busIds) {
    const mg = getBus(state, id)?.microgrid ?? null;
    if (mg === null) continue;
    const list = members.get(mg);
    if (list === undefined) members.set(mg, [id]);
    else list.push(id);
  }
  const islanded: number[][] = [];
  const microgrids = [...members.keys()].sort();
  for (const mg of microgrids) {
    if (getMicrogridGrid(state, mg)?.islanded === true) islanded.push(members.get(mg) as number[]);
  }
  const bits = (xs: boolean[]) => xs.map((x) => (x ? "1" : "0")).join("");
  const key = toHex(
    hashTagged(
      "plurigrid/market-network",
      new TextEncoder().encode(JSON.stringify([genesisHash, bits(branchOn), bits(switchClosed), islanded])),
    ),
  );
  const input = (): MarketNetworkInput => {
    const branches: MarketBranch[] = [];
    for (let k = 0; k < size.branchCount; k++) {
      const b = getBranch(state, k);
      assert(b !== undefined, `branch ${k} exists`);
      const [xPu, tap, rateMw] = rec.branches[k];
      branches.push({ fromBus: b.fromBus, toBus: b.toBus, inService: branchOn[k], xPu, tap, rateMw });
    }
    const switches = [];
    for (let k = 0; k < size.switchCount; k++) {
      const s = getSwitch(state, k);
      assert(s !== undefined, `switch ${k} exists`);
      switches.push({ fromBus: s.fromBus, toBus: s.toBus, closed: switchClosed[k] });
    }
    return { busIds: rec.busIds, branches, switches, baseMva: rec.baseMva, islandedGroups: islanded };
  };
  return { key, input, microgrids };
}

/** The network of the current topology (marketNetworkSpec), built once per topology. */
export function loadMarketNetwork(state: StateOverlay, genesisHash: string): MarketNetwork {
  const { key, input } = marketNetworkSpec(state, genesisHash);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const net = buildMarketNetwork(input());
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, net);
  return net;
}
