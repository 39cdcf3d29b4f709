import type { HessianInput, Highs, InitOptions, Model, ModelData } from "highs";
import * as highsPackage from "highs";
import { PlurigridError } from "../../core/errors.js";
import { toLpText } from "./lp-format.js";
import type { LpProblem, LpResult, LpSolver, LpStatus, SolveOptions } from "./types.js";

/**
 * The HiGHS implementation of `LpSolver` (HiGHS 1.15, compiled to WebAssembly by the `highs` package).
 *
 * The WebAssembly module is compiled and instantiated once, on first use, and shared by every solve.
 * Each solve owns a fresh HiGHS instance that is destroyed before `solve` returns (HiGHS instances live
 * in WebAssembly memory that garbage collection does not reclaim).
 *
 * Two ways to hand a problem over, with identical results:
 * - "arrays" (the default): the CSR matrix, bounds, costs and Hessian are copied straight into HiGHS;
 * - "lp-text": the problem is written as CPLEX LP text (`lp-format.ts`) and parsed by HiGHS. It exists for
 *   comparison and for debugging with the text in hand; it is slower on large problems (see README).
 *
 * Duals: HiGHS reports each row dual and reduced cost as the derivative of the optimal objective with
 * respect to the active bound, for both objective senses (checked in highs.test.ts), which is exactly
 * the convention of `LpResult`, so no sign is changed here.
 */
export type HighsTransport = "arrays" | "lp-text";

const MODEL_STATUS = {
  empty: 6,
  optimal: 7,
  infeasible: 8,
  unboundedOrInfeasible: 9,
  unbounded: 10,
} as const;

const STATUS_TEXT: Record<number, string> = {
  0: "not set",
  1: "load error",
  2: "model error",
  3: "presolve error",
  4: "solve error",
  5: "postsolve error",
  6: "empty",
  7: "optimal",
  8: "infeasible",
  9: "primal infeasible or unbounded",
  10: "unbounded",
  11: "bound on objective reached",
  12: "target for objective reached",
  13: "time limit reached",
  14: "iteration limit reached",
  15: "unknown",
  16: "solution limit reached",
  17: "interrupted",
};

type Loader = (options?: InitOptions) => Promise<Highs>;

/**
 * The package's declarations describe its CommonJS entry (so TypeScript sees the loader one `default`
 * deeper than it is), while Node loads its ES module entry, whose `default` is the loader itself.
 */
function loader(): Loader {
  const mod = highsPackage as unknown as { default: Loader | { default: Loader } };
  return typeof mod.default === "function" ? mod.default : mod.default.default;
}

let loading: Promise<Highs> | undefined;

/** The shared HiGHS module, loaded on first call. */
function highsModule(): Promise<Highs> {
  if (!loading) {
    loading = loader()().catch((e: unknown) => {
      loading = undefined;
      throw new PlurigridError("LP_SOLVER_LOAD", `could not load the HiGHS WebAssembly module: ${String(e)}`);
    });
  }
  return loading;
}

/** The HiGHS solver, loading the WebAssembly module on the first call and reusing it afterwards. */
export async function highsSolver(transport: HighsTransport = "arrays"): Promise<LpSolver> {
  const highs = await highsModule();
  return {
    name: `HiGHS ${highs.version.string} (${transport})`,
    solve: (problem, options) =>
      transport === "arrays" ? solveArrays(highs, problem, options) : solveText(highs, problem, options),
  };
}

function checkProblem(p: LpProblem): void {
  const ok =
    p.colCost.length === p.numCols &&
    p.colLower.length === p.numCols &&
    p.colUpper.length === p.numCols &&
    p.rowLower.length === p.numRows &&
    p.rowUpper.length === p.numRows &&
    p.rowStart.length === p.numRows + 1 &&
    p.rowStart[p.numRows] === p.rowIndex.length &&
    p.rowIndex.length === p.rowValue.length;
  if (!ok) {
    throw new PlurigridError("LP_BAD_INPUT", "LP problem arrays have inconsistent lengths", {
      numCols: p.numCols,
      numRows: p.numRows,
    });
  }
  if (p.quadratic && p.integer?.some((v) => v !== 0)) {
    throw new PlurigridError("LP_UNSUPPORTED", "mixed-integer quadratic problems are not supported by HiGHS");
  }
}

