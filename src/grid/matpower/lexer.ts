import { PlurigridError } from "../../core/errors.js";

/**
 * A hand-written tokenizer for the subset of MATLAB that MATPOWER case files use. It streams: `next()`
 * moves to the following token and leaves its kind, value and position in fields, so that a multi-megabyte
 * case is read without allocating an object per token.
 *
 * MATLAB rules kept here (MATLAB documentation, "Continue Long Statements on Multiple Lines" and
 * "Add Comments to Code"): `%` comments run to the end of the line; `%{` and `%}` alone on their lines
 * delimit (nestable) block comments; `...` ends the line and joins it to the next as whitespace; a quote
 * right after a name, number or closing bracket is the transpose operator, elsewhere it opens text.
 */
export const Tok = {
  Eof: 0,
  Newline: 1,
  Num: 2,
  Ident: 3,
  Str: 4,
  LBrack: 5,
  RBrack: 6,
  LBrace: 7,
  RBrace: 8,
  LParen: 9,
  RParen: 10,
  Comma: 11,
  Semi: 12,
  Assign: 13,
  Dot: 14,
  Plus: 15,
  Minus: 16,
  Star: 17,
  Slash: 18,
  Caret: 19,
  DotStar: 20,
  DotSlash: 21,
  DotCaret: 22,
  Colon: 23,
  Transpose: 24,
} as const;
export type TokKind = (typeof Tok)[keyof typeof Tok];

const TOKEN_NAMES: Record<TokKind, string> = {
  0: "the end of the file",
  1: "the end of the line",
  2: "a number",
  3: "a name",
  4: "text",
  5: "'['",
  6: "']'",
  7: "'{'",
  8: "'}'",
  9: "'('",
  10: "')'",
  11: "','",
  12: "';'",
  13: "'='",
  14: "'.'",
  15: "'+'",
  16: "'-'",
  17: "'*'",
  18: "'/'",
  19: "'^'",
  20: "'.*'",
  21: "'./'",
  22: "'.^'",
  23: "':'",
  24: "a transpose (')",
};

/** Powers of ten that are exact doubles (Clinger's fast path needs exactly these). */
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];

/** Single-character tokens by character code. */
const PUNCTUATION: Partial<Record<number, TokKind>> = {
  91: Tok.LBrack,
  93: Tok.RBrack,
  123: Tok.LBrace,
  125: Tok.RBrace,
  40: Tok.LParen,
  41: Tok.RParen,
  44: Tok.Comma,
  59: Tok.Semi,
  61: Tok.Assign,
  46: Tok.Dot,
  43: Tok.Plus,
  45: Tok.Minus,
  42: Tok.Star,
  47: Tok.Slash,
  94: Tok.Caret,
  58: Tok.Colon,
};

/** Tokens made of `.` and the character after it. */
const DOT_OPERATORS: Partial<Record<number, TokKind>> = {
  42: Tok.DotStar,
  47: Tok.DotSlash,
  94: Tok.DotCaret,
  39: Tok.Transpose,
};

const CH_0 = 48;
const CH_9 = 57;

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c) || c === 95;
}

export function parseError(line: number, column: number, message: string): PlurigridError {
  return new PlurigridError("CASE_PARSE", `line ${line}, column ${column}: ${message}`, { line, column });
}

export class Lexer {
  private readonly src: string;
  private pos = 0;
  private lineNo = 1;
  private lineStart = 0;

  /** The current token. */
  kind: TokKind = Tok.Eof;
  /** Value of a Num token. */
  num = 0;
  /** Name of an Ident token, contents of a Str token. */
  text = "";
  /** 1-based position of the current token's first character. */
  line = 1;
  column = 1;
  /** Whether whitespace (or a continuation) separates this token from the previous one. */
  spaceBefore = false;

  constructor(src: string) {
    this.src = src.charCodeAt(0) === 0xfeff ? ` ${src.slice(1)}` : src;
    this.next();
  }

  /** The current token kind, read afresh (type narrowing of `kind` does not see `next()` change it). */
  current(): TokKind {
    return this.kind;
  }

  /** A readable name of the current token for "expected X, found Y" messages. */
  describe(): string {
    if (this.kind === Tok.Ident) return `'${this.text}'`;
    if (this.kind === Tok.Num) return `the number ${this.src.slice(this.tokStart, this.pos)}`;
    return TOKEN_NAMES[this.kind];
  }

  /** Error at the current token. */
  error(message: string): PlurigridError {
    return parseError(this.line, this.column, message);
  }

  /** Error "expected X, found <current token>" at the current token. */
  expected(what: string): PlurigridError {
    return this.error(`expected ${what}, found ${this.describe()}`);
  }

