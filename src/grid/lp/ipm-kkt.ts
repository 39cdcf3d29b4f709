import { isPlurigridError } from "../../core/errors.js";
import {
  analyze,
  type CscMatrix,
  factor,
  type LuNumeric,
  type LuSymbolic,
  multiply,
  patternFromTriplets,
  refactor,
  refillFromTriplets,
  solve,
  type TripletAssembly,
} from "../sparse/index.js";
import type { StandardQp } from "./ipm-standard.js";

/**
 * The Newton system of the interior-point method, in quasi-definite form (R. J. Vanderbei, "Symmetric
 * quasidefinite matrices", SIAM J. Optim. 5(1), 1995):
 *
 *   [ Q + Σx + A_Sᵀ Σs A_S + ρI    A_Eᵀ     A_Lᵀ    ] [ Δx ]
 *   [ A_E                          −δI      0       ] [ uE ]
 *   [ A_L                          0        −Σs⁻¹   ] [ uL ]
 *
 * Inequality rows with few entries (A_S, ≤ ELIMINATE_MAX, e.g. every branch-flow row of an OPF) are
 * eliminated into the top-left block, which keeps the bus-admittance sparsity; longer rows (A_L) stay as
 * rows so that a dense row never creates a dense block. The small regularisations ρ and δ make the matrix
 * quasi-definite, so it factors stably with diagonal pivots in any symmetric order: the ordering (AMD)
 * and the pattern of the factors are computed once, and every iteration only refactors the numbers.
 */
const ELIMINATE_MAX = 8;

export class Kkt {
  readonly size: number;
  private readonly assembly: TripletAssembly;
  private readonly values: Float64Array;
  /** Triplet ranges: [0, n) diagonal of x; then Q; then eliminated products; then the rest. */
  private readonly elimRow: Int32Array;
  private readonly elimProduct: Float64Array;
  private readonly elimFirst: number;
  private readonly eDiagFirst: number;
  private readonly lDiagFirst: number;
  /** Long inequality rows: their index among the inequality rows, in KKT order. */
  readonly longRows: Int32Array;
  readonly isLong: Uint8Array;
  private symbolic: LuSymbolic | undefined;
  private numeric: LuNumeric | undefined;
  rho = 1e-8;
  delta = 1e-8;
  /** Factorizations that had to start again with larger regularisation. */
  retries = 0;

  constructor(private readonly qp: StandardQp) {
    const { n, mE, mI } = qp;
    const isLong = new Uint8Array(mI);
    const long: number[] = [];
    for (let i = 0; i < mI; i++) {
      if (qp.iStart[i + 1] - qp.iStart[i] > ELIMINATE_MAX) {
        isLong[i] = 1;
        long.push(i);
      }
    }
    this.isLong = isLong;
    this.longRows = Int32Array.from(long);
    this.size = n + mE + long.length;

    const rows: number[] = [];
    const cols: number[] = [];
    const constant: number[] = [];
    const add = (r: number, c: number, v: number) => {
      rows.push(r);
      cols.push(c);
      constant.push(v);
    };
    for (let k = 0; k < n; k++) add(k, k, 0);
    for (let t = 0; t < qp.qv.length; t++) add(qp.qi[t], qp.qj[t], qp.qv[t]);
    this.elimFirst = rows.length;
    const elimRow: number[] = [];
    const elimProduct: number[] = [];
    for (let i = 0; i < mI; i++) {
      if (isLong[i]) continue;
      for (let a = qp.iStart[i]; a < qp.iStart[i + 1]; a++) {
        for (let b = qp.iStart[i]; b < qp.iStart[i + 1]; b++) {
          add(qp.iIndex[a], qp.iIndex[b], 0);
          elimRow.push(i);
          elimProduct.push(qp.iValue[a] * qp.iValue[b]);
        }
      }
    }
    this.elimRow = Int32Array.from(elimRow);
    this.elimProduct = Float64Array.from(elimProduct);
    for (let r = 0; r < mE; r++) {
      for (let k = qp.eStart[r]; k < qp.eStart[r + 1]; k++) {
        add(n + r, qp.eIndex[k], qp.eValue[k]);
        add(qp.eIndex[k], n + r, qp.eValue[k]);
      }
    }
    this.eDiagFirst = rows.length;
    for (let r = 0; r < mE; r++) add(n + r, n + r, 0);
    for (let q = 0; q < long.length; q++) {
      const i = long[q];
      for (let k = qp.iStart[i]; k < qp.iStart[i + 1]; k++) {
        add(n + mE + q, qp.iIndex[k], qp.iValue[k]);
        add(qp.iIndex[k], n + mE + q, qp.iValue[k]);
      }
    }
    this.lDiagFirst = rows.length;
    for (let q = 0; q < long.length; q++) add(n + mE + q, n + mE + q, 0);
    this.assembly = patternFromTriplets(this.size, this.size, rows, cols);
    this.values = Float64Array.from(constant);
  }

  /** Fill and factor the matrix for barrier weights Σ (length n + mI). Returns false when it is singular. */
  factor(sigma: Float64Array): boolean {
    const { n, mE } = this.qp;
    for (let attempt = 0; attempt < 6; attempt++) {
      const v = this.values;
      for (let k = 0; k < n; k++) v[k] = sigma[k] + this.rho;
      for (let t = 0; t < this.elimRow.length; t++)
        v[this.elimFirst + t] = sigma[n + this.elimRow[t]] * this.elimProduct[t];
      for (let r = 0; r < mE; r++) v[this.eDiagFirst + r] = -this.delta;
      for (let q = 0; q < this.longRows.length; q++)
        v[this.lDiagFirst + q] = -1 / sigma[n + this.longRows[q]];
      const a = refillFromTriplets(this.assembly, v);
      if (this.tryFactor(a)) return true;
      this.rho *= 100;
      this.delta *= 100;
      this.retries++;
      this.numeric = undefined;
    }
    return false;
  }

  private tryFactor(a: CscMatrix): boolean {
    try {
      if (!this.symbolic)
        this.symbolic = analyze(a, { pivotTol: 0, refactorPivotTol: 0, singularTol: 0, scale: "none" });
      if (this.numeric && refactor(a, this.numeric).ok) return true;
      this.numeric = factor(a, this.symbolic);
      return true;
    } catch (e) {
      if (isPlurigridError(e) && e.code.startsWith("LU_")) return false;
      throw e;
    }
  }

  /**
   * Solve with the last factorization. The regularisation only serves the factorization: iterative
   * refinement runs against the matrix without ρ and δ, so the step is that of the true Newton system.
   */
  solve(rhs: Float64Array): Float64Array {
    const { n, mE } = this.qp;
    const x = solve(this.numeric!, Float64Array.from(rhs));
    const scale = Math.max(1e-300, normInf(rhs));
    let last = Number.POSITIVE_INFINITY;
    for (let round = 0; round < REFINE_MAX; round++) {
      const r = multiply(this.assembly.matrix, x);
      for (let k = 0; k < n; k++) r[k] -= this.rho * x[k];
      for (let e = n; e < n + mE; e++) r[e] += this.delta * x[e];
      for (let i = 0; i < r.length; i++) r[i] = rhs[i] - r[i];
      const size = normInf(r);
      if (size <= 1e-14 * scale || size >= 0.5 * last) break;
      last = size;
      solve(this.numeric!, r);
      for (let i = 0; i < x.length; i++) x[i] += r[i];
    }
    return x;
  }
}

const REFINE_MAX = 8;

function normInf(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
