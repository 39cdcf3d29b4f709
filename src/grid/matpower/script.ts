import { PlurigridError } from "../../core/errors.js";
import { binaryOp, type Fail, gather, type Index, OPERATOR_NAMES, scatter, selection } from "./indexing.js";
import { Lexer, parseError, Tok } from "./lexer.js";
import { parseCellLiteral, parseMatrixLiteral } from "./literals.js";
import {
  CONSTANTS,
  describeValue,
  ELEMENTWISE_FUNCTIONS,
  INDEX_FUNCTIONS,
  mapMatrix,
  scalar,
  transpose,
  type Value,
} from "./values.js";

/**
 * Runs a MATPOWER case file as the small MATLAB program it is and returns the fields of the struct it
 * builds. Besides `mpc.x = [ ... ];` blocks this evaluates the few statements MATPOWER's own distribution
 * feeders (case33bw, case69, case85, case141) append to convert ohms and kW to per unit and MW:
 * scalar variables, `[A, B] = idx_bus;`, arithmetic, `mpc.x(rows, cols)` reads and writes, and a few
 * element-wise functions. Ignoring those statements would silently load impedances in ohms.
 */
export interface CaseScript {
  /** Name in `function mpc = name`, or null when the file has no function line. */
  functionName: string | null;
  fields: Map<string, Value>;
}

export function runCaseScript(text: string): CaseScript {
  return new Interpreter(text).run();
}

class Interpreter {
  private readonly lx: Lexer;
  private readonly vars = new Map<string, Value>();
  private readonly fields = new Map<string, Value>();
  private structName = "mpc";
  private functionName: string | null = null;
  private readonly lookup = (name: string): Value | undefined => this.vars.get(name);

  constructor(text: string) {
    this.lx = new Lexer(text);
  }

  run(): CaseScript {
    const lx = this.lx;
    this.skipSeparators();
    if (lx.kind === Tok.Ident && lx.text === "function") this.header();
    for (;;) {
      this.skipSeparators();
      if (lx.kind === Tok.Eof) break;
      if (lx.kind === Tok.Ident && lx.text === "end") {
        lx.next();
        this.skipSeparators();
        if (lx.current() !== Tok.Eof) throw lx.expected("the end of the file after 'end'");
        break;
      }
      this.statement();
    }
    return { functionName: this.functionName, fields: this.fields };
  }

  private skipSeparators(): void {
    const lx = this.lx;
    while (lx.kind === Tok.Newline || lx.kind === Tok.Semi || lx.kind === Tok.Comma) lx.next();
  }

  private endStatement(): void {
    const lx = this.lx;
    if (lx.kind === Tok.Newline || lx.kind === Tok.Semi || lx.kind === Tok.Comma) lx.next();
    else if (lx.kind !== Tok.Eof) throw lx.expected("';' or the end of the line");
  }

  private identifier(what: string): string {
    const lx = this.lx;
    if (lx.kind !== Tok.Ident) throw lx.expected(what);
    const name = lx.text;
    lx.next();
    return name;
  }

  private expect(kind: number, what: string): void {
    if (this.lx.kind !== kind) throw this.lx.expected(what);
    this.lx.next();
  }

  /** `function mpc = name`; the multi-output form of version 1 files is refused here. */
  private header(): void {
    const lx = this.lx;
    lx.next();
    let outputs: string[];
    if (lx.kind === Tok.LBrack) {
      lx.next();
      outputs = [];
      while (lx.current() !== Tok.RBrack) {
        if (lx.current() === Tok.Comma) lx.next();
        else outputs.push(this.identifier("an output name or ']'"));
      }
      lx.next();
    } else {
      outputs = [this.identifier("'mpc = name' after 'function'")];
    }
    this.expect(Tok.Assign, "'=' after the output of the function");
    this.functionName = this.identifier("the function name");
    if (outputs.length !== 1) {
      throw new PlurigridError(
        "CASE_UNSUPPORTED_VERSION",
        `case '${this.functionName}' returns ${outputs.length} matrices ([${outputs.join(", ")}]): that is MATPOWER case format version 1; only version 2 (function mpc = name) is read. MATPOWER's savecase converts a version 1 case.`,
        { version: "1", outputs },
      );
    }
    this.structName = outputs[0];
    if (lx.kind === Tok.LParen) {
      lx.next();
      this.expect(Tok.RParen, "')' (a case function takes no arguments)");
    }
    this.endStatement();
  }

