import { type Lexer, parseError, Tok } from "./lexer.js";
import { type Cell, CONSTANTS, type Matrix, type Value } from "./values.js";

/**
 * Matrix `[ ... ]` and cell `{ ... }` literals: the bulk of every case file, so this is the hot path.
 *
 * Inside brackets MATLAB separates values by whitespace or `,` and rows by `;` or a line break. A sign
 * is unary when it follows a separator, or follows whitespace and touches the value after it (`[1 -2]` is
 * two values, `[1 - 2]` and `[1-2]` are one difference). Arithmetic inside brackets is rejected rather
 * than evaluated: case files hold literal numbers there.
 */

export type Lookup = (name: string) => Value | undefined;

/** Collects the values of one literal and checks that every row has as many as the first. */
class RowBuilder {
  count = 0;
  rows = 0;
  cols = -1;
  rowLength = 0;
  rowLine = 0;
  rowColumn = 0;
  lines: number[] = [];

  constructor(private readonly kindName: string) {}

  /** Called before the first value of a row. */
  startValue(lx: Lexer): void {
    if (this.rowLength === 0) {
      this.rowLine = lx.line;
      this.rowColumn = lx.column;
    }
  }

  endRow(): void {
    if (this.rowLength === 0) return;
    if (this.cols < 0) this.cols = this.rowLength;
    else if (this.rowLength !== this.cols) {
      throw parseError(
        this.rowLine,
        this.rowColumn,
        `this row of the ${this.kindName} has ${this.rowLength} values, but the rows above have ${this.cols}; expected ${this.cols} values in every row`,
      );
    }
    this.lines.push(this.rowLine);
    this.rows++;
    this.rowLength = 0;
  }
}

/**
 * Reads an optional sign and reports whether a value follows it as an element (false: the current token
 * does not start a value). Throws on a binary operator between values.
 */
function readSign(lx: Lexer, afterValue: boolean): number {
  if (lx.kind !== Tok.Plus && lx.kind !== Tok.Minus) return 1;
  const sign = lx.kind === Tok.Minus ? -1 : 1;
  const line = lx.line;
  const column = lx.column;
  const spaceBefore = lx.spaceBefore;
  lx.next();
  if (afterValue && !(spaceBefore && !lx.spaceBefore)) {
    throw parseError(
      line,
      column,
      "arithmetic inside [ ] or { } is not supported; expected a value, ',', ';' or a line break (write the computed number)",
    );
  }
  if (lx.current() !== Tok.Num && lx.current() !== Tok.Ident)
    throw lx.expected(`a number after '${sign < 0 ? "-" : "+"}'`);
  return sign;
}

function checkSeparated(lx: Lexer, afterValue: boolean): void {
  if (afterValue && !lx.spaceBefore) throw lx.expected("',' or whitespace between values");
}

function unclosed(lx: Lexer, open: string, close: string, line: number, column: number): never {
  throw lx.error(`expected '${close}' to close the '${open}' opened on line ${line}, column ${column}`);
}

/** Parses `[ ... ]` with the lexer on the `[`; leaves it on the token after `]`. */
export function parseMatrixLiteral(lx: Lexer, lookup: Lookup): Matrix {
  const openLine = lx.line;
  const openColumn = lx.column;
  const rb = new RowBuilder("matrix");
  let data: Float64Array = new Float64Array(256);
  let afterValue = false;
  lx.next();
  for (;;) {
    const kind = lx.kind;
    if (kind === Tok.Num || kind === Tok.Ident || kind === Tok.Plus || kind === Tok.Minus) {
      if (kind === Tok.Num || kind === Tok.Ident) checkSeparated(lx, afterValue);
      rb.startValue(lx);
      const sign = readSign(lx, afterValue);
      if (data.length < rb.count + 1) data = grow(data, rb.count + 1);
      if (lx.kind === Tok.Num) {
        data[rb.count++] = sign * lx.num;
        rb.rowLength++;
        lx.next();
      } else {
        const values = identifierValues(lx, lookup);
        if (data.length < rb.count + values.length) data = grow(data, rb.count + values.length);
        for (let i = 0; i < values.length; i++) data[rb.count++] = sign * values[i];
        rb.rowLength += values.length;
      }
      afterValue = true;
    } else if (kind === Tok.Newline || kind === Tok.Semi) {
      rb.endRow();
      afterValue = false;
      lx.next();
    } else if (kind === Tok.Comma) {
      if (!afterValue) throw lx.expected("a value before ','");
      afterValue = false;
      lx.next();
    } else if (kind === Tok.RBrack) {
      rb.endRow();
      lx.next();
      break;
    } else if (kind === Tok.Eof) {
      unclosed(lx, "[", "]", openLine, openColumn);
    } else if (kind === Tok.Str) {
      throw lx.error(
        "text inside [ ] is not supported; expected a number (names belong in a cell array { })",
      );
    } else {
      throw lx.expected(
        afterValue ? "',', ';', a line break or ']'" : "a number, ',', ';', a line break or ']'",
      );
    }
  }
  const cols = rb.rows === 0 ? 0 : rb.cols;
  return {
    kind: "matrix",
    rows: rb.rows,
    cols,
    data: data.slice(0, rb.count),
    rowLines: Int32Array.from(rb.lines),
  };
}

