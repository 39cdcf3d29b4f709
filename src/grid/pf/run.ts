import { PlurigridError } from "../../core/errors.js";
import type { Network } from "../model.js";
import { solveAc } from "./ac.js";
import { makeBdc, solveDc } from "./dc.js";
import { classifyNodes, type NodeTypes, type PfNodes, pfNodes } from "./nodes.js";
import { branchFlows } from "./pfsoln.js";
import { injectionsOf } from "./sbus.js";
import type { PfOptions, PfProfile, PfResult } from "./types.js";
import { makeYbus } from "./ybus.js";

const DEFAULT_TOLERANCE = 1e-8;
const DEFAULT_NEWTON_ITERATIONS = 10;
const DEFAULT_SWEEPS = 100;

/**
 * Power flow of `net`: AC Newton–Raphson (default), the radial sweep (`method: "radial"`), or DC
 * (`dc: true`). Non-convergence is reported in the result (converged: false), never thrown; errors are
 * thrown only for input that cannot describe a network (PF_BAD_OPTION, PF_ZERO_IMPEDANCE, PF_NOT_RADIAL).
 */
export function runPf(net: Network, options: PfOptions = {}): PfResult {
  const t0 = performance.now();
  const method = options.dc ? "dc" : (options.method ?? "newton");
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const maxIterations =
    options.maxIterations ?? (method === "radial" ? DEFAULT_SWEEPS : DEFAULT_NEWTON_ITERATIONS);
  if (!(tolerance > 0) || !Number.isInteger(maxIterations) || maxIterations < 0) {
    throw new PlurigridError(
      "PF_BAD_OPTION",
      `tolerance must be > 0 and maxIterations a non-negative integer (got ${tolerance}, ${maxIterations})`,
      { tolerance, maxIterations },
    );
  }
  const profile: PfProfile = {
    setupMs: 0,
    ybusMs: 0,
    mismatchMs: 0,
    jacobianMs: 0,
    orderingMs: 0,
    factorMs: 0,
    refactorMs: 0,
    solveMs: 0,
    updateMs: 0,
    refactorFallbacks: 0,
    resultsMs: 0,
  };
  const nodes = pfNodes(net);
  let t = performance.now();
  profile.setupMs = t - t0;

  if (method === "dc") {
    const types = classifyNodes(net, nodes);
    const inj = injectionsOf(net, nodes);
    const bdc = makeBdc(net, nodes);
    profile.ybusMs = performance.now() - t;
    t = performance.now();
    let sol: ReturnType<typeof solveDc> | null = null;
    let stop = "converged";
    try {
      sol = solveDc(net, nodes, types, inj, bdc);
    } catch (e) {
      if (!(e instanceof PlurigridError && e.code.includes("SINGULAR"))) throw e;
      stop = "singular";
    }
    profile.solveMs = performance.now() - t;
    const va = sol?.va ?? new Float64Array(nodes.count).fill(Number.NaN);
    const finite = sol !== null && va.every(Number.isFinite);
    if (sol !== null && !finite) stop = "non-finite";
    const result = emptyResult(net, nodes, types, "dc", profile);
    result.converged = finite;
    result.stop = stop;
    result.iterations = 1;
    for (let i = 0; i < net.bus.count; i++) {
      const j = nodes.nodeOfBus[i];
      if (j < 0) continue;
      result.vmPu[i] = 1;
      result.vaDeg[i] = (va[j] * 180) / Math.PI;
    }
    if (sol !== null) {
      result.pgMw.set(sol.pgMw);
      for (let g = 0; g < net.gen.count; g++) if (inj.genOn[g]) result.qgMvar[g] = inj.qgMvar[g];
      for (let k = 0; k < net.branch.count; k++) {
        result.pfMw[k] = sol.pfMw[k];
        result.ptMw[k] = sol.pfMw[k] === 0 ? 0 : -sol.pfMw[k];
      }
    }
    result.timeMs = performance.now() - t0;
    return result;
  }

  const y = makeYbus(net, nodes);
  profile.ybusMs = performance.now() - t;
  const ac = solveAc(
    net,
    nodes,
    y,
    { method, tolerance, maxIterations, enforceQLims: options.enforceQLims ?? false },
    profile,
  );
  t = performance.now();
  const result = emptyResult(net, nodes, ac.types, method, profile);
  result.converged = ac.converged;
  result.stop = ac.stop;
  result.iterations = ac.iterations;
  result.mismatch = ac.mismatch;
  for (let i = 0; i < net.bus.count; i++) {
    const j = nodes.nodeOfBus[i];
    if (j < 0) continue;
    result.vmPu[i] = Math.hypot(ac.vRe[j], ac.vIm[j]);
    result.vaDeg[i] = (Math.atan2(ac.vIm[j], ac.vRe[j]) * 180) / Math.PI;
  }
  result.pgMw.set(ac.pgMw);
  result.qgMvar.set(ac.qgMvar);
  const flows = branchFlows(net, nodes, y, ac.vRe, ac.vIm);
  result.pfMw = flows.pfMw;
  result.qfMvar = flows.qfMvar;
  result.ptMw = flows.ptMw;
  result.qtMvar = flows.qtMvar;
  result.lossesMw = flows.lossesMw;
  result.qLimitedGens = Int32Array.from(ac.qLimitedGens);
  profile.resultsMs = performance.now() - t;
  result.timeMs = performance.now() - t0;
  return result;
}

function emptyResult(
  net: Network,
  nodes: PfNodes,
  types: NodeTypes,
  method: PfResult["method"],
  profile: PfProfile,
): PfResult {
  const nb = net.bus.count;
  const nl = net.branch.count;
  const energized = new Uint8Array(nb);
  for (let i = 0; i < nb; i++) energized[i] = nodes.nodeOfBus[i] >= 0 ? 1 : 0;
  return {
    method,
    converged: false,
    stop: "",
    iterations: 0,
    mismatch: 0,
    vmPu: new Float64Array(nb),
    vaDeg: new Float64Array(nb),
    energized,
    pgMw: new Float64Array(net.gen.count),
    qgMvar: new Float64Array(net.gen.count),
    pfMw: new Float64Array(nl),
    qfMvar: new Float64Array(nl),
    ptMw: new Float64Array(nl),
    qtMvar: new Float64Array(nl),
    lossesMw: 0,
    islands: nodes.islands,
    refBuses: Int32Array.from(types.ref, (j) => nodes.busOfNode[j]),
    qLimitedGens: new Int32Array(0),
    timeMs: 0,
    profile,
  };
}