  private statement(): void {
    const lx = this.lx;
    if (lx.kind === Tok.LBrack) {
      this.multiAssign();
    } else if (lx.kind === Tok.Ident) {
      const name = lx.text;
      lx.next();
      if (name === this.structName) {
        this.expect(Tok.Dot, `'.' after '${name}'`);
        const field = this.identifier(`a field name after '${name}.'`);
        if (lx.current() === Tok.Assign) {
          lx.next();
          this.fields.set(field, this.expression());
        } else if (lx.current() === Tok.LParen) {
          this.assignIndexed(field);
        } else {
          throw lx.expected(`'=' or '(' after '${name}.${field}'`);
        }
      } else {
        this.expect(Tok.Assign, `'=' after '${name}'`);
        this.vars.set(name, this.expression());
      }
    } else {
      throw lx.expected(`a statement such as '${this.structName}.bus = [ ... ];'`);
    }
    this.endStatement();
  }

  /** `[A, B, ...] = idx_bus;` binds MATPOWER's column numbers to the names, in order. */
  private multiAssign(): void {
    const lx = this.lx;
    lx.next();
    const names: string[] = [];
    while (lx.kind !== Tok.RBrack) {
      if (lx.kind === Tok.Comma && names.length > 0) lx.next();
      else names.push(this.identifier("a name, ',' or ']'"));
    }
    lx.next();
    this.expect(Tok.Assign, "'='");
    const line = lx.line;
    const column = lx.column;
    const fn = this.identifier("idx_bus, idx_brch, idx_gen or idx_cost");
    const values = INDEX_FUNCTIONS[fn];
    if (values === undefined) {
      throw parseError(
        line,
        column,
        `unknown function '${fn}'; expected idx_bus, idx_brch, idx_gen or idx_cost`,
      );
    }
    if (names.length > values.length) {
      throw parseError(
        line,
        column,
        `${fn} returns ${values.length} values, but ${names.length} names ask for them`,
      );
    }
    if (lx.current() === Tok.LParen) {
      lx.next();
      this.expect(Tok.RParen, "')'");
    }
    names.forEach((name, i) => {
      this.vars.set(name, scalar(values[i]));
    });
  }

  private assignIndexed(field: string): void {
    const lx = this.lx;
    const at: Fail = this.failAt(lx.line, lx.column);
    const target = this.fields.get(field);
    const args = this.indexArgs();
    this.expect(Tok.Assign, "'='");
    const atRhs: Fail = this.failAt(lx.line, lx.column);
    const rhs = this.expression();
    if (target === undefined || target.kind !== "matrix") {
      at(`${this.structName}.${field} is not a matrix defined above; expected one`);
    }
    const [rows, cols] = selection(target, args, at);
    if (rhs.kind !== "matrix") atRhs(`expected numbers, found ${describeValue(rhs)}`);
    this.fields.set(field, scatter(target, rows, cols, rhs, atRhs));
  }

  private failAt(line: number, column: number): Fail {
    return (message: string): never => {
      throw parseError(line, column, message);
    };
  }

  private indexArgs(): Index[] {
    const lx = this.lx;
    lx.next();
    const args: Index[] = [];
    for (;;) {
      if (lx.kind === Tok.Colon) {
        lx.next();
        args.push(null);
      } else {
        const line = lx.line;
        const column = lx.column;
        const v = this.expression();
        if (v.kind !== "matrix" || !Array.from(v.data).every((x) => Number.isInteger(x) && x >= 1)) {
          throw parseError(line, column, "expected ':' or positive whole numbers as an index");
        }
        args.push(Array.from(v.data));
      }
      if (lx.kind === Tok.RParen) break;
      this.expect(Tok.Comma, "',' or ')'");
    }
    lx.next();
    return args;
  }

  private expression(): Value {
    let left = this.term();
    while (this.lx.kind === Tok.Plus || this.lx.kind === Tok.Minus)
      left = this.binary(left, () => this.term());
    return left;
  }

  private term(): Value {
    let left = this.unary();
    for (;;) {
      const k = this.lx.kind;
      if (k !== Tok.Star && k !== Tok.Slash && k !== Tok.DotStar && k !== Tok.DotSlash) return left;
      left = this.binary(left, () => this.unary());
    }
  }

