import { PlurigridError } from "../core/errors.js";
import { BusType, emptySwitches, type Network } from "../grid/model.js";
import { makeBdc, type PfNodes, pfNodes } from "../grid/pf/index.js";
import {
  analyze,
  factor,
  fromTriplets,
  type LuNumeric,
  solve,
  solveTranspose,
} from "../grid/sparse/index.js";

/**
 * The network as the market's validity predicates see it: which buses exist, which island each is in under
 * the current topology, how far apart buses are, and the DC flows that net injections cause.
 *
 * Flows are PTDF · injections (Wood & Wollenberg, 3rd ed., §7.3), computed the way grid/sensitivity computes
 * a PTDF column: one solve with the reduced susceptance matrix B (slack: the lowest-index bus of each
 * island, so no solve depends on which buses carry generation), then f = Bf·θ. Every island is solved: the
 * market's injections are balanced per island, which makes the flows independent of the slack.
 * Determinism: only + − × ÷ (and comparisons) in a fixed order, from one sparse LU with a fixed ordering.
 */

/** One branch of the market network. Reactance in p.u. on `baseMva`; a rating of 0 means unlimited. */
export interface MarketBranch {
  fromBus: number;
  toBus: number;
  inService: boolean;
  xPu: number;
  /** Off-nominal tap ratio; 0 means 1 (MATPOWER). */
  tap: number;
  rateMw: number;
}

export interface MarketNetworkInput {
  /** External bus numbers, in network order. */
  busIds: readonly number[];
  branches: readonly MarketBranch[];
  switches?: readonly { fromBus: number; toBus: number; closed: boolean }[];
  baseMva?: number;
  /**
   * Bus sets of islanded microgrids: every branch and switch joining such a set to a bus outside it is
   * treated as open (the point of common coupling is open).
   */
  islandedGroups?: readonly (readonly number[])[];
}

/**
 * Tolerance of the branch-flow check, MW: a flow may exceed its rating by at most 1 kW (250 Wh over a
 * 15-minute interval), far below any rating and above the rounding of fills to whole Wh a solver must do.
 * The same tolerance decides whether a branch is at its limit (complementary slackness of certificates).
 */
export const FLOW_TOLERANCE_MW = 0.001;

export interface MarketNetwork {
  /** The same network as a grid model (topology of this market network applied), for the clearing. */
  readonly grid: Network;
  readonly busCount: number;
  readonly branchCount: number;
  readonly busIds: Int32Array;
  /** Index of an external bus number, or -1. */
  busIndex(busId: number): number;
  /** Island of each bus index (connected component of the current topology). */
  readonly islandOfBus: Int32Array;
  readonly islandCount: number;
  /** 1 for branches that carry flow (in service, not across an islanded microgrid's boundary). */
  readonly branchOn: Uint8Array;
  readonly rateMw: Float64Array;
  readonly baseMva: number;
  /** Flow on every branch (MW, from end) for net injections in MW per bus index. */
  flowsMw(injectionMw: Float64Array): Float64Array;
  /** Σ_l μ_l · PTDF[l][i] for every bus index i, for a few (branch, μ) pairs (slack: lowest bus of each island). */
  ptdfTransposeTimes(entries: readonly (readonly [number, number])[]): Float64Array;
  /** Hop distance between two bus indices over in-service branches and closed switches, or -1 beyond maxHops. */
  distance(fromBus: number, toBus: number, maxHops: number): number;
}

function invalid(message: string, details: Record<string, unknown> = {}): never {
  throw new PlurigridError("MARKET_NETWORK_INVALID", message, details);
}

