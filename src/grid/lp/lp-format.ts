import type { LpProblem } from "./types.js";

/**
 * Writes an `LpProblem` in CPLEX LP format (the text HiGHS, CPLEX, Gurobi, GLPK and SCIP all read), for
 * export, for reproducing a solve outside the project, and as the text transport of the HiGHS adapter.
 *
 * Columns are named c<j> and rows r<i> whatever names the problem carries, so the text is always valid
 * LP syntax and a solver's answer maps back by index. HiGHS's LP reader does not accept ranged rows
 * (`lo <= a x <= hi`), so a row with two distinct finite bounds is written as two rows, r<i> (lower) and
 * r<i>_hi (upper); `textRows` says which original row each text row belongs to, and the dual of the
 * original row is the sum of the duals of its text rows.
 *
 * The text is built as an array of small strings joined once (linear in the size of the problem;
 * repeated concatenation of a growing string would copy it again and again). Numbers use JavaScript's
 * shortest round-trip representation, so the solver reads back exactly the same doubles.
 */
export interface LpText {
  text: string;
  /** Original row index of each row written, in the order written. */
  textRows: Int32Array;
}

function term(parts: string[], coef: number, name: string, first: boolean): void {
  if (coef < 0) parts.push(first ? "- " : " - ", String(-coef), " ", name);
  else parts.push(first ? "" : " + ", String(coef), " ", name);
}

function rowBody(parts: string[], p: LpProblem, i: number): void {
  const start = p.rowStart[i];
  const end = p.rowStart[i + 1];
  if (start === end) {
    // An empty row still needs a term to be syntactically a constraint.
    parts.push("0 c0");
    return;
  }
  for (let k = start; k < end; k++) term(parts, p.rowValue[k], `c${p.rowIndex[k]}`, k === start);
}

function bound(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return "inf";
  if (v === Number.NEGATIVE_INFINITY) return "-inf";
  return String(v);
}

export function toLpText(p: LpProblem): LpText {
  const parts: string[] = [];
  parts.push(p.sense === "max" ? "Maximize\n obj: " : "Minimize\n obj: ");
  let first = true;
  for (let j = 0; j < p.numCols; j++) {
    const c = p.colCost[j];
    if (c !== 0) {
      term(parts, c, `c${j}`, first);
      first = false;
    }
  }
  const q = p.quadratic;
  if (q && q.value.length > 0) {
    // LP format writes ½ xᵀQx as [ ... ] / 2, so each term value·xi·xj appears with coefficient 2·value.
    parts.push(first ? "[ " : " + [ ");
    for (let k = 0; k < q.value.length; k++) {
      const v = 2 * q.value[k];
      const name = q.i[k] === q.j[k] ? `c${q.i[k]} ^ 2` : `c${q.i[k]} * c${q.j[k]}`;
      term(parts, v, name, k === 0);
    }
    parts.push(" ] / 2");
    first = false;
  }
  if (p.offset !== 0) parts.push(p.offset < 0 ? " - " : first ? "" : " + ", String(Math.abs(p.offset)));
  parts.push("\nSubject To\n");

  const textRows: number[] = [];
  for (let i = 0; i < p.numRows; i++) {
    const lo = p.rowLower[i];
    const hi = p.rowUpper[i];
    const loFinite = Number.isFinite(lo);
    const hiFinite = Number.isFinite(hi);
    if (loFinite && hiFinite && lo === hi) {
      parts.push(" r", String(i), ": ");
      rowBody(parts, p, i);
      parts.push(" = ", String(lo), "\n");
      textRows.push(i);
      continue;
    }
    if (loFinite || !hiFinite) {
      // A free row (both bounds infinite) is written as ≥ -1e30, which HiGHS reads as no bound.
      parts.push(" r", String(i), ": ");
      rowBody(parts, p, i);
      parts.push(" >= ", loFinite ? String(lo) : "-1e+30", "\n");
      textRows.push(i);
    }
    if (hiFinite) {
      parts.push(" r", String(i), loFinite ? "_hi: " : ": ");
      rowBody(parts, p, i);
      parts.push(" <= ", String(hi), "\n");
      textRows.push(i);
    }
  }

  // Every column gets a bound line: LP format's default is [0, +inf), and a column that appears nowhere
  // else must still be declared.
  parts.push("Bounds\n");
  for (let j = 0; j < p.numCols; j++) {
    const lo = p.colLower[j];
    const hi = p.colUpper[j];
    const name = `c${j}`;
    if (lo === Number.NEGATIVE_INFINITY && hi === Number.POSITIVE_INFINITY) parts.push(" ", name, " free\n");
    else if (lo === hi) parts.push(" ", name, " = ", String(lo), "\n");
    else parts.push(" ", bound(lo), " <= ", name, " <= ", bound(hi), "\n");
  }
  if (p.integer) {
    const ints: string[] = [];
    for (let j = 0; j < p.numCols; j++) if (p.integer[j]) ints.push(`c${j}`);
    if (ints.length > 0) parts.push("Generals\n ", ints.join(" "), "\n");
  }
  parts.push("End\n");
  return { text: parts.join(""), textRows: Int32Array.from(textRows) };
}