  /** MATLAB binds unary minus looser than `^` (-2^2 is -4) and tighter than `*`. */
  private unary(): Value {
    const lx = this.lx;
    if (lx.kind === Tok.Minus || lx.kind === Tok.Plus) {
      const negate = lx.kind === Tok.Minus;
      const line = lx.line;
      const column = lx.column;
      lx.next();
      const v = this.unary();
      if (v.kind !== "matrix")
        throw parseError(line, column, `expected numbers after the sign, found ${describeValue(v)}`);
      return negate ? mapMatrix(v, (x) => -x) : v;
    }
    return this.power();
  }

  private power(): Value {
    let left = this.postfix();
    while (this.lx.kind === Tok.Caret || this.lx.kind === Tok.DotCaret) {
      left = this.binary(left, () => {
        const lx = this.lx;
        if (lx.kind !== Tok.Minus && lx.kind !== Tok.Plus) return this.postfix();
        const negate = lx.kind === Tok.Minus;
        lx.next();
        const v = this.postfix();
        return negate && v.kind === "matrix" ? mapMatrix(v, (x) => -x) : v;
      });
    }
    return left;
  }

  private binary(left: Value, right: () => Value): Value {
    const lx = this.lx;
    const op = lx.kind;
    const at: Fail = this.failAt(lx.line, lx.column);
    lx.next();
    const r = right();
    if (left.kind !== "matrix" || r.kind !== "matrix") {
      const name = OPERATOR_NAMES[op] ?? "?";
      return at(
        `'${name}' needs numbers on both sides, found ${describeValue(left)} and ${describeValue(r)}`,
      );
    }
    return binaryOp(op, left, r, at);
  }

  private postfix(): Value {
    let v = this.primary();
    while (this.lx.kind === Tok.Transpose) {
      this.lx.next();
      v = transpose(v);
    }
    return v;
  }

  private primary(): Value {
    const lx = this.lx;
    switch (lx.kind) {
      case Tok.Num: {
        const v = scalar(lx.num);
        lx.next();
        return v;
      }
      case Tok.Str: {
        const text = lx.text;
        lx.next();
        return { kind: "text", text };
      }
      case Tok.LBrack:
        return parseMatrixLiteral(lx, this.lookup);
      case Tok.LBrace:
        return parseCellLiteral(lx, this.lookup);
      case Tok.LParen: {
        lx.next();
        const v = this.expression();
        this.expect(Tok.RParen, "')'");
        return v;
      }
      case Tok.Ident:
        return this.name();
      default:
        throw lx.expected("a value (a number, text, a name, '[', '{' or '(')");
    }
  }

  private name(): Value {
    const lx = this.lx;
    const line = lx.line;
    const column = lx.column;
    const name = lx.text;
    lx.next();
    let v: Value | undefined;
    let label = name;
    if (name === this.structName) {
      this.expect(Tok.Dot, `'.' after '${name}'`);
      const field = this.identifier(`a field name after '${name}.'`);
      label = `${name}.${field}`;
      v = this.fields.get(field);
      if (v === undefined)
        throw parseError(line, column, `${label} is used before it is set; expected it to be defined above`);
    } else if (this.vars.has(name)) {
      v = this.vars.get(name);
    } else if (Object.hasOwn(CONSTANTS, name)) {
      return scalar(CONSTANTS[name]);
    } else if (Object.hasOwn(ELEMENTWISE_FUNCTIONS, name)) {
      if (lx.kind !== Tok.LParen) throw lx.expected(`'(' after '${name}'`);
      lx.next();
      const arg = this.expression();
      this.expect(Tok.RParen, "')'");
      if (arg.kind !== "matrix")
        throw parseError(line, column, `${name} needs numbers, found ${describeValue(arg)}`);
      return mapMatrix(arg, ELEMENTWISE_FUNCTIONS[name]);
    } else {
      throw parseError(
        line,
        column,
        `unknown name '${name}'; expected a number, a variable defined above, ${this.structName}.<field> or a supported function`,
      );
    }
    if (v === undefined) throw parseError(line, column, `'${name}' has no value`);
    if (lx.kind !== Tok.LParen) return v;
    const at: Fail = this.failAt(lx.line, lx.column);
    const args = this.indexArgs();
    if (v.kind !== "matrix") return at(`indexing a ${describeValue(v)} is not supported`);
    const [rows, cols] = selection(v, args, at);
    return gather(v, rows, cols);
  }
}
