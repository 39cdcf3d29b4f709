import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeCanonical } from "./canonical.js";
import { isPlurigridError } from "./errors.js";
import { bytesEqual, fromHex, hashObject, hashTagged, sha256, toHex } from "./hash.js";

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isPlurigridError(e)) return e.code;
    throw e;
  }
  return undefined;
}

const ascii = (s: string) => new TextEncoder().encode(s);

/** The documented preimage, built by hand: u32be length before the tag and before every part. */
function referenceTagged(tag: string, parts: Uint8Array[]): string {
  const field = (b: Uint8Array) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const preimage = Buffer.concat([field(ascii(tag)), ...parts.map(field)]);
  return createHash("sha256").update(preimage).digest("hex");
}

describe("sha256", () => {
  it("matches the FIPS 180-2 examples", () => {
    expect(toHex(sha256(ascii("abc")))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(toHex(sha256())).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(toHex(sha256(ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
    // Concatenation of parts is plain concatenation here.
    expect(sha256(ascii("a"), ascii("bc"))).toEqual(sha256(ascii("abc")));
  });
});

describe("hashTagged", () => {
  it("hashes the documented length-prefixed encoding", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 4 }),
        (tag, parts) => {
          expect(toHex(hashTagged(tag, ...parts))).toBe(referenceTagged(tag, parts));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("separates domains: different tags, or the same bytes split differently, give different digests", () => {
    const data = ascii("payload");
    expect(hashTagged("plurigrid/tx", data)).not.toEqual(hashTagged("plurigrid/block", data));
    expect(hashTagged("ab", ascii("c"))).not.toEqual(hashTagged("a", ascii("bc")));
    expect(hashTagged("t", ascii("ab"), ascii("c"))).not.toEqual(hashTagged("t", ascii("a"), ascii("bc")));
    expect(hashTagged("t")).not.toEqual(hashTagged("t", new Uint8Array(0)));
    expect(hashTagged("t", data)).not.toEqual(sha256(data));
    fc.assert(
      fc.property(
        fc.tuple(
          fc.string({ minLength: 1, maxLength: 6 }),
          fc.array(fc.uint8Array({ maxLength: 6 }), { maxLength: 3 }),
        ),
        fc.tuple(
          fc.string({ minLength: 1, maxLength: 6 }),
          fc.array(fc.uint8Array({ maxLength: 6 }), { maxLength: 3 }),
        ),
        ([t1, p1], [t2, p2]) => {
          const same = t1 === t2 && p1.length === p2.length && p1.every((p, i) => bytesEqual(p, p2[i]));
          expect(bytesEqual(hashTagged(t1, ...p1), hashTagged(t2, ...p2))).toBe(same);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("rejects bad tags and parts with their codes", () => {
    expect(codeOf(() => hashTagged(""))).toBe("HASH_BAD_TAG");
    expect(codeOf(() => hashTagged("\ud800"))).toBe("HASH_BAD_TAG");
    expect(codeOf(() => hashTagged(7 as unknown as string))).toBe("HASH_BAD_TAG");
    expect(codeOf(() => hashTagged("t", "abc" as unknown as Uint8Array))).toBe("HASH_BAD_INPUT");
    class Huge extends Uint8Array {
      override get length(): number {
        return 2 ** 32;
      }
    }
    expect(codeOf(() => hashTagged("t", new Huge(1)))).toBe("HASH_INPUT_TOO_LARGE");
  });
});

describe("hashObject", () => {
  it("is the tagged hash of the canonical encoding, blind to key order", () => {
    const a = { price: 250_000, energyWh: 1000, who: "pg1" };
    const b = { who: "pg1", energyWh: 1000, price: 250_000 };
    expect(hashObject("plurigrid/intent", a)).toEqual(hashObject("plurigrid/intent", b));
    expect(toHex(hashObject("plurigrid/intent", a))).toBe(
      referenceTagged("plurigrid/intent", [ascii('{"energyWh":1000,"price":250000,"who":"pg1"}')]),
    );
    expect(hashObject("t", a)).toEqual(hashTagged("t", encodeCanonical(a)));
    expect(hashObject("t", { x: 1 })).not.toEqual(hashObject("t", { x: 2 }));
  });

  it("rejects values without a canonical form", () => {
    expect(codeOf(() => hashObject("t", { amount: 10n }))).toBe("CANON_UNSUPPORTED");
    expect(codeOf(() => hashObject("", {}))).toBe("HASH_BAD_TAG");
  });
});

describe("hex", () => {
  it("round-trips bytes through lowercase hex, views included", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const hex = toHex(bytes);
        expect(hex).toBe(Buffer.from(bytes).toString("hex"));
        expect(fromHex(hex)).toEqual(bytes);
        expect(fromHex(hex, bytes.length)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
    const backing = Uint8Array.from([0, 1, 2, 0xab, 0xcd, 5]);
    expect(toHex(backing.subarray(3, 5))).toBe("abcd");
    expect(fromHex("")).toEqual(new Uint8Array(0));
  });

  it("rejects anything but even-length lowercase hex with HEX_INVALID", () => {
    for (const bad of ["abc", "0g", "AB", "aB", " 00", "00 ", "0x00", "-1"]) {
      expect(
        codeOf(() => fromHex(bad)),
        bad,
      ).toBe("HEX_INVALID");
    }
    expect(codeOf(() => fromHex("0011", 3))).toBe("HEX_INVALID");
    expect(codeOf(() => fromHex(12 as unknown as string))).toBe("HEX_INVALID");
  });
});
