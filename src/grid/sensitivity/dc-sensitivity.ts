import { PlurigridError } from "../../core/errors.js";
import type { Network } from "../model.js";
import { type Bdc, makeBdc, type PfNodes, pfNodes } from "../pf/index.js";
import { analyze, factor, fromTriplets, type LuNumeric, solve, solveTranspose } from "../sparse/index.js";
import { bridges } from "./bridges.js";

/**
 * Linear sensitivities of the DC power flow (Wood & Wollenberg, "Power Generation, Operation and
 * Control", 3rd ed., §7.3; MATPOWER makePTDF/makeLODF), computed row by row or column by column from one
 * sparse LU factorization of the reduced susceptance matrix, so that large networks never need the dense
 * nl × nb matrix.
 *
 * - PTDF[l][i]: change of the flow on branch l (MW, from end) per MW injected at bus i and withdrawn at
 *   the slack bus of i's island. A row (one branch, every bus) is one solve with Bᵀ; a column (one bus,
 *   every branch) is one solve with B.
 * - LODF[l][k]: change of the flow on branch l per MW of flow on branch k before k is taken out,
 *   = PTDF_l(f_k → t_k) / (1 − PTDF_k(f_k → t_k)), and −1 for l = k (MATPOWER's convention: the outaged
 *   branch loses its own flow). One column costs one solve.
 *
 * The system is that of the DC power flow (`pf/`): buses joined by closed switches share a node, isolated
 * buses and islands without generation are left out (their PTDF entries are 0), each island has its own
 * slack: by default its reference bus (topology's rule), or `slackBus` for the island that contains it.
 */
export interface DcSensitivityOptions {
  /** Bus that absorbs the injections of its island (default: the island's reference bus). */
  slackBus?: number;
}

export interface LodfColumn {
  outagedBranch: number;
  /** Flow change on each branch per MW of pre-outage flow on the outaged branch; −1 at the outaged one. */
  values: Float64Array;
  /**
   * True when the outaged branch is a bridge (a radial branch): taking it out splits its island, the
   * formula's denominator 1 − PTDF is 0, and there is no post-outage flow to predict. `values` is then NaN
   * except −1 at the outaged branch (MATPOWER's makeLODF gives ±Inf or NaN there).
   */
  islanding: boolean;
}

export interface DcSensitivity {
  readonly net: Network;
  readonly nodes: PfNodes;
  readonly bdc: Bdc;
  /** Slack bus of each island of `nodes.islands` (-1 for islands that are not solved). */
  readonly slackBusOfIsland: Int32Array;
  /** 1 for each branch whose outage splits its island. */
  readonly isBridge: Uint8Array;
  /** PTDF row of branch l: one entry per bus. */
  ptdfRow(branch: number): Float64Array;
  /** PTDF column of bus i: one entry per branch. */
  ptdfColumn(bus: number): Float64Array;
  /** Flow change on every branch per MW moved from bus `fromBus` to bus `toBus` (slack-independent). */
  transferColumn(fromBus: number, toBus: number): Float64Array;
  lodfColumn(outagedBranch: number): LodfColumn;
}

