/**
 * The electrical nodes a power flow solves for. A node is a bus, or several buses joined by closed
 * switches; buses that are isolated (type 4) or in an island without generation are left out (not
 * energized), as MATPOWER's ext2int leaves out isolated buses. Nodes are numbered in the order of their
 * first bus, so without switches node i is the i-th energized bus.
 */
import { BusType, type Network } from "../model.js";
import { branchesInService, gensInService, type Islands, islands } from "../topology/islands.js";
import { switchGroups } from "../topology/switch-groups.js";

export interface NodeMap {
  count: number;
  /** Node of each bus, -1 when the bus is not part of the system solved. */
  nodeOfBus: Int32Array;
  /** 1 for branches that join two nodes (or the same node twice, for a branch across a closed switch). */
  branchOn: Uint8Array;
}

/** One node per bus, every branch with status 1 (MATPOWER's makeYbus/makeBdc on the raw tables). */
export function identityNodeMap(net: Network): NodeMap {
  const nodeOfBus = new Int32Array(net.bus.count);
  for (let i = 0; i < nodeOfBus.length; i++) nodeOfBus[i] = i;
  const branchOn = new Uint8Array(net.branch.count);
  for (let k = 0; k < branchOn.length; k++) branchOn[k] = net.branch.status[k] !== 0 ? 1 : 0;
  return { count: net.bus.count, nodeOfBus, branchOn };
}

export interface PfNodes extends NodeMap {
  /** First (lowest-index) bus of each node. */
  busOfNode: Int32Array;
  islandOfNode: Int32Array;
  islands: Islands;
  /** Generators that inject: in service and at an energized bus. */
  genOn: Uint8Array;
  /** Node of each generator, -1 when it does not inject. */
  nodeOfGen: Int32Array;
}

export function pfNodes(net: Network): PfNodes {
  const isl = islands(net);
  const groups = switchGroups(net);
  const nb = net.bus.count;
  const energized = (i: number): boolean =>
    isl.islandOfBus[i] >= 0 && isl.deenergized[isl.islandOfBus[i]] === 0;

  const nodeOfGroup = new Int32Array(groups.count).fill(-1);
  const nodeOfBus = new Int32Array(nb).fill(-1);
  const busOfNode: number[] = [];
  const islandOfNode: number[] = [];
  for (let i = 0; i < nb; i++) {
    if (!energized(i)) continue;
    const g = groups.groupOfBus[i];
    if (nodeOfGroup[g] < 0) {
      nodeOfGroup[g] = busOfNode.length;
      busOfNode.push(i);
      islandOfNode.push(isl.islandOfBus[i]);
    }
    nodeOfBus[i] = nodeOfGroup[g];
  }
  const brIn = branchesInService(net);
  const branchOn = new Uint8Array(net.branch.count);
  for (let k = 0; k < branchOn.length; k++)
    branchOn[k] = brIn[k] && nodeOfBus[net.branch.from[k]] >= 0 ? 1 : 0;
  const genIn = gensInService(net);
  const genOn = new Uint8Array(net.gen.count);
  const nodeOfGen = new Int32Array(net.gen.count).fill(-1);
  for (let g = 0; g < genOn.length; g++) {
    const node = nodeOfBus[net.gen.bus[g]];
    if (genIn[g] && node >= 0) {
      genOn[g] = 1;
      nodeOfGen[g] = node;
    }
  }
  return {
    count: busOfNode.length,
    nodeOfBus,
    branchOn,
    busOfNode: Int32Array.from(busOfNode),
    islandOfNode: Int32Array.from(islandOfNode),
    islands: isl,
    genOn,
    nodeOfGen,
  };
}

/** Reference, PV and PQ nodes, each list ascending (MATPOWER's [ref, pv, pq] = bustypes(bus, gen)). */
export interface NodeTypes {
  ref: Int32Array;
  pv: Int32Array;
  pq: Int32Array;
  /** BusType code per node as solved: REF, PV or PQ. */
  type: Int8Array;
  /** Islands that have no generator left to act as reference (the system cannot be solved as is). */
  islandsWithoutRef: number[];
}

/**
 * MATPOWER's bustypes per node: a REF or PV node is voltage-controlled only while it hosts an injecting
 * generator, otherwise it is solved as PQ. An island with no REF node gets one by the rule of
 * `topology/islands` (the PV node of the largest in-service unit, else any node with generation).
 * `busType` and `genOn` default to the network's and may be overridden (reactive-limit enforcement turns
 * buses into PQ and switches generators off).
 */
export function classifyNodes(
  net: Network,
  nodes: PfNodes,
  busType: Int8Array = net.bus.type,
  genOn: Uint8Array = nodes.genOn,
): NodeTypes {
  const n = nodes.count;
  const declared = new Int8Array(n).fill(BusType.PQ);
  for (let i = 0; i < net.bus.count; i++) {
    const j = nodes.nodeOfBus[i];
    if (j < 0) continue;
    const t = busType[i];
    if (t === BusType.REF || (t === BusType.PV && declared[j] !== BusType.REF)) declared[j] = t;
  }
  const hasGen = new Uint8Array(n);
  for (let g = 0; g < net.gen.count; g++)
    if (genOn[g] && nodes.nodeOfGen[g] >= 0) hasGen[nodes.nodeOfGen[g]] = 1;

  const type = new Int8Array(n);
  const nIsl = nodes.islands.count;
  const islandHasRef = new Uint8Array(nIsl);
  for (let j = 0; j < n; j++) {
    type[j] = hasGen[j] && declared[j] !== BusType.PQ ? declared[j] : BusType.PQ;
    if (type[j] === BusType.REF) islandHasRef[nodes.islandOfNode[j]] = 1;
  }
  // Islands without a usable REF: the largest in-service unit, preferring PV nodes, becomes reference.
  for (const pvOnly of [true, false]) {
    const best = new Float64Array(nIsl).fill(Number.NEGATIVE_INFINITY);
    const chosen = new Int32Array(nIsl).fill(-1);
    for (let g = 0; g < net.gen.count; g++) {
      const j = nodes.nodeOfGen[g];
      if (!genOn[g] || j < 0) continue;
      const k = nodes.islandOfNode[j];
      if (islandHasRef[k] || (pvOnly && type[j] !== BusType.PV)) continue;
      const pmax = net.gen.pgMaxMw[g];
      if (chosen[k] < 0 || pmax > best[k] || (pmax === best[k] && j < chosen[k])) {
        best[k] = pmax;
        chosen[k] = j;
      }
    }
    for (let k = 0; k < nIsl; k++) {
      if (chosen[k] < 0) continue;
      type[chosen[k]] = BusType.REF;
      islandHasRef[k] = 1;
    }
  }
  const ref: number[] = [];
  const pv: number[] = [];
  const pq: number[] = [];
  for (let j = 0; j < n; j++) {
    if (type[j] === BusType.REF) ref.push(j);
    else if (type[j] === BusType.PV) pv.push(j);
    else pq.push(j);
  }
  const islandsWithoutRef: number[] = [];
  const islandHasNode = new Uint8Array(nIsl);
  for (let j = 0; j < n; j++) islandHasNode[nodes.islandOfNode[j]] = 1;
  for (let k = 0; k < nIsl; k++) if (islandHasNode[k] && !islandHasRef[k]) islandsWithoutRef.push(k);
  return {
    ref: Int32Array.from(ref),
    pv: Int32Array.from(pv),
    pq: Int32Array.from(pq),
    type,
    islandsWithoutRef,
  };
}
