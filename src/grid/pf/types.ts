import type { Islands } from "../topology/islands.js";

export type PfMethod = "newton" | "radial" | "dc";

export interface PfOptions {
  /** DC power flow (MATPOWER rundcpf) instead of AC. */
  dc?: boolean;
  /** AC solver: Newton–Raphson (default) or the backward/forward sweep for radial feeders. */
  method?: "newton" | "radial";
  /**
   * MATPOWER pf.enforce_q_lims = 1: after a converged AC flow, every generator beyond Qmax/Qmin is fixed at
   * the limit, its bus becomes PQ, and the flow is solved again, until no limit is violated.
   */
  enforceQLims?: boolean;
  /** ‖F‖∞ tolerance on the power mismatch, p.u. Default 1e-8 (MATPOWER pf.tol). */
  tolerance?: number;
  /** Most iterations: default 10 Newton updates (pf.nr.max_it), 100 sweeps for the radial method. */
  maxIterations?: number;
}

/** Where the time of one run went, ms. */
export interface PfProfile {
  setupMs: number;
  ybusMs: number;
  mismatchMs: number;
  jacobianMs: number;
  orderingMs: number;
  factorMs: number;
  refactorMs: number;
  solveMs: number;
  updateMs: number;
  /** Refactorizations that fell back to a full factorization (a count, not a time). */
  refactorFallbacks: number;
  resultsMs: number;
}

/**
 * The answer of a power flow, separate from the network (which is never changed). Per-bus arrays follow
 * the bus table, per-generator the gen table, per-branch the branch table.
 */
export interface PfResult {
  method: PfMethod;
  converged: boolean;
  /** Why the solver stopped: "converged", "max-iterations", "non-finite", "singular", "q-limits-infeasible". */
  stop: string;
  /** Newton updates (or sweeps), summed over the re-runs of reactive-limit enforcement; 1 for DC. */
  iterations: number;
  /** Final ‖F‖∞, p.u. (0 for DC). */
  mismatch: number;
  /** Buses that are not energized (isolated, or in an island without generation) get 0. */
  vmPu: Float64Array;
  vaDeg: Float64Array;
  /** 1 for buses that were solved. */
  energized: Uint8Array;
  /** Generators that do not inject (out of service, isolated) get 0. */
  pgMw: Float64Array;
  qgMvar: Float64Array;
  pfMw: Float64Array;
  qfMvar: Float64Array;
  ptMw: Float64Array;
  qtMvar: Float64Array;
  lossesMw: number;
  islands: Islands;
  /** Reference buses used (bus indices, ascending). */
  refBuses: Int32Array;
  /** Generators fixed at a reactive limit by enforceQLims, in the order they were fixed. */
  qLimitedGens: Int32Array;
  /** Wall time of the run (network already parsed), ms. Not deterministic: never hash or compare it. */
  timeMs: number;
  profile: PfProfile;
}