function grow(data: Float64Array, need: number): Float64Array {
  let size = data.length * 2;
  while (size < need) size *= 2;
  const bigger = new Float64Array(size);
  bigger.set(data);
  return bigger;
}

/** Values of a name inside brackets: a constant (`Inf`, `NaN`, ...) or a scalar or row vector variable. */
function identifierValues(lx: Lexer, lookup: Lookup): ArrayLike<number> {
  const name = lx.text;
  const line = lx.line;
  const column = lx.column;
  lx.next();
  if (lx.kind === Tok.LParen && !lx.spaceBefore) {
    throw parseError(
      line,
      column,
      `calling or indexing '${name}' inside [ ] or { } is not supported; expected a value`,
    );
  }
  if (Object.hasOwn(CONSTANTS, name)) return [CONSTANTS[name]];
  const v = lookup(name);
  if (v === undefined) {
    throw parseError(
      line,
      column,
      `unknown name '${name}'; expected a number, Inf, NaN or a variable defined above`,
    );
  }
  if (v.kind !== "matrix" || (v.rows > 1 && v.cols > 0)) {
    throw parseError(line, column, `'${name}' is not a number or a row of numbers; expected a value`);
  }
  return v.data;
}

/** Parses `{ ... }` (text and numbers) with the lexer on the `{`; leaves it on the token after `}`. */
export function parseCellLiteral(lx: Lexer, lookup: Lookup): Cell {
  const openLine = lx.line;
  const openColumn = lx.column;
  const rb = new RowBuilder("cell array");
  const items: (string | number)[] = [];
  let afterValue = false;
  lx.next();
  for (;;) {
    const kind = lx.kind;
    if (kind === Tok.Str) {
      checkSeparated(lx, afterValue);
      rb.startValue(lx);
      items.push(lx.text);
      rb.rowLength++;
      rb.count++;
      afterValue = true;
      lx.next();
    } else if (kind === Tok.Num || kind === Tok.Ident || kind === Tok.Plus || kind === Tok.Minus) {
      if (kind === Tok.Num || kind === Tok.Ident) checkSeparated(lx, afterValue);
      rb.startValue(lx);
      const sign = readSign(lx, afterValue);
      if (lx.kind === Tok.Num) {
        items.push(sign * lx.num);
        rb.rowLength++;
        lx.next();
      } else {
        const values = identifierValues(lx, lookup);
        if (values.length !== 1) throw lx.error("expected one number per cell");
        items.push(sign * values[0]);
        rb.rowLength++;
      }
      rb.count++;
      afterValue = true;
    } else if (kind === Tok.Newline || kind === Tok.Semi) {
      rb.endRow();
      afterValue = false;
      lx.next();
    } else if (kind === Tok.Comma) {
      if (!afterValue) throw lx.expected("a value before ','");
      afterValue = false;
      lx.next();
    } else if (kind === Tok.RBrace) {
      rb.endRow();
      lx.next();
      break;
    } else if (kind === Tok.Eof) {
      unclosed(lx, "{", "}", openLine, openColumn);
    } else {
      throw lx.expected(
        afterValue ? "',', ';', a line break or '}'" : "text, a number, ',', ';', a line break or '}'",
      );
    }
  }
  return { kind: "cell", rows: rb.rows, cols: rb.rows === 0 ? 0 : rb.cols, items };
}
