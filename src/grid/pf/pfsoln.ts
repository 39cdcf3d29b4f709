/**
 * Results from a solved voltage, after MATPOWER's pfsoln: generator Qg at voltage-controlled nodes and Pg
 * of the reference generator(s) recomputed from the injections, branch flows from Yf, Yt.
 */
import { BusType, type Network } from "../model.js";
import { complexMulVec } from "./complex-csc.js";
import type { NodeTypes, PfNodes } from "./nodes.js";
import type { Injections } from "./sbus.js";
import type { YbusResult } from "./ybus.js";

export interface BranchFlows {
  pfMw: Float64Array;
  qfMvar: Float64Array;
  ptMw: Float64Array;
  qtMvar: Float64Array;
  /** Σ (pf + pt): active power lost in the branches, MW. */
  lossesMw: number;
}

/** MATLAB's eps, used as MATPOWER uses it to avoid a division by a zero reactive range. */
const EPS = 2.220446049250313e-16;

/**
 * Generator outputs after the solve, MW and MVAr. Generators that do not inject get 0 (MATPOWER zeroes
 * out-of-service generators); generators at PQ nodes keep their scheduled Pg, Qg.
 */
export function generatorOutputs(
  net: Network,
  nodes: PfNodes,
  types: NodeTypes,
  inj: Injections,
  y: YbusResult,
  vRe: Float64Array,
  vIm: Float64Array,
): { pgMw: Float64Array; qgMvar: Float64Array } {
  const n = nodes.count;
  const ng = net.gen.count;
  const base = net.baseMva;
  const pgMw = new Float64Array(ng);
  const qgMvar = new Float64Array(ng);
  const iRe = new Float64Array(n);
  const iIm = new Float64Array(n);
  complexMulVec(y.ybus, vRe, vIm, iRe, iIm);
  const pdNode = new Float64Array(n);
  const qdNode = new Float64Array(n);
  for (let i = 0; i < net.bus.count; i++) {
    const j = nodes.nodeOfBus[i];
    if (j < 0) continue;
    pdNode[j] += inj.pdMw[i];
    qdNode[j] += inj.qdMvar[i];
  }
  const sRe = (j: number): number => vRe[j] * iRe[j] + vIm[j] * iIm[j];
  const sIm = (j: number): number => vIm[j] * iRe[j] - vRe[j] * iIm[j];

  // "on": injecting generators at voltage-controlled nodes, in generator order.
  const on: number[] = [];
  for (let g = 0; g < ng; g++) {
    if (!inj.genOn[g]) continue;
    const j = nodes.nodeOfGen[g];
    pgMw[g] = inj.pgMw[g];
    qgMvar[g] = inj.qgMvar[g];
    if (types.type[j] !== BusType.PQ) on.push(g);
  }
  for (const g of on) {
    const j = nodes.nodeOfGen[g];
    qgMvar[g] = sIm(j) * base + qdNode[j];
  }
  if (on.length > 1) splitReactive(net, nodes, on, qgMvar);

  for (const r of types.ref) {
    const atRef = on.filter((g) => nodes.nodeOfGen[g] === r);
    if (atRef.length === 0) continue;
    let p = sRe(r) * base + pdNode[r];
    for (let q = 1; q < atRef.length; q++) p -= pgMw[atRef[q]];
    pgMw[atRef[0]] = p;
  }
  return { pgMw, qgMvar };
}

/**
 * Share a node's reactive output among its generators as MATPOWER's pfsoln does: first equally, then in
 * proportion to each unit's range [Qmin, Qmax], infinite limits replaced by a finite proxy M (Σ over the
 * node of |Qg| plus the finite limits); at a node whose total range is zero, every unit sits at its Qmin
 * plus an equal share of the remainder.
 */
