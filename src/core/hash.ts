import { createHash } from "node:crypto";
import { encodeCanonical } from "./canonical.js";
import { PlurigridError } from "./errors.js";

/**
 * SHA-256 (FIPS 180-4) with domain separation.
 *
 * `hashTagged(tag, ...parts)` hashes an injective encoding of its inputs:
 *
 *     u32be(len(tag)) || tag || u32be(len(part_1)) || part_1 || ... || u32be(len(part_n)) || part_n
 *
 * where `tag` is UTF-8 and every length is in bytes. Because every field carries its length, two different
 * (tag, parts) inputs never give the same SHA-256 input: a block hash cannot be replayed as a transaction
 * hash, and ("ab", "c") differs from ("a", "bc"). Tags name what is hashed, e.g. "plurigrid/tx".
 */

const MAX_FIELD_BYTES = 0xffff_ffff;
// In unicode mode a surrogate pair is one code point, so \p{Cs} matches only lone surrogates.
const LONE_SURROGATE = /\p{Cs}/u;
const utf8 = new TextEncoder();

/** Plain SHA-256 of the concatenation of `parts` (no domain separation: for standards such as RFC 6962). */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

function lengthPrefix(length: number, what: string): Uint8Array {
  if (length > MAX_FIELD_BYTES) {
    throw new PlurigridError("HASH_INPUT_TOO_LARGE", `${what} is ${length} bytes; the limit is 2^32 - 1`, {
      length,
    });
  }
  const prefix = new Uint8Array(4);
  new DataView(prefix.buffer).setUint32(0, length);
  return prefix;
}

/** Domain-separated SHA-256: see the encoding above. The tag must be a non-empty, well-formed string. */
export function hashTagged(tag: string, ...parts: Uint8Array[]): Uint8Array {
  if (typeof tag !== "string" || tag.length === 0 || LONE_SURROGATE.test(tag)) {
    throw new PlurigridError("HASH_BAD_TAG", "a hash tag must be a non-empty string of whole characters", {
      tag: String(tag),
    });
  }
  const tagBytes = utf8.encode(tag);
  const h = createHash("sha256");
  h.update(lengthPrefix(tagBytes.length, "tag"));
  h.update(tagBytes);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (!(p instanceof Uint8Array)) {
      throw new PlurigridError("HASH_BAD_INPUT", `part ${i} to hash is not a Uint8Array`, { index: i });
    }
    h.update(lengthPrefix(p.length, `part ${i}`));
    h.update(p);
  }
  return new Uint8Array(h.digest());
}

/** Hash of a value's RFC 8785 canonical encoding under a tag: what Plurigrid signs and commits to. */
export function hashObject(tag: string, value: unknown): Uint8Array {
  return hashTagged(tag, encodeCanonical(value));
}

/** Lowercase hexadecimal. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

const HEX = /^(?:[0-9a-f]{2})*$/;

/**
 * Bytes from lowercase hexadecimal. Uppercase, odd length or any other character throws HEX_INVALID, so one
 * byte string has exactly one accepted spelling (identifiers and signatures must not be malleable). With
 * `byteLength`, a different length also throws HEX_INVALID.
 */
export function fromHex(hex: string, byteLength?: number): Uint8Array {
  if (typeof hex !== "string" || !HEX.test(hex)) {
    throw new PlurigridError("HEX_INVALID", "expected lowercase hexadecimal with an even number of digits", {
      length: typeof hex === "string" ? hex.length : undefined,
    });
  }
  if (byteLength !== undefined && hex.length !== 2 * byteLength) {
    throw new PlurigridError("HEX_INVALID", `expected ${byteLength} bytes (${2 * byteLength} hex digits)`, {
      expectedBytes: byteLength,
      gotDigits: hex.length,
    });
  }
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** Byte equality that may return early: right for hashes and public data, wrong for comparing secrets. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
