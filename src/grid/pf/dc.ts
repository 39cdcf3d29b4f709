/**
 * DC power flow after MATPOWER's makeBdc and rundcpf: lossless branches, |V| = 1, sin θ ≈ θ, so
 * branch flow = b·(θf − θt − shift) with b = 1/(x·tap). Phase shifters become fixed injections
 * (Pfinj, Pbusinj); bus shunt conductance Gs is a load at 1 p.u.
 */

import type { Network } from "../model.js";
import { type CscMatrix, fromTriplets, multiply } from "../sparse/csc.js";
import { newLinearSolver } from "./linear-solver.js";
import { identityNodeMap, type NodeMap, type NodeTypes, type PfNodes } from "./nodes.js";
import type { Injections } from "./sbus.js";

export interface Bdc {
  /** n×n nodal susceptance matrix, p.u. (MATPOWER Bbus). */
  b: CscMatrix;
  /** nl×n: branch flow Pf = Bf·θ + Pfinj, p.u.; rows of branches out of service are empty. */
  bf: CscMatrix;
  /** Injection at each node equivalent to the phase shifters, p.u. (enters as −Pbusinj). */
  pbusinj: Float64Array;
  /** Part of each branch flow due to its phase shift, p.u. */
  pfinj: Float64Array;
}

/**
 * MATPOWER's makeBdc over the nodes of `map` (by default one node per bus and the branches with status 1,
 * i.e. makeBdc on the case tables): B = Cftᵀ·Bf, Bf(k, f) = b, Bf(k, t) = −b, Pfinj = −b·shift,
 * Pbusinj = Cftᵀ·Pfinj.
 */
export function makeBdc(net: Network, map: NodeMap = identityNodeMap(net)): Bdc {
  const br = net.branch;
  const nl = br.count;
  const n = map.count;
  const node = map.nodeOfBus;
  const bRows = new Int32Array(4 * nl);
  const bCols = new Int32Array(4 * nl);
  const bVals = new Float64Array(4 * nl);
  const fRows = new Int32Array(2 * nl);
  const fCols = new Int32Array(2 * nl);
  const fVals = new Float64Array(2 * nl);
  const pfinj = new Float64Array(nl);
  const pbusinj = new Float64Array(n);
  let tb = 0;
  let tf = 0;
  for (let k = 0; k < nl; k++) {
    if (!map.branchOn[k]) continue;
    const f = node[br.from[k]];
    const t = node[br.to[k]];
    const tap = br.tap[k] === 0 ? 1 : br.tap[k];
    const b = 1 / (br.xPu[k] * tap);
    // B = Cftᵀ·Bf: +b on both diagonals, −b off them.
    bRows[tb] = f;
    bCols[tb] = f;
    bVals[tb++] = b;
    bRows[tb] = t;
    bCols[tb] = t;
    bVals[tb++] = b;
    bRows[tb] = f;
    bCols[tb] = t;
    bVals[tb++] = -b;
    bRows[tb] = t;
    bCols[tb] = f;
    bVals[tb++] = -b;
    fRows[tf] = k;
    fCols[tf] = f;
    fVals[tf++] = b;
    fRows[tf] = k;
    fCols[tf] = t;
    fVals[tf++] = -b;
    pfinj[k] = -b * ((br.shiftDeg[k] * Math.PI) / 180);
    pbusinj[f] += pfinj[k];
    pbusinj[t] -= pfinj[k];
  }
  return {
    b: fromTriplets(n, n, bRows, bCols, bVals, tb),
    bf: fromTriplets(nl, n, fRows, fCols, fVals, tf),
    pbusinj,
    pfinj,
  };
}

export interface DcSolution {
  /** Voltage angle per node, radians. */
  va: Float64Array;
  /** Branch flow at the from end, MW (the to end carries −pf). */
  pfMw: Float64Array;
  /** Generator outputs, MW: scheduled, except the first generator at each reference node. */
  pgMw: Float64Array;
}

/**
 * rundcpf: θ(ref) from the bus table, B(nonref, nonref)·θ = Pbus − B(nonref, ref)·θ(ref) with
 * Pbus = Re(Sbus) − Pbusinj − Gs/baseMVA, then the first generator at each reference node takes up the
 * difference between its node's computed injection and its scheduled one.
 */
export function solveDc(
  net: Network,
  nodes: PfNodes,
  types: NodeTypes,
  inj: Injections,
  bdc: Bdc,
): DcSolution {
  const n = nodes.count;
  const base = net.baseMva;
  const pbus = new Float64Array(n);
  for (let g = 0; g < net.gen.count; g++) if (inj.genOn[g]) pbus[nodes.nodeOfGen[g]] += inj.pgMw[g];
  for (let i = 0; i < net.bus.count; i++) {
    const j = nodes.nodeOfBus[i];
    if (j >= 0) pbus[j] -= inj.pdMw[i] + net.bus.gsMw[i];
  }
  for (let j = 0; j < n; j++) pbus[j] = pbus[j] / base - bdc.pbusinj[j];

  const va = new Float64Array(n);
  const isRef = new Uint8Array(n);
  for (const r of types.ref) {
    isRef[r] = 1;
    va[r] = (net.bus.vaDeg[nodes.busOfNode[r]] * Math.PI) / 180;
  }
  // Reduced system over the non-reference nodes.
  const pos = new Int32Array(n).fill(-1);
  let m = 0;
  for (let j = 0; j < n; j++) if (!isRef[j]) pos[j] = m++;
  const rhs = new Float64Array(m);
  for (let j = 0; j < n; j++) if (pos[j] >= 0) rhs[pos[j]] = pbus[j];
  const { colPtr, rowIdx, values } = bdc.b;
  const nnzB = colPtr[n];
  const rr = new Int32Array(nnzB);
  const rc = new Int32Array(nnzB);
  const rv = new Float64Array(nnzB);
  let count = 0;
  for (let j = 0; j < n; j++) {
    for (let p = colPtr[j]; p < colPtr[j + 1]; p++) {
      const i = rowIdx[p];
      if (pos[i] < 0) continue;
      if (pos[j] >= 0) {
        rr[count] = pos[i];
        rc[count] = pos[j];
        rv[count++] = values[p];
      } else {
        rhs[pos[i]] -= values[p] * va[j];
      }
    }
  }
  if (m > 0) {
    const solver = newLinearSolver(fromTriplets(m, m, rr, rc, rv, count));
    solver.solveInPlace(rhs);
    for (let j = 0; j < n; j++) if (pos[j] >= 0) va[j] = rhs[pos[j]];
  }

  const flow = multiply(bdc.bf, va);
  const pfMw = new Float64Array(net.branch.count);
  for (let k = 0; k < pfMw.length; k++) if (nodes.branchOn[k]) pfMw[k] = (flow[k] + bdc.pfinj[k]) * base;

  const pgMw = new Float64Array(net.gen.count);
  for (let g = 0; g < net.gen.count; g++) if (inj.genOn[g]) pgMw[g] = inj.pgMw[g];
  const bva = multiply(bdc.b, va);
  for (const r of types.ref) {
    for (let g = 0; g < net.gen.count; g++) {
      if (inj.genOn[g] && nodes.nodeOfGen[g] === r) {
        pgMw[g] += (bva[r] - pbus[r]) * base;
        break;
      }
    }
  }
  return { va, pfMw, pgMw };
}