/** The grid `Network` behind a market network: one generator per bus so that every island is solved. */
function gridNetwork(input: MarketNetworkInput, index: Map<number, number>): Network {
  const nb = input.busIds.length;
  const group = new Int32Array(nb).fill(-1);
  (input.islandedGroups ?? []).forEach((buses, g) => {
    for (const id of buses) {
      const i = index.get(id);
      if (i !== undefined) group[i] = g;
    }
  });
  const at = (id: number, what: string): number => {
    const i = index.get(id);
    if (i === undefined) invalid(`${what} refers to bus ${id}, which is not in the network`, { bus: id });
    return i;
  };
  const nl = input.branches.length;
  const branch = {
    count: nl,
    from: new Int32Array(nl),
    to: new Int32Array(nl),
    rPu: new Float64Array(nl),
    xPu: new Float64Array(nl),
    bPu: new Float64Array(nl),
    rateAMva: new Float64Array(nl),
    rateBMva: new Float64Array(nl),
    rateCMva: new Float64Array(nl),
    tap: new Float64Array(nl),
    shiftDeg: new Float64Array(nl),
    status: new Uint8Array(nl),
    angMinDeg: new Float64Array(nl).fill(-360),
    angMaxDeg: new Float64Array(nl).fill(360),
  };
  input.branches.forEach((b, k) => {
    const f = at(b.fromBus, `branch ${k}`);
    const t = at(b.toBus, `branch ${k}`);
    if (!(b.xPu !== 0 && Number.isFinite(b.xPu)))
      invalid(`branch ${k} has reactance ${b.xPu}`, { branch: k });
    branch.from[k] = f;
    branch.to[k] = t;
    branch.xPu[k] = b.xPu;
    branch.tap[k] = b.tap;
    branch.rateAMva[k] = b.rateMw;
    branch.status[k] = b.inService && group[f] === group[t] ? 1 : 0;
  });
  const sw = input.switches ?? [];
  const switches = emptySwitches();
  switches.count = sw.length;
  switches.from = new Int32Array(sw.length);
  switches.to = new Int32Array(sw.length);
  switches.closed = new Uint8Array(sw.length);
  sw.forEach((s, k) => {
    const f = at(s.fromBus, `switch ${k}`);
    const t = at(s.toBus, `switch ${k}`);
    switches.from[k] = f;
    switches.to[k] = t;
    switches.closed[k] = s.closed && group[f] === group[t] ? 1 : 0;
  });
  const zeros = () => new Float64Array(nb);
  return {
    name: "market",
    baseMva: input.baseMva ?? 100,
    bus: {
      count: nb,
      id: Int32Array.from(input.busIds),
      type: new Int8Array(nb).fill(BusType.PQ),
      pdMw: zeros(),
      qdMvar: zeros(),
      gsMw: zeros(),
      bsMvar: zeros(),
      area: new Int32Array(nb).fill(1),
      vmPu: new Float64Array(nb).fill(1),
      vaDeg: zeros(),
      baseKv: zeros(),
      zone: new Int32Array(nb).fill(1),
      vmMaxPu: new Float64Array(nb).fill(1.1),
      vmMinPu: new Float64Array(nb).fill(0.9),
    },
    gen: {
      count: nb,
      bus: Int32Array.from({ length: nb }, (_, i) => i),
      pgMw: zeros(),
      qgMvar: zeros(),
      qgMaxMvar: zeros(),
      qgMinMvar: zeros(),
      vgPu: new Float64Array(nb).fill(1),
      mBaseMva: new Float64Array(nb).fill(100),
      status: new Uint8Array(nb).fill(1),
      pgMaxMw: zeros(),
      pgMinMw: zeros(),
    },
    branch,
    genCost: [],
    genCostQ: [],
    switches,
    busNames: [],
    extra: { bus: [], gen: [], branch: [] },
  };
}