function splitReactive(net: Network, nodes: PfNodes, on: number[], qg: Float64Array): void {
  const n = nodes.count;
  const count = new Int32Array(n);
  for (const g of on) count[nodes.nodeOfGen[g]]++;
  const qmin = new Float64Array(on.length);
  const qmax = new Float64Array(on.length);
  const mNode = new Float64Array(n);
  on.forEach((g, k) => {
    const j = nodes.nodeOfGen[g];
    qg[g] /= count[j];
    qmin[k] = net.gen.qgMinMvar[g];
    qmax[k] = net.gen.qgMaxMvar[g];
    let m = Math.abs(qg[g]);
    if (qmax[k] !== Number.POSITIVE_INFINITY && qmax[k] !== Number.NEGATIVE_INFINITY) m += Math.abs(qmax[k]);
    if (qmin[k] !== Number.POSITIVE_INFINITY && qmin[k] !== Number.NEGATIVE_INFINITY) m += Math.abs(qmin[k]);
    mNode[j] += m;
  });
  const totNode = new Float64Array(n);
  const minNode = new Float64Array(n);
  const maxNode = new Float64Array(n);
  on.forEach((g, k) => {
    const j = nodes.nodeOfGen[g];
    const m = mNode[j];
    if (qmin[k] === Number.POSITIVE_INFINITY) qmin[k] = m;
    else if (qmin[k] === Number.NEGATIVE_INFINITY) qmin[k] = -m;
    if (qmax[k] === Number.POSITIVE_INFINITY) qmax[k] = m;
    else if (qmax[k] === Number.NEGATIVE_INFINITY) qmax[k] = -m;
    totNode[j] += qg[g];
    minNode[j] += qmin[k];
    maxNode[j] += qmax[k];
  });
  on.forEach((g, k) => {
    const j = nodes.nodeOfGen[g];
    if (Math.abs(minNode[j] - maxNode[j]) < 10 * EPS) {
      qg[g] = qmin[k] + (totNode[j] - minNode[j]) / count[j];
    } else {
      qg[g] = qmin[k] + ((totNode[j] - minNode[j]) / (maxNode[j] - minNode[j] + EPS)) * (qmax[k] - qmin[k]);
    }
  });
}

/** Branch flows at both ends, MW and MVAr: Sf = Vf·conj(Yf·V)·baseMVA, St likewise; 0 for branches off. */
export function branchFlows(
  net: Network,
  nodes: PfNodes,
  y: YbusResult,
  vRe: Float64Array,
  vIm: Float64Array,
): BranchFlows {
  const br = net.branch;
  const nl = br.count;
  const base = net.baseMva;
  const a = y.branch;
  const pfMw = new Float64Array(nl);
  const qfMvar = new Float64Array(nl);
  const ptMw = new Float64Array(nl);
  const qtMvar = new Float64Array(nl);
  let lossesMw = 0;
  for (let k = 0; k < nl; k++) {
    if (!nodes.branchOn[k]) continue;
    const f = nodes.nodeOfBus[br.from[k]];
    const t = nodes.nodeOfBus[br.to[k]];
    const vfr = vRe[f];
    const vfi = vIm[f];
    const vtr = vRe[t];
    const vti = vIm[t];
    const ifr = a.yffRe[k] * vfr - a.yffIm[k] * vfi + a.yftRe[k] * vtr - a.yftIm[k] * vti;
    const ifi = a.yffRe[k] * vfi + a.yffIm[k] * vfr + a.yftRe[k] * vti + a.yftIm[k] * vtr;
    const itr = a.ytfRe[k] * vfr - a.ytfIm[k] * vfi + a.yttRe[k] * vtr - a.yttIm[k] * vti;
    const iti = a.ytfRe[k] * vfi + a.ytfIm[k] * vfr + a.yttRe[k] * vti + a.yttIm[k] * vtr;
    pfMw[k] = (vfr * ifr + vfi * ifi) * base;
    qfMvar[k] = (vfi * ifr - vfr * ifi) * base;
    ptMw[k] = (vtr * itr + vti * iti) * base;
    qtMvar[k] = (vti * itr - vtr * iti) * base;
    lossesMw += pfMw[k] + ptMw[k];
  }
  return { pfMw, qfMvar, ptMw, qtMvar, lossesMw };
}
