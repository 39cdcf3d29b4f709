import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../core/hash.js";
import { generateKeyPair, sign, verify } from "../core/keys.js";
import { ed25519ValidHex } from "./verify.js";

// Encodings of small-order points (order 1, 2, 4, 8), canonical and not; core refuses them as keys.
const SMALL_ORDER = [
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0100000000000000000000000000000000000000000000000000000000000000",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
];

describe("ed25519ValidHex", () => {
  const keys = Array.from({ length: 4 }, () => generateKeyPair());

  it("gives core's verify verdict for real, tampered, random and small-order keys and signatures", () => {
    const cases = fc.record({
      key: fc.oneof(
        fc.constantFrom(...keys.map((k) => k.publicKey)),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.constantFrom(...SMALL_ORDER).map((h) => Uint8Array.from(Buffer.from(h, "hex"))),
        fc
          .constantFrom(...SMALL_ORDER)
          .map((h) => Uint8Array.from(Buffer.from(h, "hex")).map((b, i) => (i === 31 ? b | 0x80 : b))),
      ),
      signer: fc.nat(keys.length - 1),
      message: fc.uint8Array({ maxLength: 64 }),
      flip: fc.option(fc.nat(64 * 8 - 1)),
      random: fc.option(fc.uint8Array({ minLength: 64, maxLength: 64 })),
      trivial: fc.boolean(),
    });
    fc.assert(
      fc.property(cases, ({ key, signer, message, flip, random, trivial }) => {
        let signature = sign(keys[signer].secretKey, message);
        if (flip !== null) signature[flip >> 3] ^= 1 << (flip & 7);
        if (random !== null) signature = random;
        // R = identity, S = 0: valid under a small-order key for any message if the key were accepted.
        if (trivial) signature = Uint8Array.from([1, ...new Array<number>(63).fill(0)]);
        expect(ed25519ValidHex(toHex(key), message, toHex(signature))).toBe(verify(key, message, signature));
      }),
      { numRuns: 1500 },
    );
    const k = keys[0];
    const m = Uint8Array.of(1, 2, 3);
    expect(ed25519ValidHex(toHex(k.publicKey), m, toHex(sign(k.secretKey, m)))).toBe(true);
  });
});
