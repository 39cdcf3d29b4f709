import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashTagged, sha256, toHex } from "../core/hash.js";
import { merkleRoot } from "../core/merkle.js";
import {
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
