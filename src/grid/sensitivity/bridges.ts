/**
 * Bridges of an undirected multigraph: the edges whose removal disconnects their component (Tarjan,
 * "A note on finding the bridges of a graph", Inf. Process. Lett. 2(6), 1974). Parallel edges are told
 * apart by their edge id, so a pair of parallel branches is never a bridge. Iterative DFS (no recursion
 * depth limit on long radial feeders). O(vertices + edges).
 *
 * `on[k]` selects the edges taken into account; edges from a vertex to itself are never bridges.
 */
export function bridges(vertexCount: number, from: Int32Array, to: Int32Array, on: Uint8Array): Uint8Array {
  const m = from.length;
  const start = new Int32Array(vertexCount + 1);
  for (let k = 0; k < m; k++) {
    if (!on[k] || from[k] === to[k]) continue;
    start[from[k] + 1]++;
    start[to[k] + 1]++;
  }
  for (let v = 0; v < vertexCount; v++) start[v + 1] += start[v];
  const edge = new Int32Array(start[vertexCount]);
  const fill = start.slice(0, vertexCount);
  for (let k = 0; k < m; k++) {
    if (!on[k] || from[k] === to[k]) continue;
    edge[fill[from[k]]++] = k;
    edge[fill[to[k]]++] = k;
  }

  const isBridge = new Uint8Array(m);
  const order = new Int32Array(vertexCount).fill(-1);
  const low = new Int32Array(vertexCount);
  const parentEdge = new Int32Array(vertexCount).fill(-1);
  const next = new Int32Array(vertexCount);
  const stack = new Int32Array(vertexCount);
  let counter = 0;
  for (let root = 0; root < vertexCount; root++) {
    if (order[root] >= 0) continue;
    let top = 0;
    stack[0] = root;
    order[root] = low[root] = counter++;
    next[root] = start[root];
    while (top >= 0) {
      const v = stack[top];
      if (next[v] < start[v + 1]) {
        const k = edge[next[v]++];
        if (k === parentEdge[v]) continue;
        const w = from[k] === v ? to[k] : from[k];
        if (order[w] < 0) {
          order[w] = low[w] = counter++;
          parentEdge[w] = k;
          next[w] = start[w];
          stack[++top] = w;
        } else if (order[w] < low[v]) {
          low[v] = order[w];
        }
        continue;
      }
      top--;
      const k = parentEdge[v];
      if (k >= 0) {
        const u = from[k] === v ? to[k] : from[k];
        if (low[v] < low[u]) low[u] = low[v];
        if (low[v] > order[u]) isBridge[k] = 1;
      }
    }
  }
  return isBridge;
}
