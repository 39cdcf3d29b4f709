import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalString, decodeCanonical, encodeCanonical } from "../core/canonical.js";
import { hashTagged, sha256, toHex } from "../core/hash.js";
import { merkleRoot } from "../core/merkle.js";
import {
  canonicalBytes,
  canonicalText,
  decodeCanonicalBytes,
  hashPairHex,
  hex,
  merkleRootHex,
  sha256Bytes,
  sha256Hex,
  taggedHashBytes,
  taggedHashHex,
  taggedHashOfStringHex,
  tagPrefix,
} from "./hashing.js";

describe("fast hashing agrees with core", () => {
  it("sha256 and hashTagged, as hex and bytes; hashPairHex = sha256(prefix, a, b)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.string({ minLength: 1, maxLength: 20 }),
        (data, tag) => {
          fc.pre(!/\p{Cs}/u.test(tag));
          expect(sha256Hex(data)).toBe(toHex(sha256(data)));
          expect(toHex(sha256Bytes(data))).toBe(toHex(sha256(data)));
          expect(taggedHashHex(tagPrefix(tag), data)).toBe(toHex(hashTagged(tag, data)));
          expect(toHex(taggedHashBytes(tagPrefix(tag), data))).toBe(toHex(hashTagged(tag, data)));
          const text = Buffer.from(data).toString("latin1");
          expect(taggedHashOfStringHex(tagPrefix(tag), text)).toBe(
            toHex(hashTagged(tag, new TextEncoder().encode(text))),
          );
          const a = sha256(data);
          const b = sha256(a);
          expect(hashPairHex(1, toHex(a), toHex(b))).toBe(toHex(sha256(Uint8Array.of(1), a, b)));
          expect(hex(data)).toBe(toHex(data));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("merkleRootHex = core merkleRoot (RFC 6962) for every tree size", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 70 }), (leaves) => {
        expect(merkleRootHex(leaves)).toBe(toHex(merkleRoot(leaves)));
      }),
      { numRuns: 300 },
    );
  });
});

/** The outcome of a call: its value, or the code and message of what it threw. */
function outcome<T>(f: () => T): { value: T } | { code: unknown; message: string } {
  try {
    return { value: f() };
  } catch (e) {
    return { code: (e as { code?: unknown }).code, message: (e as Error).message };
  }
}

describe("fast canonical JSON agrees with core", () => {
  const odd = fc.oneof(
    fc.anything({ withBigInt: true, withNullPrototype: true, withMap: true, withDate: true }),
    fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, "\ud800", "a\udc00b", '\u2028\u007f\u0000"\\', {
      [Symbol("s")]: 1,
    }),
  );

  it("canonicalText/canonicalBytes give core's text, or core's error, for any value", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), odd, fc.array(odd), fc.dictionary(fc.string(), odd)), (value) => {
        const core = outcome(() => canonicalString(value));
        expect(outcome(() => canonicalText(value))).toEqual(core);
        const bytes = outcome(() => encodeCanonical(value));
        expect(outcome(() => canonicalBytes(value))).toEqual(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it("arrays of numbers (the fast form's native pass) give core's text, or core's error", () => {
    const num = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(-0, 1e21, 1e-7, 5e-324, 2 ** 53 + 2));
    const tree = fc.letrec((tie) => ({
      node: fc.array(fc.oneof({ depthSize: "small" }, num, tie("node")), { maxLength: 6 }),
    })).node;
    const withToJson = Object.assign([1, 2], { toJSON: () => "x" });
    // biome-ignore lint/suspicious/noSparseArray: a hole is what this case is about
    const sparse = [1, , 3];
    fc.assert(
      fc.property(
        fc.oneof(tree, fc.constantFrom(withToJson, sparse, [[1], [withToJson]], [1, "2"])),
        (value) => {
          expect(outcome(() => canonicalText(value))).toEqual(outcome(() => canonicalString(value)));
          expect(outcome(() => canonicalBytes(value))).toEqual(outcome(() => encodeCanonical(value)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("canonicalText handles nesting at and past core's depth limit like core", () => {
    for (const depth of [63, 64, 65]) {
      let deep: unknown = 1;
      for (let i = 0; i < depth; i++) deep = i % 2 === 0 ? [deep] : { k: deep };
      expect(outcome(() => canonicalText(deep))).toEqual(outcome(() => canonicalString(deep)));
    }
  });

  it("decodeCanonicalBytes accepts and refuses exactly what core's decodeCanonical does", () => {
    const utf8 = new TextEncoder();
    const texts = fc.oneof(
      fc.jsonValue().map((v) => canonicalString(v)),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.jsonValue().map((v) => JSON.stringify(v, null, 1)),
      fc.constantFrom(
        '{"b":1,"a":2}',
        '{"a":1,"a":1}',
        "1.0",
        "-0",
        '"\\u0041"',
        '"\\ud800"',
        "\ufeff1",
        "[1,]",
      ),
    );
    const inputs = fc.oneof(
      texts.map((t) => utf8.encode(t)),
      fc.tuple(texts, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([t, at, b]) => {
        const bytes = utf8.encode(t);
        if (bytes.length > 0) bytes[at % bytes.length] = b;
        return bytes;
      }),
      fc.uint8Array({ maxLength: 40 }),
    );
    fc.assert(
      fc.property(inputs, (bytes) => {
        expect(outcome(() => decodeCanonicalBytes(bytes))).toEqual(outcome(() => decodeCanonical(bytes)));
      }),
      { numRuns: 3000 },
    );
  });
});
