import type { LpProblem } from "../lp/types.js";
import type { Network } from "../model.js";
import type { DcOpfModel } from "./dcopf-model.js";

/**
 * Bounds on the bus angles that the DC-OPF constraints already imply, for solvers that struggle with free
 * columns (HiGHS's active-set QP method fails on pglib_opf_case10000_goc with free angles and succeeds
 * with bounded ones).
 *
 * A branch whose flow is limited (|b·Δθ + Pfinj| ≤ rate) or whose angle difference is limited cannot
 * carry an angle difference larger than w_k = min((rate + |Pfinj|)/|b|, max(|angmin|, |angmax|)). So in
 * every feasible point |θ_i − θ_ref| ≤ d_i, the shortest path from the island's reference bus to bus i
 * with lengths w_k (Dijkstra). The returned copy of the problem bounds each angle by θ_ref ± d_i; since
 * these bounds are implied by the constraints, the feasible set, the optimum and its multipliers are
 * unchanged. Buses reached only through unlimited branches keep infinite bounds.
 */
export function withImpliedAngleBounds(net: Network, m: DcOpfModel): LpProblem {
  const p = m.problem;
  const { branch } = net;
  const nb = net.bus.count;
  const w = new Float64Array(branch.count).fill(Number.POSITIVE_INFINITY);
  for (let k = 0; k < branch.count; k++) {
    if (m.bPu[k] === 0) continue;
    const fr = m.flowRow[k];
    if (fr >= 0) {
      const rate = Math.max(Math.abs(p.rowLower[fr]), Math.abs(p.rowUpper[fr]));
      w[k] = Math.min(w[k], rate / Math.abs(m.bPu[k]));
    }
    const ar = m.angleRow[k];
    if (ar >= 0) w[k] = Math.min(w[k], Math.max(Math.abs(p.rowLower[ar]), Math.abs(p.rowUpper[ar])));
  }

  // Adjacency of in-service branches (CSR).
  const start = new Int32Array(nb + 1);
  for (let k = 0; k < branch.count; k++) {
    if (m.bPu[k] === 0 || !Number.isFinite(w[k])) continue;
    start[branch.from[k] + 1]++;
    start[branch.to[k] + 1]++;
  }
  for (let i = 0; i < nb; i++) start[i + 1] += start[i];
  const adj = new Int32Array(start[nb]);
  const fill = start.slice(0, nb);
  for (let k = 0; k < branch.count; k++) {
    if (m.bPu[k] === 0 || !Number.isFinite(w[k])) continue;
    adj[fill[branch.from[k]]++] = k;
    adj[fill[branch.to[k]]++] = k;
  }

  const dist = new Float64Array(nb).fill(Number.POSITIVE_INFINITY);
  const heap = new MinHeap(nb);
  const lower = Float64Array.from(p.colLower);
  const upper = Float64Array.from(p.colUpper);
  for (let i = 0; i < nb; i++) {
    const c = m.vaCol[i];
    // Reference buses are the fixed angle columns.
    if (c < 0 || lower[c] !== upper[c]) continue;
    dist[i] = 0;
    heap.push(i, 0);
  }
  while (heap.size > 0) {
    const i = heap.pop();
    const di = dist[i];
    for (let e = start[i]; e < start[i + 1]; e++) {
      const k = adj[e];
      const o = branch.from[k] === i ? branch.to[k] : branch.from[k];
      const d = di + w[k];
      if (d < dist[o]) {
        dist[o] = d;
        heap.push(o, d);
      }
    }
  }
  for (let i = 0; i < nb; i++) {
    const c = m.vaCol[i];
    if (c < 0 || lower[c] === upper[c] || !Number.isFinite(dist[i])) continue;
    const ref = refAngle(m, lower, upper, i);
    lower[c] = ref - dist[i];
    upper[c] = ref + dist[i];
  }
  return { ...p, colLower: lower, colUpper: upper };
}

/** Angle of the reference bus of bus i's island. */
function refAngle(m: DcOpfModel, lower: Float64Array, upper: Float64Array, i: number): number {
  const isl = m.islands.islandOfBus[i];
  for (const j of m.islands.buses[isl]) {
    const c = m.vaCol[j];
    if (lower[c] === upper[c]) return lower[c];
  }
  return 0;
}

/** Binary min-heap of (item, key) with lazy deletion: stale entries are skipped by the caller's test. */
class MinHeap {
  private items: Int32Array;
  private keys: Float64Array;
  size = 0;
  constructor(capacity: number) {
    this.items = new Int32Array(Math.max(4, capacity));
    this.keys = new Float64Array(Math.max(4, capacity));
  }
  push(item: number, key: number): void {
    if (this.size === this.items.length) {
      const items = new Int32Array(this.size * 2);
      const keys = new Float64Array(this.size * 2);
      items.set(this.items);
      keys.set(this.keys);
      this.items = items;
      this.keys = keys;
    }
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent] <= key) break;
      this.items[i] = this.items[parent];
      this.keys[i] = this.keys[parent];
      i = parent;
    }
    this.items[i] = item;
    this.keys[i] = key;
  }
  pop(): number {
    const top = this.items[0];
    const lastItem = this.items[--this.size];
    const lastKey = this.keys[this.size];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && this.keys[child + 1] < this.keys[child]) child++;
      if (this.keys[child] >= lastKey) break;
      this.items[i] = this.items[child];
      this.keys[i] = this.keys[child];
      i = child;
    }
    this.items[i] = lastItem;
    this.keys[i] = lastKey;
    return top;
  }
}
