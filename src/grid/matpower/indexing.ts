import { Tok } from "./lexer.js";
import { describeValue, elementwise, isScalar, isVector, type Matrix, power } from "./values.js";

/** Indexing and arithmetic on matrices, with MATLAB's rules for the cases case scripts use. */

/** One index argument: 1-based positions, or null for `:`. */
export type Index = number[] | null;

/** Reports a problem at the position the caller knows; never returns. */
export type Fail = (message: string) => never;

/** Row and column positions (0-based) that `args` select in `m`; one argument indexes a vector. */
export function selection(m: Matrix, args: Index[], fail: Fail): [number[], number[]] {
  const pick = (index: Index, n: number, what: string): number[] => {
    if (index === null) return Array.from({ length: n }, (_, i) => i);
    return index.map((k) => {
      if (k > n) fail(`index ${k} is beyond the ${n} ${what} of a ${m.rows}×${m.cols} matrix`);
      return k - 1;
    });
  };
  if (args.length === 2) return [pick(args[0], m.rows, "rows"), pick(args[1], m.cols, "columns")];
  if (args.length === 1 && m.rows === 1) return [[0], pick(args[0], m.cols, "columns")];
  if (args.length === 1 && m.cols === 1) return [pick(args[0], m.rows, "rows"), [0]];
  return fail("expected two indices (rows, columns) for a matrix");
}

/** `m(rows, cols)` */
export function gather(m: Matrix, rows: number[], cols: number[]): Matrix {
  const data = new Float64Array(rows.length * cols.length);
  let k = 0;
  for (const r of rows) for (const c of cols) data[k++] = m.data[r * m.cols + c];
  return { kind: "matrix", rows: rows.length, cols: cols.length, data };
}

/** `m(rows, cols) = rhs` on a copy of m; rhs is a scalar or has the selection's size (any orientation for a vector). */
export function scatter(m: Matrix, rows: number[], cols: number[], rhs: Matrix, fail: Fail): Matrix {
  const fits =
    isScalar(rhs) ||
    (rhs.rows === rows.length && rhs.cols === cols.length) ||
    (isVector(rhs) &&
      (rows.length === 1 || cols.length === 1) &&
      rhs.data.length === rows.length * cols.length);
  if (!fits) {
    fail(
      `a ${describeValue(rhs)} cannot be assigned to ${rows.length}×${cols.length} elements; expected that size or a scalar`,
    );
  }
  const data = m.data.slice();
  let k = 0;
  for (const r of rows) {
    for (const c of cols) data[r * m.cols + c] = isScalar(rhs) ? rhs.data[0] : rhs.data[k++];
  }
  return { ...m, data };
}

export const OPERATOR_NAMES: Partial<Record<number, string>> = {
  [Tok.Plus]: "+",
  [Tok.Minus]: "-",
  [Tok.Star]: "*",
  [Tok.Slash]: "/",
  [Tok.DotStar]: ".*",
  [Tok.DotSlash]: "./",
  [Tok.DotCaret]: ".^",
  [Tok.Caret]: "^",
};

/**
 * `a op b`. `*`, `/` and `^` act element-wise only where MATLAB's matrix operation reduces to that (a
 * scalar operand); true matrix products and divisions do not occur in case files and are refused.
 */
export function binaryOp(op: number, a: Matrix, b: Matrix, fail: Fail): Matrix {
  let out: Matrix | undefined;
  const scalarSide = isScalar(a) || isScalar(b);
  if (op === Tok.Plus) out = elementwise(a, b, (x, y) => x + y);
  else if (op === Tok.Minus) out = elementwise(a, b, (x, y) => x - y);
  else if (op === Tok.DotStar || (op === Tok.Star && scalarSide)) out = elementwise(a, b, (x, y) => x * y);
  else if (op === Tok.DotSlash || (op === Tok.Slash && isScalar(b))) out = elementwise(a, b, (x, y) => x / y);
  else if (op === Tok.DotCaret || (op === Tok.Caret && isScalar(a) && isScalar(b)))
    out = elementwise(a, b, power);
  if (out !== undefined) return out;
  return fail(
    `'${OPERATOR_NAMES[op] ?? "?"}' of a ${describeValue(a)} and a ${describeValue(b)} is not supported; expected a scalar operand or equal sizes with an element-wise operator`,
  );
}