export function dcSensitivity(net: Network, options: DcSensitivityOptions = {}): DcSensitivity {
  const nodes = pfNodes(net);
  const bdc = makeBdc(net, nodes);
  const n = nodes.count;
  const isl = nodes.islands;

  const slackNode = new Int32Array(isl.count).fill(-1);
  for (let k = 0; k < isl.count; k++) {
    const ref = isl.refBus[k];
    if (ref >= 0 && nodes.nodeOfBus[ref] >= 0) slackNode[k] = nodes.nodeOfBus[ref];
  }
  if (options.slackBus !== undefined) {
    const s = options.slackBus;
    if (!Number.isInteger(s) || s < 0 || s >= net.bus.count || nodes.nodeOfBus[s] < 0) {
      throw new PlurigridError(
        "SENS_BAD_SLACK",
        `slack bus ${s} is not an energized bus of the network (0 ≤ index < ${net.bus.count}, in an island with generation)`,
        { slackBus: s },
      );
    }
    slackNode[isl.islandOfBus[s]] = nodes.nodeOfBus[s];
  }
  const slackBusOfIsland = new Int32Array(isl.count).fill(-1);
  for (let k = 0; k < isl.count; k++)
    if (slackNode[k] >= 0) slackBusOfIsland[k] = nodes.busOfNode[slackNode[k]];

  // Reduced B: every node except the slacks.
  const pos = new Int32Array(n).fill(-1);
  const isSlack = new Uint8Array(n);
  for (const s of slackNode) if (s >= 0) isSlack[s] = 1;
  let m = 0;
  for (let j = 0; j < n; j++) if (!isSlack[j]) pos[j] = m++;
  const { colPtr, rowIdx, values } = bdc.b;
  const rr: number[] = [];
  const rc: number[] = [];
  const rv: number[] = [];
  for (let j = 0; j < n; j++) {
    if (pos[j] < 0) continue;
    for (let p = colPtr[j]; p < colPtr[j + 1]; p++) {
      const i = rowIdx[p];
      if (pos[i] < 0) continue;
      rr.push(pos[i]);
      rc.push(pos[j]);
      rv.push(values[p]);
    }
  }
  let lu: LuNumeric | undefined;
  if (m > 0) {
    const reduced = fromTriplets(m, m, rr, rc, rv);
    lu = factor(reduced, analyze(reduced));
  }

  const { branch } = net;
  const nl = branch.count;
  const nodeFrom = new Int32Array(nl);
  const nodeTo = new Int32Array(nl);
  for (let k = 0; k < nl; k++) {
    nodeFrom[k] = nodes.nodeOfBus[branch.from[k]];
    nodeTo[k] = nodes.nodeOfBus[branch.to[k]];
  }
  const bOf = (k: number) =>
    nodes.branchOn[k] ? 1 / (branch.xPu[k] * (branch.tap[k] === 0 ? 1 : branch.tap[k])) : 0;
  const isBridge = bridges(n, nodeFrom, nodeTo, nodes.branchOn);

  const checkBranch = (k: number) => {
    if (!Number.isInteger(k) || k < 0 || k >= nl) {
      throw new PlurigridError("SENS_BAD_BRANCH", `branch index ${k} is out of range 0..${nl - 1}`, {
        branch: k,
      });
    }
  };
  const checkBus = (i: number) => {
    if (!Number.isInteger(i) || i < 0 || i >= net.bus.count) {
      throw new PlurigridError("SENS_BAD_BUS", `bus index ${i} is out of range 0..${net.bus.count - 1}`, {
        bus: i,
      });
    }
  };

  /** Flows on every branch for node injections `x` over reduced positions (solved in place). */
  const flowsOf = (x: Float64Array): Float64Array => {
    if (lu) solve(lu, x);
    const out = new Float64Array(nl);
    for (let k = 0; k < nl; k++) {
      if (!nodes.branchOn[k]) continue;
      const pf = pos[nodeFrom[k]];
      const pt = pos[nodeTo[k]];
      const tf = pf >= 0 ? x[pf] : 0;
      const tt = pt >= 0 ? x[pt] : 0;
      out[k] = bOf(k) * (tf - tt);
    }
    return out;
  };

  const transfer = (fromNode: number, toNode: number): Float64Array => {
    const x = new Float64Array(m);
    if (fromNode >= 0 && pos[fromNode] >= 0) x[pos[fromNode]] += 1;
    if (toNode >= 0 && pos[toNode] >= 0) x[pos[toNode]] -= 1;
    return flowsOf(x);
  };

  return {
    net,
    nodes,
    bdc,
    slackBusOfIsland,
    isBridge,
    ptdfRow(k: number): Float64Array {
      checkBranch(k);
      const row = new Float64Array(net.bus.count);
      if (!nodes.branchOn[k] || m === 0) return row;
      // Row l of Bf·B⁻¹ is the solution of Bᵀ·x = Bf(l,:)ᵀ, a right-hand side with two entries.
      const rhs = new Float64Array(m);
      const b = bOf(k);
      if (pos[nodeFrom[k]] >= 0) rhs[pos[nodeFrom[k]]] += b;
      if (pos[nodeTo[k]] >= 0) rhs[pos[nodeTo[k]]] -= b;
      solveTranspose(lu!, rhs);
      for (let i = 0; i < net.bus.count; i++) {
        const j = nodes.nodeOfBus[i];
        if (j >= 0 && pos[j] >= 0) row[i] = rhs[pos[j]];
      }
      return row;
    },
    ptdfColumn(i: number): Float64Array {
      checkBus(i);
      return transfer(nodes.nodeOfBus[i], -1);
    },
    transferColumn(fromBus: number, toBus: number): Float64Array {
      checkBus(fromBus);
      checkBus(toBus);
      const a = nodes.nodeOfBus[fromBus];
      const b = nodes.nodeOfBus[toBus];
      // Across islands there is no path: the transfer is not a flow the network can carry.
      if (a < 0 || b < 0 || nodes.islandOfNode[a] !== nodes.islandOfNode[b]) {
        throw new PlurigridError(
          "SENS_NO_PATH",
          `buses ${fromBus} and ${toBus} are not in the same energized island`,
          {
            fromBus,
            toBus,
          },
        );
      }
      return transfer(a, b);
    },
    lodfColumn(k: number): LodfColumn {
      checkBranch(k);
      const values = new Float64Array(nl);
      if (!nodes.branchOn[k] || nodeFrom[k] === nodeTo[k]) {
        // Nothing flows on it: its outage changes no flow.
        values[k] = nodes.branchOn[k] ? -1 : 0;
        return { outagedBranch: k, values, islanding: false };
      }
      if (isBridge[k]) {
        values.fill(Number.NaN);
        values[k] = -1;
        return { outagedBranch: k, values, islanding: true };
      }
      const h = transfer(nodeFrom[k], nodeTo[k]);
      const denominator = 1 - h[k];
      for (let l = 0; l < nl; l++) values[l] = h[l] / denominator;
      values[k] = -1;
      return { outagedBranch: k, values, islanding: false };
    },
  };
}
