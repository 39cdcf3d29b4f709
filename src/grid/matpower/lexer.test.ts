import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Lexer, Tok } from "./lexer.js";

function numberOf(text: string): number {
  const lx = new Lexer(text);
  expect(lx.kind).toBe(Tok.Num);
  const value = lx.num;
  lx.next();
  expect(lx.kind).toBe(Tok.Eof);
  return value;
}

describe("Lexer numbers", () => {
  it("reads every decimal spelling of a double as the same double Number() gives", () => {
    const spellings = (x: number, digits: number): string[] => [
      String(x),
      x.toExponential(),
      x.toPrecision(digits),
      x.toExponential(digits - 1).toUpperCase(),
      x < 1e21 ? x.toFixed(digits - 1) : String(x),
    ];
    const finite = fc.double({ min: 0, noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(finite, fc.integer({ min: 1, max: 21 }), (x, digits) => {
        for (const s of spellings(x, digits)) expect(Object.is(numberOf(s), Number(s)), s).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("reads decimals with many digits and extreme exponents", () => {
    for (const s of [
      "0.1",
      "123456789012345678901234567890",
      "1e308",
      "1e309",
      "4.9e-324",
      "2.2250738585072011e-308",
      "1e-400",
      "0.000000000000000000000000001234",
      "9007199254740993",
      "5.",
      ".5",
      "1d2",
      "1E+02",
      "007",
    ]) {
      expect(Object.is(numberOf(s), Number(s.replace("d", "e"))), s).toBe(true);
    }
  });

  it("leaves the dot of an element-wise operator or a continuation to the operator", () => {
    const lx = new Lexer("2.*x 3./y 4.^2 1...\n 5");
    const kinds: number[] = [];
    while (lx.kind !== Tok.Eof) {
      kinds.push(lx.kind);
      lx.next();
    }
    const { Num, Ident, DotStar, DotSlash, DotCaret } = Tok;
    expect(kinds).toEqual([Num, DotStar, Ident, Num, DotSlash, Ident, Num, DotCaret, Num, Num, Num]);
  });

  it("tells the transpose quote from a quote that opens text", () => {
    const lx = new Lexer("a' [1 'x'] b 'y'");
    const kinds: number[] = [];
    while (lx.kind !== Tok.Eof) {
      kinds.push(lx.kind);
      lx.next();
    }
    const { Ident, Transpose, LBrack, Num, Str, RBrack } = Tok;
    expect(kinds).toEqual([Ident, Transpose, LBrack, Num, Str, RBrack, Ident, Str]);
  });
});
