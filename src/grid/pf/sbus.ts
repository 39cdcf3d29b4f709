import type { Network } from "../model.js";
import type { PfNodes } from "./nodes.js";

/**
 * Injections the power flow works with, in the case's units. They start as copies of the network's
 * columns; reactive-limit enforcement edits them (MATPOWER moves a limited generator into the load), so the
 * network itself is never touched.
 */
export interface Injections {
  pdMw: Float64Array;
  qdMvar: Float64Array;
  pgMw: Float64Array;
  qgMvar: Float64Array;
  /** Generators that inject (status on, at an energized bus). */
  genOn: Uint8Array;
}

export function injectionsOf(net: Network, nodes: PfNodes): Injections {
  return {
    pdMw: net.bus.pdMw.slice(),
    qdMvar: net.bus.qdMvar.slice(),
    pgMw: net.gen.pgMw.slice(),
    qgMvar: net.gen.qgMvar.slice(),
    genOn: nodes.genOn.slice(),
  };
}

/**
 * Net complex injection per node, p.u. (MATPOWER makeSbus with constant-power loads):
 * S = (Σ Pg + jQg of injecting generators − Σ Pd + jQd of the node's buses) / baseMVA.
 */
export function makeSbus(
  net: Network,
  nodes: PfNodes,
  inj: Injections,
): { sRe: Float64Array; sIm: Float64Array } {
  const n = nodes.count;
  const sRe = new Float64Array(n);
  const sIm = new Float64Array(n);
  for (let g = 0; g < net.gen.count; g++) {
    const j = nodes.nodeOfGen[g];
    if (!inj.genOn[g] || j < 0) continue;
    sRe[j] += inj.pgMw[g];
    sIm[j] += inj.qgMvar[g];
  }
  for (let i = 0; i < net.bus.count; i++) {
    const j = nodes.nodeOfBus[i];
    if (j < 0) continue;
    sRe[j] -= inj.pdMw[i];
    sIm[j] -= inj.qdMvar[i];
  }
  const base = net.baseMva;
  for (let j = 0; j < n; j++) {
    sRe[j] /= base;
    sIm[j] /= base;
  }
  return { sRe, sIm };
}
