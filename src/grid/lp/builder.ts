import { PlurigridError } from "../../core/errors.js";
import type { LpProblem, ObjectiveSense } from "./types.js";

/** Growable typed arrays: amortised O(1) appends, one copy at the end. */
class F64 {
  data: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Float64Array(Math.max(4, capacity));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

class I32 {
  data: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(4, capacity));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

export interface BuilderCapacity {
  cols?: number;
  rows?: number;
  nonzeros?: number;
}

/**
 * Builds an `LpProblem` column by column and row by row. Columns and rows are numbered in the order they
 * are added; names are optional and only kept if every column (row) gets one.
 */
export class LpBuilder {
  private readonly cost: F64;
  private readonly lower: F64;
  private readonly upper: F64;
  private readonly rowLo: F64;
  private readonly rowHi: F64;
  private readonly rowStart: I32;
  private readonly rowIndex: I32;
  private readonly rowValue: F64;
  private readonly qI = new I32(16);
  private readonly qJ = new I32(16);
  private readonly qV = new F64(16);
  private readonly integerCols: number[] = [];
  private readonly colNames: string[] = [];
  private readonly rowNames: string[] = [];
  private offset = 0;
  numCols = 0;
  numRows = 0;

  constructor(
    private readonly sense: ObjectiveSense = "min",
    capacity: BuilderCapacity = {},
  ) {
    const cols = capacity.cols ?? 64;
    const rows = capacity.rows ?? 64;
    const nnz = capacity.nonzeros ?? 4 * rows;
    this.cost = new F64(cols);
    this.lower = new F64(cols);
    this.upper = new F64(cols);
    this.rowLo = new F64(rows);
    this.rowHi = new F64(rows);
    this.rowStart = new I32(rows + 1);
    this.rowStart.push(0);
    this.rowIndex = new I32(nnz);
    this.rowValue = new F64(nnz);
  }

  /** Adds a column with bounds and linear cost; returns its index. */
  addCol(lower: number, upper: number, cost = 0, name?: string): number {
    if (Number.isNaN(lower) || Number.isNaN(upper) || !Number.isFinite(cost)) {
      throw new PlurigridError(
        "LP_BAD_INPUT",
        `column ${this.numCols}: bounds must not be NaN and cost must be finite`,
        {
          col: this.numCols,
          lower,
          upper,
          cost,
        },
      );
    }
    this.cost.push(cost);
    this.lower.push(lower);
    this.upper.push(upper);
    if (name !== undefined) this.colNames.push(name);
    return this.numCols++;
  }

  /** Adds lower ≤ Σ values[k]·x[indices[k]] ≤ upper; a column must not repeat within a row. */
  addRow(
    lower: number,
    upper: number,
    indices: ArrayLike<number>,
    values: ArrayLike<number>,
    name?: string,
  ): number {
    for (let k = 0; k < indices.length; k++) {
      const j = indices[k];
      if (j < 0 || j >= this.numCols || !Number.isInteger(j)) {
        throw new PlurigridError("LP_BAD_INPUT", `row ${this.numRows}: column ${j} does not exist`, {
          row: this.numRows,
          col: j,
        });
      }
      this.rowIndex.push(j);
      this.rowValue.push(values[k]);
    }
    this.rowLo.push(lower);
    this.rowHi.push(upper);
    this.rowStart.push(this.rowIndex.length);
    if (name !== undefined) this.rowNames.push(name);
    return this.numRows++;
  }

  /** Adds value · x[i] · x[j] to the objective (i = j gives value · x[i]²). */
  addQuadratic(i: number, j: number, value: number): void {
    this.qI.push(i);
    this.qJ.push(j);
    this.qV.push(value);
  }

  setColBounds(col: number, lower: number, upper: number): void {
    this.lower.data[col] = lower;
    this.upper.data[col] = upper;
  }

  setCost(col: number, cost: number): void {
    this.cost.data[col] = cost;
  }

  addOffset(value: number): void {
    this.offset += value;
  }

  setInteger(col: number): void {
    this.integerCols.push(col);
  }

  build(): LpProblem {
    const problem: LpProblem = {
      sense: this.sense,
      numCols: this.numCols,
      numRows: this.numRows,
      offset: this.offset,
      colCost: this.cost.toArray(),
      colLower: this.lower.toArray(),
      colUpper: this.upper.toArray(),
      rowLower: this.rowLo.toArray(),
      rowUpper: this.rowHi.toArray(),
      rowStart: this.rowStart.toArray(),
      rowIndex: this.rowIndex.toArray(),
      rowValue: this.rowValue.toArray(),
    };
    if (this.qV.length > 0) {
      problem.quadratic = { i: this.qI.toArray(), j: this.qJ.toArray(), value: this.qV.toArray() };
    }
    if (this.integerCols.length > 0) {
      const integer = new Uint8Array(this.numCols);
      for (const j of this.integerCols) integer[j] = 1;
      problem.integer = integer;
    }
    if (this.colNames.length === this.numCols && this.numCols > 0) problem.colNames = this.colNames.slice();
    if (this.rowNames.length === this.numRows && this.numRows > 0) problem.rowNames = this.rowNames.slice();
    return problem;
  }
}
