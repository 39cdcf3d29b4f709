import { BusType, type Network } from "../model.js";
import { UnionFind } from "./union-find.js";

/**
 * How the reference bus of an island was chosen:
 * - "ref": a bus of type 3 (REF) with in-service generation — the case's own choice, kept (MATPOWER keeps
 *   every such bus as a reference; `refBus` names the first of them in bus order);
 * - "pv-largest-pmax": no usable REF bus, so the PV bus of the in-service generator with the largest Pmax
 *   (ties: the lower bus index) takes the role;
 * - "gen-largest-pmax": no PV bus either, so the bus of the in-service generator with the largest Pmax,
 *   whatever its type (a PQ bus hosting generation);
 * - "none": the island has no in-service generation and is de-energized.
 * MATPOWER's `bustypes` promotes the *first* PV bus instead; the largest unit is a better angle reference
 * and a better slack for the imbalance, and the two rules agree whenever a case names its REF bus.
 */
export type RefRule = "ref" | "pv-largest-pmax" | "gen-largest-pmax" | "none";

export interface Islands {
  count: number;
  /** Island of each bus, or -1 for isolated buses (type 4). Islands are numbered by their lowest bus. */
  islandOfBus: Int32Array;
  /** Bus indices of each island, ascending. */
  buses: Int32Array[];
  /** Reference bus of each island, or -1 when the island is de-energized. */
  refBus: Int32Array;
  refRule: RefRule[];
  /** 1 when the island holds at least one in-service generator. */
  hasGeneration: Uint8Array;
  /** Σ Pd of the island's buses, MW. */
  loadMw: Float64Array;
  /** 1 when the island has no in-service generation: nothing can hold its voltage, it is not solved. */
  deenergized: Uint8Array;
  /** Load of each island left without supply (its loadMw when de-energized, else 0), MW. */
  unsuppliedLoadMw: Float64Array;
  /** Σ unsuppliedLoadMw over all islands, MW. */
  totalUnsuppliedLoadMw: number;
}

/** 1 for every branch that connects buses in the power flow: in service, both ends not isolated. */
export function branchesInService(net: Network): Uint8Array {
  const { branch, bus } = net;
  const on = new Uint8Array(branch.count);
  for (let k = 0; k < branch.count; k++) {
    on[k] =
      branch.status[k] !== 0 &&
      bus.type[branch.from[k]] !== BusType.NONE &&
      bus.type[branch.to[k]] !== BusType.NONE
        ? 1
        : 0;
  }
  return on;
}

/** 1 for every generator that injects power: in service and not at an isolated bus (MATPOWER ext2int). */
export function gensInService(net: Network): Uint8Array {
  const { gen, bus } = net;
  const on = new Uint8Array(gen.count);
  for (let g = 0; g < gen.count; g++) {
    on[g] = gen.status[g] > 0 && bus.type[gen.bus[g]] !== BusType.NONE ? 1 : 0;
  }
  return on;
}

/**
 * Connected components of the network: in-service branches and closed switches among non-isolated buses.
 * Each island gets a reference bus by the rule documented on `RefRule`; islands without generation are
 * reported as de-energized with the load they leave unsupplied, never dropped silently.
 */
export function islands(net: Network): Islands {
  const { bus, branch, gen, switches } = net;
  const nb = bus.count;
  const uf = new UnionFind(nb);
  const brOn = branchesInService(net);
  for (let k = 0; k < branch.count; k++) if (brOn[k]) uf.union(branch.from[k], branch.to[k]);
  for (let s = 0; s < switches.count; s++) {
    if (switches.closed[s] === 0) continue;
    const a = switches.from[s];
    const b = switches.to[s];
    if (bus.type[a] === BusType.NONE || bus.type[b] === BusType.NONE) continue;
    uf.union(a, b);
  }

  const islandOfBus = new Int32Array(nb).fill(-1);
  let count = 0;
  for (let i = 0; i < nb; i++) {
    if (bus.type[i] === BusType.NONE) continue;
    const root = uf.find(i);
    // Roots are the smallest member, so a root is met before the rest of its island.
    islandOfBus[i] = root === i ? count++ : islandOfBus[root];
  }

  const size = new Int32Array(count);
  const loadMw = new Float64Array(count);
  for (let i = 0; i < nb; i++) {
    const k = islandOfBus[i];
    if (k < 0) continue;
    size[k]++;
    loadMw[k] += bus.pdMw[i];
  }
  const buses: Int32Array[] = [];
  for (let k = 0; k < count; k++) buses.push(new Int32Array(size[k]));
  const fill = new Int32Array(count);
  for (let i = 0; i < nb; i++) {
    const k = islandOfBus[i];
    if (k >= 0) buses[k][fill[k]++] = i;
  }

  const genOn = gensInService(net);
  const hasGeneration = new Uint8Array(count);
  const busHasGen = new Uint8Array(nb);
  for (let g = 0; g < gen.count; g++) {
    if (!genOn[g]) continue;
    busHasGen[gen.bus[g]] = 1;
    hasGeneration[islandOfBus[gen.bus[g]]] = 1;
  }

  const refBus = new Int32Array(count).fill(-1);
  const refRule: RefRule[] = new Array<RefRule>(count).fill("none");
  for (let i = 0; i < nb; i++) {
    const k = islandOfBus[i];
    if (k >= 0 && refBus[k] < 0 && bus.type[i] === BusType.REF && busHasGen[i]) {
      refBus[k] = i;
      refRule[k] = "ref";
    }
  }
  pickLargestUnit(net, genOn, islandOfBus, refBus, refRule, true);
  pickLargestUnit(net, genOn, islandOfBus, refBus, refRule, false);

  const deenergized = new Uint8Array(count);
  const unsuppliedLoadMw = new Float64Array(count);
  let totalUnsuppliedLoadMw = 0;
  for (let k = 0; k < count; k++) {
    if (hasGeneration[k]) continue;
    deenergized[k] = 1;
    unsuppliedLoadMw[k] = loadMw[k];
    totalUnsuppliedLoadMw += loadMw[k];
  }
  return {
    count,
    islandOfBus,
    buses,
    refBus,
    refRule,
    hasGeneration,
    loadMw,
    deenergized,
    unsuppliedLoadMw,
    totalUnsuppliedLoadMw,
  };
}

/** For islands still without a reference, the bus of the largest in-service unit (PV buses only, or any). */
function pickLargestUnit(
  net: Network,
  genOn: Uint8Array,
  islandOfBus: Int32Array,
  refBus: Int32Array,
  refRule: RefRule[],
  pvOnly: boolean,
): void {
  const { gen, bus } = net;
  const best = new Float64Array(refBus.length).fill(Number.NEGATIVE_INFINITY);
  const chosen = new Int32Array(refBus.length).fill(-1);
  for (let g = 0; g < gen.count; g++) {
    if (!genOn[g]) continue;
    const i = gen.bus[g];
    const k = islandOfBus[i];
    if (refBus[k] >= 0 || (pvOnly && bus.type[i] !== BusType.PV)) continue;
    const pmax = gen.pgMaxMw[g];
    if (pmax > best[k] || (pmax === best[k] && i < chosen[k]) || chosen[k] < 0) {
      best[k] = pmax;
      chosen[k] = i;
    }
  }
  for (let k = 0; k < refBus.length; k++) {
    if (chosen[k] < 0) continue;
    refBus[k] = chosen[k];
    refRule[k] = pvOnly ? "pv-largest-pmax" : "gen-largest-pmax";
  }
}