/** Lower-triangular CSC Hessian Q of the quadratic terms (objective gains ½ xᵀQx), duplicates summed. */
export function hessianOf(p: LpProblem): HessianInput | undefined {
  const q = p.quadratic;
  if (!q || q.value.length === 0) return undefined;
  const n = p.numCols;
  const count = new Int32Array(n + 1);
  for (let k = 0; k < q.value.length; k++) count[Math.min(q.i[k], q.j[k]) + 1]++;
  for (let j = 0; j < n; j++) count[j + 1] += count[j];
  const rows = new Int32Array(q.value.length);
  const vals = new Float64Array(q.value.length);
  const next = count.slice(0, n);
  for (let k = 0; k < q.value.length; k++) {
    const a = q.i[k];
    const b = q.j[k];
    const col = Math.min(a, b);
    const pos = next[col]++;
    rows[pos] = Math.max(a, b);
    // value·x_a·x_b is ½·(Q_ab + Q_ba)·x_a·x_b with Q_ab = Q_ba = value; on the diagonal ½·Q_aa = value.
    vals[pos] = a === b ? 2 * q.value[k] : q.value[k];
  }
  // Sort each column by row and merge duplicates (HiGHS rejects repeated indices within a column).
  const starts = new Int32Array(n + 1);
  const outRows: number[] = [];
  const outVals: number[] = [];
  for (let j = 0; j < n; j++) {
    const s = count[j];
    const e = count[j + 1];
    const order: number[] = [];
    for (let k = s; k < e; k++) order.push(k);
    order.sort((x, y) => rows[x] - rows[y]);
    for (const k of order) {
      const last = outRows.length - 1;
      if (last >= starts[j] && outRows[last] === rows[k]) outVals[last] += vals[k];
      else {
        outRows.push(rows[k]);
        outVals.push(vals[k]);
      }
    }
    starts[j + 1] = outRows.length;
  }
  return {
    format: "triangular",
    dimension: n,
    starts,
    indices: Int32Array.from(outRows),
    values: Float64Array.from(outVals),
  };
}

function optionsFor(
  options: SolveOptions | undefined,
  p: LpProblem,
): Record<string, string | number | boolean> {
  const isQp = p.quadratic !== undefined && p.quadratic.value.length > 0;
  const o: Record<string, string | number | boolean> = { output_flag: false };
  // HiGHS 1.15's active-set QP method can cycle for ever on small degenerate problems (a 5-variable
  // example is in ipm.test.ts); a finite iteration limit turns that into status "error".
  if (isQp) o.qp_iteration_limit = Math.max(10_000, 20 * (p.numCols + p.numRows));
  if (options?.timeLimitS !== undefined) o.time_limit = options.timeLimitS;
  if (options?.mipRelGap !== undefined) o.mip_rel_gap = options.mipRelGap;
  const algorithm = options?.algorithm ?? "auto";
  if (!isQp && algorithm !== "auto") o.solver = algorithm;
  return o;
}

function statusOf(code: number): LpStatus {
  if (code === MODEL_STATUS.optimal || code === MODEL_STATUS.empty) return "optimal";
  if (code === MODEL_STATUS.infeasible) return "infeasible";
  if (code === MODEL_STATUS.unbounded) return "unbounded";
  return "error";
}