  private tokStart = 0;

  next(): void {
    const prev = this.kind;
    const src = this.src;
    const n = src.length;
    let space = false;
    let pos = this.pos;
    for (;;) {
      if (pos >= n) {
        this.setToken(Tok.Eof, pos, pos, space);
        return;
      }
      const c = src.charCodeAt(pos);
      if (c === 32 || c === 9 || c === 12 || c === 11) {
        pos++;
        space = true;
        continue;
      }
      if (c === 10 || c === 13) {
        const end = c === 13 && src.charCodeAt(pos + 1) === 10 ? pos + 2 : pos + 1;
        this.setToken(Tok.Newline, pos, end, space);
        this.newLineAt(end);
        return;
      }
      if (c === 37 /* % */) {
        pos = this.skipComment(pos);
        continue;
      }
      if (c === 46 /* . */ && src.charCodeAt(pos + 1) === 46 && src.charCodeAt(pos + 2) === 46) {
        // Continuation: the rest of the line is a comment and the line break is whitespace.
        pos = this.skipToLineEnd(pos + 3);
        if (pos < n) {
          pos += src.charCodeAt(pos) === 13 && src.charCodeAt(pos + 1) === 10 ? 2 : 1;
          this.newLineAt(pos);
        }
        space = true;
        continue;
      }
      if (isDigit(c) || (c === 46 && isDigit(src.charCodeAt(pos + 1)))) {
        this.lexNumber(pos, space);
        return;
      }
      if (isIdentStart(c)) {
        let end = pos + 1;
        while (end < n && isIdentPart(src.charCodeAt(end))) end++;
        this.setToken(Tok.Ident, pos, end, space);
        this.text = src.slice(pos, end);
        return;
      }
      if (c === 39 /* ' */) {
        const afterValue =
          !space &&
          (prev === Tok.Ident ||
            prev === Tok.Num ||
            prev === Tok.RParen ||
            prev === Tok.RBrack ||
            prev === Tok.RBrace ||
            prev === Tok.Transpose);
        if (afterValue) {
          this.setToken(Tok.Transpose, pos, pos + 1, space);
          return;
        }
        this.lexString(pos, space, 39);
        return;
      }
      if (c === 34 /* " */) {
        this.lexString(pos, space, 34);
        return;
      }
      this.lexPunct(pos, c, space);
      return;
    }
  }

  private setToken(kind: TokKind, start: number, end: number, space: boolean): void {
    this.kind = kind;
    this.tokStart = start;
    this.line = this.lineNo;
    this.column = start - this.lineStart + 1;
    this.spaceBefore = space;
    this.pos = end;
  }

  private newLineAt(pos: number): void {
    this.lineNo++;
    this.lineStart = pos;
  }

  private skipToLineEnd(pos: number): number {
    const src = this.src;
    const n = src.length;
    while (pos < n) {
      const c = src.charCodeAt(pos);
      if (c === 10 || c === 13) break;
      pos++;
    }
    return pos;
  }

  /** True when the line holding `pos` is blank apart from `marker` (a block comment delimiter). */
  private lineIsOnly(pos: number, marker: string): boolean {
    const lineEnd = this.skipToLineEnd(pos);
    return this.src.slice(this.lineStartOf(pos), lineEnd).trim() === marker;
  }

  private lineStartOf(pos: number): number {
    let p = pos;
    while (p > 0) {
      const c = this.src.charCodeAt(p - 1);
      if (c === 10 || c === 13) break;
      p--;
    }
    return p;
  }

  /** Skips a `%` comment (leaving the line break) or a whole `%{ ... %}` block. */
  private skipComment(pos: number): number {
    const src = this.src;
    if (src.charCodeAt(pos + 1) !== 123 /* { */ || !this.lineIsOnly(pos, "%{"))
      return this.skipToLineEnd(pos);
    const openLine = this.lineNo;
    const openColumn = pos - this.lineStart + 1;
    let depth = 0;
    const n = src.length;
    while (pos < n) {
      const lineEnd = this.skipToLineEnd(pos);
      const content = src.slice(pos, lineEnd).trim();
      if (content === "%{") depth++;
      else if (content === "%}") depth--;
      if (depth === 0) return lineEnd;
      pos = lineEnd;
      if (pos < n) {
        pos += src.charCodeAt(pos) === 13 && src.charCodeAt(pos + 1) === 10 ? 2 : 1;
        this.newLineAt(pos);
      }
    }
    throw parseError(
      openLine,
      openColumn,
      "expected '%}' to close this block comment before the end of the file",
    );
  }

