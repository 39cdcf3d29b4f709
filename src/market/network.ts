import { PlurigridError } from "../core/errors.js";
import { busIndexById, type Network } from "../grid/model.js";
import { pfNodes } from "../grid/pf/index.js";
import type { OrderTable } from "./orders.js";

/**
 * The network as the clearing sees it: electrical nodes (buses, or buses joined by closed switches),
 * islands of the current topology, and the DC model of the branches.
 *
 * The case gives topology, reactances and ratings (rateA; 0 = unlimited). Its own loads, generators and
 * phase shifters are not part of the market: flows are caused by the intents' net injections alone. Every
 * island with a bus is solved (energized by the market), only isolated buses (type 4) are not.
 */
export interface MarketGrid {
  readonly net: Network;
  /** Electrical nodes: node of each bus index (−1: isolated bus, cannot trade). */
  readonly nodeCount: number;
  readonly nodeOfBus: Int32Array;
  readonly islandOfNode: Int32Array;
  readonly islandCount: number;
  /** The node whose angle is fixed in each island (its first node). */
  readonly refNodeOfIsland: Int32Array;
  /** Branches that carry flow: node ends and susceptance 1/(x·tap), p.u. */
  readonly branchOn: Uint8Array;
  readonly fromNode: Int32Array;
  readonly toNode: Int32Array;
  readonly susceptancePu: Float64Array;
  /** Bus index of an external bus number (−1 when absent). */
  busIndex(busId: number): number;
  /** Hop distance between two bus indices (branches in service and closed switches), −1 beyond maxHops. */
  distance(fromBus: number, toBus: number, maxHops: number): number;
}

export function marketGrid(net: Network): MarketGrid {
  // One generator per bus so that no island is left de-energized: the market supplies every island.
  const nb = net.bus.count;
  const energized: Network = {
    ...net,
    gen: {
      count: nb,
      bus: Int32Array.from({ length: nb }, (_, i) => i),
      pgMw: new Float64Array(nb),
      qgMvar: new Float64Array(nb),
      qgMaxMvar: new Float64Array(nb),
      qgMinMvar: new Float64Array(nb),
      vgPu: new Float64Array(nb).fill(1),
      mBaseMva: new Float64Array(nb).fill(100),
      status: new Uint8Array(nb).fill(1),
      pgMaxMw: new Float64Array(nb),
      pgMinMw: new Float64Array(nb),
    },
    genCost: [],
    genCostQ: [],
  };
  const nodes = pfNodes(energized);
  const nl = net.branch.count;
  const fromNode = new Int32Array(nl).fill(-1);
  const toNode = new Int32Array(nl).fill(-1);
  const susceptancePu = new Float64Array(nl);
  for (let k = 0; k < nl; k++) {
    if (!nodes.branchOn[k]) continue;
    const x = net.branch.xPu[k];
    if (!(x !== 0 && Number.isFinite(x))) {
      throw new PlurigridError("MARKET_BAD_NETWORK", `branch ${k} has reactance ${x}`, { branch: k });
    }
    const tap = net.branch.tap[k] === 0 ? 1 : net.branch.tap[k];
    fromNode[k] = nodes.nodeOfBus[net.branch.from[k]];
    toNode[k] = nodes.nodeOfBus[net.branch.to[k]];
    susceptancePu[k] = 1 / (x * tap);
  }
  const islandCount = nodes.islands.count;
  const refNodeOfIsland = new Int32Array(islandCount).fill(-1);
  for (let j = 0; j < nodes.count; j++) {
    const isl = nodes.islandOfNode[j];
    if (refNodeOfIsland[isl] < 0) refNodeOfIsland[isl] = j;
  }

  // Bus adjacency for hop distances (value predicate maxBusDistance).
  const edges: number[] = [];
  for (let k = 0; k < nl; k++) if (nodes.branchOn[k]) edges.push(net.branch.from[k], net.branch.to[k]);
  for (let s = 0; s < net.switches.count; s++) {
    if (net.switches.closed[s]) edges.push(net.switches.from[s], net.switches.to[s]);
  }
  const start = new Int32Array(nb + 1);
  for (const v of edges) start[v + 1]++;
  for (let i = 0; i < nb; i++) start[i + 1] += start[i];
  const adj = new Int32Array(edges.length);
  const next = start.slice(0, nb);
  for (let e = 0; e < edges.length; e += 2) {
    adj[next[edges[e]]++] = edges[e + 1];
    adj[next[edges[e + 1]]++] = edges[e];
  }
  const index = busIndexById(net);
  const seen = new Int32Array(nb).fill(-1);
  let stamp = 0;
  const distance = (a: number, b: number, maxHops: number): number => {
    if (a === b) return 0;
    stamp++;
    seen[a] = stamp;
    let frontier = [a];
    for (let h = 1; h <= maxHops && frontier.length > 0; h++) {
      const nextFrontier: number[] = [];
      for (const u of frontier) {
        for (let p = start[u]; p < start[u + 1]; p++) {
          const v = adj[p];
          if (seen[v] === stamp) continue;
          if (v === b) return h;
          seen[v] = stamp;
          nextFrontier.push(v);
        }
      }
      frontier = nextFrontier;
    }
    return -1;
  };
  return {
    net,
    nodeCount: nodes.count,
    nodeOfBus: nodes.nodeOfBus,
    islandOfNode: nodes.islandOfNode,
    islandCount,
    refNodeOfIsland,
    branchOn: nodes.branchOn,
    fromNode,
    toNode,
    susceptancePu,
    busIndex: (id) => index.get(id) ?? -1,
    distance,
  };
}

/** Where each order sits: bus index, node and island (−1 when it cannot trade over the network). */
export interface Locations {
  busIndex: Int32Array;
  node: Int32Array;
  island: Int32Array;
  islandCount: number;
}

/** Locations without a network: one island, every order in it (a located order keeps no bus index). */
export function copperPlate(table: OrderTable): Locations {
  return {
    busIndex: new Int32Array(table.count).fill(-1),
    node: new Int32Array(table.count),
    island: new Int32Array(table.count),
    islandCount: 1,
  };
}

/** Locations on a network; every order needs a bus of the case (MARKET_NO_BUS, MARKET_UNKNOWN_BUS). */
export function locate(table: OrderTable, grid: MarketGrid): Locations {
  const n = table.count;
  const busIndex = new Int32Array(n);
  const node = new Int32Array(n);
  const island = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = table.orders[i];
    if (o.bus === undefined) {
      throw new PlurigridError("MARKET_NO_BUS", `intent "${o.id}" has no bus: a network clearing needs one`, {
        id: o.id,
      });
    }
    const b = grid.busIndex(o.bus);
    if (b < 0) {
      throw new PlurigridError("MARKET_UNKNOWN_BUS", `intent "${o.id}" is at bus ${o.bus}, not in the case`, {
        id: o.id,
        bus: o.bus,
      });
    }
    busIndex[i] = b;
    node[i] = grid.nodeOfBus[b];
    island[i] = node[i] >= 0 ? grid.islandOfNode[node[i]] : -1;
  }
  return { busIndex, node, island, islandCount: grid.islandCount };
}
