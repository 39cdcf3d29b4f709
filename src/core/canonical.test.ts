import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CANONICAL_MAX_DEPTH, canonicalString, decodeCanonical, encodeCanonical } from "./canonical.js";
import { isPlurigridError } from "./errors.js";

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isPlurigridError(e)) return e.code;
    throw e;
  }
  return undefined;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const bytesFromHex = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));

function doubleFromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

/** -0 and 0 are one value in JSON: compare decoded values with -0 folded into 0. */
function foldZero(v: unknown): unknown {
  if (typeof v === "number") return v === 0 ? 0 : v;
  if (Array.isArray(v)) return v.map(foldZero);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, foldZero(x)]));
  }
  return v;
}

/** Rebuilds every object with its keys in an order drawn from `seed` (a small LCG; test-only). */
function shuffleKeys(v: unknown, seed: { s: number }): unknown {
  if (Array.isArray(v)) return v.map((x) => shuffleKeys(x, seed));
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i > 0; i--) {
      seed.s = (Math.imul(seed.s, 1103515245) + 12345) >>> 0;
      const j = seed.s % (i + 1);
      [entries[i], entries[j]] = [entries[j], entries[i]];
    }
    return Object.fromEntries(entries.map(([k, x]) => [k, shuffleKeys(x, seed)]));
  }
  return v;
}

/**
 * Independent oracle: JSON.stringify for every leaf and name, members joined in sorted name order by hand
 * (an object cannot hold them in that order: integer-like names such as "0" always iterate first).
 */
function sortedStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedStringify).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const record = v as Record<string, unknown>;
    const members = Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${sortedStringify(record[k])}`);
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(v);
}

const json = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 4, stringUnit: "grapheme" }),
  fc.jsonValue({ maxDepth: 3, stringUnit: "binary" }),
);

describe("RFC 8785 published examples", () => {
  it("§3.2.2/§3.2.3: the sample object canonicalizes to the published string and bytes", () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    const expected = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
    const value = JSON.parse(input);
    expect(canonicalString(value)).toBe(expected);
    // §3.2.4: the UTF-8 bytes of the result.
    const rfcBytes =
      "7b226c69746572616c73223a5b6e756c6c2c747275652c66616c73655d2c226e756d62657273223a5b3333333333333333" +
      "332e333333333333332c31652b33302c342e352c302e3030322c31652d32375d2c22737472696e67223a22e282ac245c7530" +
      "3030665c6e4127425c225c5c5c5c5c222f227d";
    expect(encodeCanonical(value)).toEqual(bytesFromHex(rfcBytes));
    expect(decodeCanonical(bytesFromHex(rfcBytes))).toEqual(value);
  });

  it("§3.2.3: member names sort by UTF-16 code units, so the emoji precedes U+FB33", () => {
    const value = {
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    };
    // Read the values in text order (a parsed object would put the integer-like name "1" first).
    const order = [...canonicalString(value).matchAll(/:"([^"]+)"/g)].map((m) => m[1]);
    expect(order).toEqual([
      "Carriage Return",
      "One",
      "Control",
      "Latin Small Letter O With Diaeresis",
      "Euro Sign",
      "Emoji: Grinning Face",
      "Hebrew Letter Dalet With Dagesh",
    ]);
    expect(canonicalString(value)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  // Appendix B: IEEE 754 bit patterns and their required serialization.
  const numberVectors: [string, string][] = [
    ["0000000000000000", "0"],
    ["8000000000000000", "0"], // minus zero
    ["0000000000000001", "5e-324"], // smallest subnormal
    ["8000000000000001", "-5e-324"],
    ["7fefffffffffffff", "1.7976931348623157e+308"], // largest double
    ["ffefffffffffffff", "-1.7976931348623157e+308"],
    ["4340000000000000", "9007199254740992"], // 2^53
    ["c340000000000000", "-9007199254740992"],
    ["4430000000000000", "295147905179352830000"], // ~2^68
    ["44b52d02c7e14af5", "9.999999999999997e+22"],
    ["44b52d02c7e14af6", "1e+23"],
    ["44b52d02c7e14af7", "1.0000000000000001e+23"],
    ["444b1ae4d6e2ef4e", "999999999999999700000"],
    ["444b1ae4d6e2ef4f", "999999999999999900000"],
    ["444b1ae4d6e2ef50", "1e+21"],
    ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
    ["3eb0c6f7a0b5ed8d", "0.000001"],
    ["41b3de4355555553", "333333333.3333332"],
    ["41b3de4355555554", "333333333.33333325"],
    ["41b3de4355555555", "333333333.3333333"],
    ["41b3de4355555556", "333333333.3333334"],
    ["41b3de4355555557", "333333333.33333343"],
    ["becbf647612f3696", "-0.0000033333333333333333"],
    ["43143ff3c1cb0959", "1424953923781206.2"], // round to even
  ];

  it("Appendix B: numbers serialize as the RFC lists them", () => {
    for (const [bits, text] of numberVectors) {
      expect(canonicalString(doubleFromBits(bits)), bits).toBe(text);
      if (bits !== "8000000000000000") expect(decodeCanonical(utf8(text))).toBe(doubleFromBits(bits));
    }
    expect(canonicalString(1e-7)).toBe("1e-7");
    expect(canonicalString(1e21)).toBe("1e+21");
  });

  it("Appendix B: NaN and Infinity are errors (CANON_UNSUPPORTED)", () => {
    expect(codeOf(() => canonicalString(doubleFromBits("7fffffffffffffff")))).toBe("CANON_UNSUPPORTED");
    expect(codeOf(() => canonicalString(doubleFromBits("7ff0000000000000")))).toBe("CANON_UNSUPPORTED");
    expect(codeOf(() => canonicalString(Number.NEGATIVE_INFINITY))).toBe("CANON_UNSUPPORTED");
  });
});

describe("encodeCanonical", () => {
  it("matches JSON.stringify over recursively sorted keys (an independent oracle)", () => {
    fc.assert(
      fc.property(json, (v) => {
        expect(canonicalString(v)).toBe(sortedStringify(v));
      }),
      { numRuns: 300 },
    );
  });

  it("gives identical bytes for equal objects whatever their key order", () => {
    fc.assert(
      fc.property(json, fc.integer(), (v, seed) => {
        const shuffled = shuffleKeys(v, { s: seed >>> 0 });
        expect(encodeCanonical(shuffled)).toEqual(encodeCanonical(v));
      }),
      { numRuns: 300 },
    );
  });

  it("writes strings the RFC way: short escapes, lowercase \\u00xx for other controls, the rest as is", () => {
    expect(canonicalString('\b\t\n\f\r"\\/')).toBe(String.raw`"\b\t\n\f\r\"\\/"`);
    expect(canonicalString("\u0000\u001f\u007f\u2028é😀")).toBe('"\\u0000\\u001f\u007f\u2028é😀"');
    expect(canonicalString(Object.create(null))).toBe("{}");
    expect(canonicalString([])).toBe("[]");
  });

  it("rejects what JSON cannot carry with CANON_UNSUPPORTED", () => {
    class Reading {
      wh = 1;
    }
    const symbolKeyed = { a: 1, [Symbol("s")]: 2 };
    // biome-ignore lint/suspicious/noSparseArray: a hole is one of the inputs under test.
    const sparse = [, 1];
    const bad: unknown[] = [
      1n,
      { a: 2n },
      undefined,
      { a: undefined },
      [undefined],
      sparse,
      new Date(0),
      new Map(),
      new Uint8Array(2),
      new Reading(),
      () => 1,
      Symbol("x"),
      symbolKeyed,
      "\ud800",
      "a\udc00b",
      { "\ud83d": 1 },
    ];
    for (const v of bad)
      expect(
        codeOf(() => encodeCanonical(v)),
        String(typeof v),
      ).toBe("CANON_UNSUPPORTED");
  });

  it("bounds nesting with CANON_TOO_DEEP, which also stops cycles", () => {
    const nest = (n: number): unknown => (n === 0 ? 0 : [nest(n - 1)]);
    expect(canonicalString(nest(CANONICAL_MAX_DEPTH))).toBe(
      `${"[".repeat(CANONICAL_MAX_DEPTH)}0${"]".repeat(CANONICAL_MAX_DEPTH)}`,
    );
    expect(codeOf(() => canonicalString(nest(CANONICAL_MAX_DEPTH + 1)))).toBe("CANON_TOO_DEEP");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(codeOf(() => canonicalString(cyclic))).toBe("CANON_TOO_DEEP");
  });
});

describe("decodeCanonical", () => {
  it("inverts encodeCanonical", () => {
    fc.assert(
      fc.property(json, (v) => {
        expect(decodeCanonical(encodeCanonical(v))).toEqual(foldZero(v));
      }),
      { numRuns: 300 },
    );
  });

  it("accepts only the canonical text: every other spelling is CANON_NOT_CANONICAL", () => {
    const notCanonical = [
      ' {"a":1}',
      '{"a":1} ',
      '{"a": 1}',
      "[1, 2]",
      '{"b":1,"a":2}',
      '{"a":1,"a":1}',
      "1.0",
      "1E3",
      "0.10",
      "-0",
      "1e21",
      "100000000000000000000000",
      '"\\u0041"',
      '"\\u00e9"',
      '"\\/"',
      '"\\u001F"',
      '"\\ud800"',
    ];
    for (const text of notCanonical) {
      expect(
        codeOf(() => decodeCanonical(utf8(text))),
        text,
      ).toBe("CANON_NOT_CANONICAL");
    }
    fc.assert(
      fc.property(json, (v) => {
        const pretty = JSON.stringify(v, null, 1);
        fc.pre(pretty !== canonicalString(v));
        expect(codeOf(() => decodeCanonical(utf8(pretty)))).toBe("CANON_NOT_CANONICAL");
      }),
      { numRuns: 300 },
    );
  });

  it("rejects bad UTF-8 and bad JSON with CANON_PARSE", () => {
    const bad = [
      new Uint8Array([0xff]),
      new Uint8Array([0x22, 0xc3, 0x22]), // truncated two-byte sequence
      new Uint8Array([0x22, 0xc0, 0xaf, 0x22]), // overlong "/"
      new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]), // UTF-8 of a surrogate
      utf8(""),
      utf8("{"),
      utf8("NaN"),
      utf8("'a'"),
      utf8("[1,]"),
      utf8("\ufeff1"), // a byte order mark is not JSON whitespace
    ];
    for (const b of bad) expect(codeOf(() => decodeCanonical(b))).toBe("CANON_PARSE");
  });

  it("rejects nesting beyond the bound with CANON_TOO_DEEP", () => {
    const n = CANONICAL_MAX_DEPTH + 1;
    expect(codeOf(() => decodeCanonical(utf8(`${"[".repeat(n)}${"]".repeat(n)}`)))).toBe("CANON_TOO_DEEP");
  });
});