  private lexNumber(start: number, space: boolean): void {
    const src = this.src;
    let pos = start;
    // Mantissa digits accumulate exactly while there are at most 15 significant ones (below 2^53).
    let mantissa = 0;
    let significant = 0;
    let fractionDigits = 0;
    let exact = true;
    let c = src.charCodeAt(pos);
    while (isDigit(c)) {
      if (mantissa !== 0 || c !== CH_0) significant++;
      mantissa = mantissa * 10 + (c - CH_0);
      c = src.charCodeAt(++pos);
    }
    // A dot followed by an operator character or by "..", belongs to `.*`, `./`, `.^`, `.'` or `...`.
    if (c === 46) {
      const d = src.charCodeAt(pos + 1);
      const dotIsOperator = d === 42 || d === 47 || d === 94 || d === 92 || d === 39 || d === 46;
      if (!dotIsOperator) {
        c = src.charCodeAt(++pos);
        while (isDigit(c)) {
          if (mantissa !== 0 || c !== CH_0) significant++;
          mantissa = mantissa * 10 + (c - CH_0);
          fractionDigits++;
          c = src.charCodeAt(++pos);
        }
      }
    }
    let exponent = 0;
    if (c === 101 || c === 69 || c === 100 || c === 68 /* e E d D */) {
      let p = pos + 1;
      let sign = 1;
      let e = src.charCodeAt(p);
      if (e === 43 || e === 45) {
        if (e === 45) sign = -1;
        e = src.charCodeAt(++p);
      }
      if (!isDigit(e)) {
        this.setToken(Tok.Num, start, pos, space);
        throw parseError(this.lineNo, p - this.lineStart + 1, "expected the digits of an exponent");
      }
      while (isDigit(e)) {
        exponent = exponent * 10 + (e - CH_0);
        if (exponent > 100000) exact = false;
        e = src.charCodeAt(++p);
      }
      exponent *= sign;
      pos = p;
      c = e;
    }
    // `12abc`, `1i` (complex numbers) and `1.5.3` are not numbers MATPOWER files use.
    if (isIdentPart(c) || (c === 46 && isDigit(src.charCodeAt(pos + 1)))) {
      throw parseError(this.lineNo, pos - this.lineStart + 1, "expected a separator after the number");
    }
    this.setToken(Tok.Num, start, pos, space);
    const scale = exponent - fractionDigits;
    if (exact && significant <= 15 && scale >= -22 && scale <= 22) {
      // Clinger's fast path: an exact integer times or over an exact power of ten rounds once, correctly.
      this.num = scale >= 0 ? mantissa * POW10[scale] : mantissa / POW10[-scale];
    } else {
      const raw = src.slice(start, pos);
      this.num = Number(raw.replace(/[dD]/, "e"));
    }
  }

  private lexString(start: number, space: boolean, quote: number): void {
    const src = this.src;
    const n = src.length;
    let pos = start + 1;
    let out = "";
    let chunk = pos;
    for (;;) {
      if (pos >= n || src.charCodeAt(pos) === 10 || src.charCodeAt(pos) === 13) {
        this.setToken(Tok.Str, start, pos, space);
        const q = quote === 39 ? "'" : '"';
        throw this.error(`expected ${q} to close this text before the end of the line`);
      }
      if (src.charCodeAt(pos) === quote) {
        // A doubled quote stands for one quote character inside the text.
        if (src.charCodeAt(pos + 1) === quote) {
          out += src.slice(chunk, pos + 1);
          pos += 2;
          chunk = pos;
          continue;
        }
        out += src.slice(chunk, pos);
        this.setToken(Tok.Str, start, pos + 1, space);
        this.text = out;
        return;
      }
      pos++;
    }
  }

  private lexPunct(pos: number, c: number, space: boolean): void {
    let kind: TokKind | undefined = c < 128 ? PUNCTUATION[c] : undefined;
    let len = 1;
    if (c === 46 /* . */) {
      const dotted = DOT_OPERATORS[this.src.charCodeAt(pos + 1)];
      if (dotted !== undefined) {
        kind = dotted;
        len = 2;
      }
    } else if (c === 61 /* = */ && this.src.charCodeAt(pos + 1) === 61) {
      this.unexpected(pos, "==");
    }
    if (kind === undefined) this.unexpected(pos, String.fromCodePoint(this.src.codePointAt(pos) ?? c));
    this.setToken(kind, pos, pos + len, space);
  }

  private unexpected(pos: number, what: string): never {
    throw parseError(
      this.lineNo,
      pos - this.lineStart + 1,
      `unexpected character '${what}'; expected a number, a name, text, a bracket, an operator or the end of the statement`,
    );
  }
}
