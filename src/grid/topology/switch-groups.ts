import { BusType, type Network } from "../model.js";
import { UnionFind } from "./union-find.js";

/**
 * Buses joined by closed switches form one electrical node (a closed switch has no impedance, so the buses
 * it joins share one voltage). Isolated buses (type 4) stay alone: a switch cannot energise them.
 */
export interface SwitchGroups {
  /** Number of groups (electrical nodes), isolated buses included as groups of one. */
  count: number;
  /** Group of each bus; groups are numbered in the order of their first (lowest-index) bus. */
  groupOfBus: Int32Array;
  /** The lowest-index bus of each group. */
  firstBus: Int32Array;
}

export function switchGroups(net: Network): SwitchGroups {
  const nb = net.bus.count;
  const uf = new UnionFind(nb);
  const sw = net.switches;
  for (let s = 0; s < sw.count; s++) {
    if (sw.closed[s] === 0) continue;
    const a = sw.from[s];
    const b = sw.to[s];
    if (net.bus.type[a] === BusType.NONE || net.bus.type[b] === BusType.NONE) continue;
    uf.union(a, b);
  }
  const groupOfBus = new Int32Array(nb);
  const first: number[] = [];
  for (let i = 0; i < nb; i++) {
    const root = uf.find(i);
    if (root === i) {
      groupOfBus[i] = first.length;
      first.push(i);
    } else {
      // The root is the smallest member, already visited, so its group is known.
      groupOfBus[i] = groupOfBus[root];
    }
  }
  return { count: first.length, groupOfBus, firstBus: Int32Array.from(first) };
}
