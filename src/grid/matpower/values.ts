/**
 * The values a MATPOWER case script computes: numeric matrices, text and cell arrays of text or numbers.
 * Matrices are stored row by row (`data[r * cols + c]`), the order in which case files write them.
 */

export interface Matrix {
  kind: "matrix";
  rows: number;
  cols: number;
  data: Float64Array;
  /** Source line of each row, when the matrix was written as a literal (for error messages). */
  rowLines?: Int32Array;
}

export interface Text {
  kind: "text";
  text: string;
}

export interface Cell {
  kind: "cell";
  rows: number;
  cols: number;
  /** Row by row, like Matrix.data. */
  items: (string | number)[];
}

export type Value = Matrix | Text | Cell;

export function scalar(x: number): Matrix {
  return { kind: "matrix", rows: 1, cols: 1, data: Float64Array.of(x) };
}

export function isScalar(v: Value): boolean {
  return v.kind === "matrix" && v.rows === 1 && v.cols === 1;
}

export function isVector(m: Matrix): boolean {
  return m.rows === 1 || m.cols === 1;
}

export function describeValue(v: Value): string {
  if (v.kind === "text") return "text";
  const what = v.kind === "cell" ? "cell array" : "matrix";
  return `${v.rows}×${v.cols} ${what}`;
}

export function transpose(v: Value): Value {
  if (v.kind === "text") return v;
  if (v.kind === "cell") {
    const items = new Array<string | number>(v.items.length);
    for (let r = 0; r < v.rows; r++)
      for (let c = 0; c < v.cols; c++) items[c * v.rows + r] = v.items[r * v.cols + c];
    return { kind: "cell", rows: v.cols, cols: v.rows, items };
  }
  const data = new Float64Array(v.data.length);
  for (let r = 0; r < v.rows; r++)
    for (let c = 0; c < v.cols; c++) data[c * v.rows + r] = v.data[r * v.cols + c];
  return { kind: "matrix", rows: v.cols, cols: v.rows, data };
}

export function mapMatrix(m: Matrix, f: (x: number) => number): Matrix {
  const data = new Float64Array(m.data.length);
  for (let i = 0; i < data.length; i++) data[i] = f(m.data[i]);
  return { kind: "matrix", rows: m.rows, cols: m.cols, data };
}

/**
 * Element-wise `a op b` where one side is a scalar or both have the same size (MATLAB's rule before
 * implicit expansion, which case files do not need). Returns undefined when the sizes do not fit.
 */
export function elementwise(a: Matrix, b: Matrix, f: (x: number, y: number) => number): Matrix | undefined {
  if (b.rows === 1 && b.cols === 1) {
    const y = b.data[0];
    return mapMatrix(a, (x) => f(x, y));
  }
  if (a.rows === 1 && a.cols === 1) {
    const x = a.data[0];
    return mapMatrix(b, (y) => f(x, y));
  }
  if (a.rows !== b.rows || a.cols !== b.cols) return undefined;
  const data = new Float64Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = f(a.data[i], b.data[i]);
  return { kind: "matrix", rows: a.rows, cols: a.cols, data };
}

/**
 * x^y. MATLAB evaluates a square as one correctly rounded product; Math.pow need not, so squares are
 * multiplied out to give the same double as MATLAB and Octave do for the per-unit conversions in the
 * distribution feeder cases (`Vbase^2 / Sbase`).
 */
export function power(x: number, y: number): number {
  return y === 2 ? x * x : x ** y;
}

/** Functions of one argument that case scripts may call, applied element by element. */
export const ELEMENTWISE_FUNCTIONS: Readonly<Record<string, (x: number) => number>> = {
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sqrt: Math.sqrt,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  log10: Math.log10,
  floor: Math.floor,
  ceil: Math.ceil,
  // MATLAB rounds halves away from zero.
  round: (x) => Math.sign(x) * Math.round(Math.abs(x)),
};

/** Names that denote constants in MATLAB, valid inside and outside brackets. */
export const CONSTANTS: Readonly<Record<string, number>> = {
  Inf: Number.POSITIVE_INFINITY,
  inf: Number.POSITIVE_INFINITY,
  NaN: Number.NaN,
  nan: Number.NaN,
  pi: Math.PI,
  eps: 2 ** -52,
};

/**
 * MATPOWER's named column indices (lib/idx_bus.m, idx_brch.m, idx_gen.m, idx_cost.m), in the order each
 * function returns them, so that `[PQ, PV, ...] = idx_bus;` in a case file binds the same numbers.
 */
export const INDEX_FUNCTIONS: Readonly<Record<string, readonly number[]>> = {
  // PQ PV REF NONE BUS_I BUS_TYPE PD QD GS BS BUS_AREA VM VA BASE_KV ZONE VMAX VMIN LAM_P LAM_Q MU_VMAX MU_VMIN
  idx_bus: [1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
  // F_BUS T_BUS BR_R BR_X BR_B RATE_A RATE_B RATE_C TAP SHIFT BR_STATUS PF QF PT QT MU_SF MU_ST
  // ANGMIN ANGMAX MU_ANGMIN MU_ANGMAX
  idx_brch: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 15, 16, 17, 18, 19, 12, 13, 20, 21],
  // GEN_BUS PG QG QMAX QMIN VG MBASE GEN_STATUS PMAX PMIN MU_PMAX MU_PMIN MU_QMAX MU_QMIN
  // PC1 PC2 QC1MIN QC1MAX QC2MIN QC2MAX RAMP_AGC RAMP_10 RAMP_30 RAMP_Q APF
  idx_gen: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 22, 23, 24, 25, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21],
  // PW_LINEAR POLYNOMIAL MODEL STARTUP SHUTDOWN NCOST COST
  idx_cost: [1, 2, 1, 2, 3, 4, 5],
};