function solveArrays(highs: Highs, p: LpProblem, options?: SolveOptions): LpResult {
  checkProblem(p);
  const t0 = performance.now();
  const isMip = p.integer?.some((v) => v !== 0) ?? false;
  const hessian = hessianOf(p);
  const data: ModelData = {
    numCols: p.numCols,
    numRows: p.numRows,
    sense:
      p.sense === "max" ? highs.constants.objectiveSense.maximize : highs.constants.objectiveSense.minimize,
    offset: p.offset,
    colCost: p.colCost,
    colLower: p.colLower,
    colUpper: p.colUpper,
    rowLower: p.rowLower,
    rowUpper: p.rowUpper,
    matrix: {
      format: "csr",
      numRows: p.numRows,
      numCols: p.numCols,
      starts: p.rowStart,
      indices: p.rowIndex,
      values: p.rowValue,
    },
    ...(isMip ? { integrality: Int32Array.from(p.integer!) } : {}),
    ...(hessian ? { hessian } : {}),
  };
  let model: Model | undefined;
  let t1 = t0;
  try {
    model = highs.createModel(data);
    model.options.set(optionsFor(options, p));
    t1 = performance.now();
    let code = model.run().modelStatus;
    if (code === MODEL_STATUS.unboundedOrInfeasible) {
      // Presolve proved only "infeasible or unbounded"; solving without presolve tells them apart.
      model.options.set("presolve", "off");
      model.clearSolver();
      code = model.run().modelStatus;
    }
    const t2 = performance.now();
    const status = statusOf(code);
    const sol = model.getSolution();
    const objective = status === "optimal" ? model.getObjectiveValue() : Number.NaN;
    const rowDual = isMip ? new Float64Array(p.numRows).fill(Number.NaN) : sol.rowDual;
    const colDual = isMip ? new Float64Array(p.numCols).fill(Number.NaN) : sol.colDual;
    const t3 = performance.now();
    return {
      status,
      objective,
      x: sol.colValue,
      rowActivity: sol.rowValue,
      rowDual,
      colDual,
      message: STATUS_TEXT[code] ?? `status ${code}`,
      timing: { loadMs: t1 - t0, solveMs: t2 - t1, extractMs: t3 - t2 },
    };
  } catch (e) {
    if (e instanceof PlurigridError) throw e;
    return failed(p, `HiGHS failed: ${String(e)}`, t1 - t0, performance.now() - t1);
  } finally {
    model?.dispose();
  }
}

function failed(p: LpProblem, message: string, loadMs: number, solveMs = 0): LpResult {
  return {
    status: "error",
    objective: Number.NaN,
    x: new Float64Array(p.numCols),
    rowActivity: new Float64Array(p.numRows),
    rowDual: new Float64Array(p.numRows),
    colDual: new Float64Array(p.numCols),
    message,
    timing: { loadMs, solveMs, extractMs: 0 },
  };
}

const TEXT_STATUS: Record<string, LpStatus> = {
  Optimal: "optimal",
  Empty: "optimal",
  Infeasible: "infeasible",
  Unbounded: "unbounded",
};

function solveText(highs: Highs, p: LpProblem, options?: SolveOptions): LpResult {
  checkProblem(p);
  const t0 = performance.now();
  const isMip = p.integer?.some((v) => v !== 0) ?? false;
  const { text, textRows } = toLpText(p);
  const opts = optionsFor(options, p);
  const t1 = performance.now();
  let sol: ReturnType<Highs["solve"]>;
  try {
    sol = highs.solve(text, opts);
    if (sol.Status === "Primal infeasible or unbounded")
      sol = highs.solve(text, { ...opts, presolve: "off" });
  } catch (e) {
    return failed(p, `HiGHS failed: ${String(e)}`, t1 - t0, performance.now() - t1);
  }
  const t2 = performance.now();
  const status = TEXT_STATUS[sol.Status] ?? "error";
  const x = new Float64Array(p.numCols);
  const colDual = new Float64Array(p.numCols).fill(isMip ? Number.NaN : 0);
  const rowDual = new Float64Array(p.numRows).fill(isMip ? Number.NaN : 0);
  const rowActivity = new Float64Array(p.numRows);
  if (status !== "infeasible") {
    for (const name in sol.Columns) {
      const j = Number(name.slice(1));
      if (!(j < p.numCols)) continue;
      const c = sol.Columns[name] as { Primal?: number; Dual?: number };
      x[j] = c.Primal ?? 0;
      if (!isMip) colDual[j] = c.Dual ?? 0;
    }
    const rows = sol.Rows as { Primal?: number; Dual?: number }[];
    for (let t = 0; t < rows.length; t++) {
      const i = textRows[t];
      rowActivity[i] = rows[t].Primal ?? 0;
      if (!isMip) rowDual[i] += rows[t].Dual ?? 0;
    }
  }
  const t3 = performance.now();
  return {
    status,
    objective: status === "optimal" ? sol.ObjectiveValue : Number.NaN,
    x,
    rowActivity,
    rowDual,
    colDual,
    message: sol.Status,
    timing: { loadMs: t1 - t0, solveMs: t2 - t1, extractMs: t3 - t2 },
  };
}