/** Builds the market's view of a network (factorizes once; reuse it for every check on this topology). */
export function buildMarketNetwork(input: MarketNetworkInput): MarketNetwork {
  const nb = input.busIds.length;
  const index = new Map<number, number>();
  input.busIds.forEach((id, i) => {
    if (index.has(id)) invalid(`bus ${id} is listed twice`, { bus: id });
    index.set(id, i);
  });
  const net = gridNetwork(input, index);
  const nodes: PfNodes = pfNodes(net);
  const bdc = makeBdc(net, nodes);
  const n = nodes.count;
  const isl = nodes.islands;

  // Slack of each island: the node of its lowest-index bus.
  const isSlack = new Uint8Array(n);
  for (let k = 0; k < isl.count; k++) isSlack[nodes.nodeOfBus[isl.buses[k][0]]] = 1;
  const pos = new Int32Array(n).fill(-1);
  let m = 0;
  for (let j = 0; j < n; j++) if (!isSlack[j]) pos[j] = m++;
  const { colPtr, rowIdx, values } = bdc.b;
  const rr: number[] = [];
  const rc: number[] = [];
  const rv: number[] = [];
  for (let j = 0; j < n; j++) {
    if (pos[j] < 0) continue;
    for (let p = colPtr[j]; p < colPtr[j + 1]; p++) {
      if (pos[rowIdx[p]] < 0) continue;
      rr.push(pos[rowIdx[p]]);
      rc.push(pos[j]);
      rv.push(values[p]);
    }
  }
  let lu: LuNumeric | undefined;
  if (m > 0) {
    const reduced = fromTriplets(m, m, rr, rc, rv);
    lu = factor(reduced, analyze(reduced));
  }

  const br = net.branch;
  const nl = br.count;
  const susceptance = new Float64Array(nl);
  const nodeFrom = new Int32Array(nl);
  const nodeTo = new Int32Array(nl);
  for (let k = 0; k < nl; k++) {
    nodeFrom[k] = nodes.nodeOfBus[br.from[k]];
    nodeTo[k] = nodes.nodeOfBus[br.to[k]];
    if (nodes.branchOn[k]) susceptance[k] = 1 / (br.xPu[k] * (br.tap[k] === 0 ? 1 : br.tap[k]));
  }
  const rateMw = Float64Array.from(br.rateAMva);
  const base = net.baseMva;

  // Bus adjacency (CSR) for hop distances: in-service branches and closed switches.
  const degree = new Int32Array(nb + 1);
  const edges: [number, number][] = [];
  for (let k = 0; k < nl; k++) if (nodes.branchOn[k]) edges.push([br.from[k], br.to[k]]);
  for (let s = 0; s < net.switches.count; s++)
    if (net.switches.closed[s]) edges.push([net.switches.from[s], net.switches.to[s]]);
  for (const [a, b] of edges) {
    degree[a + 1]++;
    degree[b + 1]++;
  }
  for (let i = 0; i < nb; i++) degree[i + 1] += degree[i];
  const adj = new Int32Array(degree[nb]);
  const fill = degree.slice(0, nb);
  for (const [a, b] of edges) {
    adj[fill[a]++] = b;
    adj[fill[b]++] = a;
  }
  const distCache = new Map<number, { hops: number; dist: Map<number, number> }>();
  const bfs = (source: number, maxHops: number): Map<number, number> => {
    const cached = distCache.get(source);
    if (cached !== undefined && cached.hops >= maxHops) return cached.dist;
    const dist = new Map<number, number>([[source, 0]]);
    let frontier = [source];
    for (let h = 1; h <= maxHops && frontier.length > 0; h++) {
      const next: number[] = [];
      for (const u of frontier) {
        for (let p = degree[u]; p < degree[u + 1]; p++) {
          const v = adj[p];
          if (!dist.has(v)) {
            dist.set(v, h);
            next.push(v);
          }
        }
      }
      frontier = next;
    }
    distCache.set(source, { hops: maxHops, dist });
    return dist;
  };

  return {
    grid: net,
    busCount: nb,
    branchCount: nl,
    busIds: Int32Array.from(input.busIds),
    busIndex: (busId) => index.get(busId) ?? -1,
    islandOfBus: isl.islandOfBus,
    islandCount: isl.count,
    branchOn: nodes.branchOn,
    rateMw,
    baseMva: base,
    flowsMw(injectionMw: Float64Array): Float64Array {
      const x = new Float64Array(m);
      for (let i = 0; i < nb; i++) {
        const v = injectionMw[i];
        if (v === 0) continue;
        const j = nodes.nodeOfBus[i];
        if (j >= 0 && pos[j] >= 0) x[pos[j]] += v / base;
      }
      if (lu !== undefined) solve(lu, x);
      const flows = new Float64Array(nl);
      for (let k = 0; k < nl; k++) {
        if (!nodes.branchOn[k]) continue;
        const pf = pos[nodeFrom[k]];
        const pt = pos[nodeTo[k]];
        flows[k] = susceptance[k] * ((pf >= 0 ? x[pf] : 0) - (pt >= 0 ? x[pt] : 0)) * base;
      }
      return flows;
    },
    ptdfTransposeTimes(entries): Float64Array {
      // PTDF = Bf·B⁻¹ (reduced), so PTDFᵀ·μ = B⁻ᵀ·(Bfᵀ·μ): one transposed solve for all entries.
      const y = new Float64Array(m);
      for (const [k, mu] of entries) {
        if (!nodes.branchOn[k]) continue;
        const pf = pos[nodeFrom[k]];
        const pt = pos[nodeTo[k]];
        if (pf >= 0) y[pf] += susceptance[k] * mu;
        if (pt >= 0) y[pt] -= susceptance[k] * mu;
      }
      if (lu !== undefined) solveTranspose(lu, y);
      const out = new Float64Array(nb);
      for (let i = 0; i < nb; i++) {
        const j = nodes.nodeOfBus[i];
        if (j >= 0 && pos[j] >= 0) out[i] = y[pos[j]];
      }
      return out;
    },
    distance(fromBus, toBus, maxHops) {
      if (fromBus === toBus) return 0;
      const d = bfs(fromBus, maxHops).get(toBus);
      return d !== undefined && d <= maxHops ? d : -1;
    },
  };
}

/** The market network of a MATPOWER case (ratings: rateA; closed/open switches as in the case). */
export function marketNetworkOfCase(net: Network): MarketNetwork {
  const branches: MarketBranch[] = [];
  for (let k = 0; k < net.branch.count; k++) {
    branches.push({
      fromBus: net.bus.id[net.branch.from[k]],
      toBus: net.bus.id[net.branch.to[k]],
      inService: net.branch.status[k] !== 0,
      xPu: net.branch.xPu[k],
      tap: net.branch.tap[k],
      rateMw: net.branch.rateAMva[k],
    });
  }
  const switches = [];
  for (let s = 0; s < net.switches.count; s++) {
    switches.push({
      fromBus: net.bus.id[net.switches.from[s]],
      toBus: net.bus.id[net.switches.to[s]],
      closed: net.switches.closed[s] !== 0,
    });
  }
  return buildMarketNetwork({ busIds: Array.from(net.bus.id), branches, switches, baseMva: net.baseMva });
}
