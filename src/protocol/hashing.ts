import * as crypto from "node:crypto";
import { type CanonicalValue, canonicalString, decodeCanonical, encodeCanonical } from "../core/canonical.js";

/**
 * The hashes on the protocol's hot paths (tree nodes, key and value hashes, transaction ids and roots),
 * computed with node:crypto's one-shot `crypto.hash`. The results are bit-for-bit those of core's `sha256`,
 * `hashTagged` and `merkleRoot` (hashing.test.ts checks it); they exist because a block of 1,000 transfers
 * hashes some 15,000 times. Results come back as lowercase hex: asking node:crypto for a string costs less
 * than half of asking for a Buffer, and hex is what tree paths, proofs and roots are written in anyway.
 */

type OneShot = (algorithm: string, data: Uint8Array, outputEncoding: "hex" | "buffer") => string | Buffer;
// crypto.hash arrived in Node 20.12 / 21.7; older 20.x fall back to createHash (same bytes, slower).
const oneShot: OneShot | undefined = (crypto as unknown as { hash?: OneShot }).hash;

export function sha256Hex(data: Uint8Array): string {
  if (oneShot !== undefined) return oneShot("sha256", data, "hex") as string;
  return crypto.createHash("sha256").update(data).digest("hex");
}

export function sha256Bytes(data: Uint8Array): Uint8Array {
  if (oneShot !== undefined) return oneShot("sha256", data, "buffer") as Buffer;
  return crypto.createHash("sha256").update(data).digest();
}

const utf8 = new TextEncoder();

/** A tag's fixed preimage prefix: u32be(len(tag)) || tag, as core's hashTagged writes it. */
export function tagPrefix(tag: string): Uint8Array {
  const bytes = utf8.encode(tag);
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}

function taggedPreimage(prefix: Uint8Array, part: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(prefix.length + 4 + part.length);
  buf.set(prefix, 0);
  buf.writeUInt32BE(part.length, prefix.length);
  buf.set(part, prefix.length + 4);
  return buf;
}

/** hex(hashTagged(tag, part)) for one part, with the tag's prefix computed once by tagPrefix(tag). */
export function taggedHashHex(prefix: Uint8Array, part: Uint8Array): string {
  return sha256Hex(taggedPreimage(prefix, part));
}

/** hashTagged(tag, part) as bytes. */
export function taggedHashBytes(prefix: Uint8Array, part: Uint8Array): Uint8Array {
  return sha256Bytes(taggedPreimage(prefix, part));
}

/** hex(hashTagged(tag, utf8(text))) without an intermediate encoding of `text`. */
export function taggedHashOfStringHex(prefix: Uint8Array, text: string): string {
  const length = Buffer.byteLength(text, "utf8");
  const buf = Buffer.allocUnsafe(prefix.length + 4 + length);
  buf.set(prefix, 0);
  buf.writeUInt32BE(length, prefix.length);
  buf.write(text, prefix.length + 4, "utf8");
  return sha256Hex(buf);
}

const pair = Buffer.alloc(65);

/** hex(SHA-256(prefixByte || a || b)) for two hashes given as 64 lowercase hex digits. */
export function hashPairHex(prefixByte: number, aHex: string, bHex: string): string {
  pair[0] = prefixByte;
  pair.write(aHex, 1, "hex");
  pair.write(bHex, 33, "hex");
  return sha256Hex(pair);
}

const HEX_DIGITS = "0123456789abcdef";
const BYTE_HEX: string[] = Array.from({ length: 256 }, (_, i) => HEX_DIGITS[i >> 4] + HEX_DIGITS[i & 15]);

/** Lowercase hex without a Buffer round trip (for short byte strings). */
export function hex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += BYTE_HEX[bytes[i]];
  return out;
}

/**
 * hex of the RFC 6962 Merkle Tree Hash over `leaves` (leaf = SHA-256(0x00 || d), node = SHA-256(0x01 || l || r),
 * an unpaired last node carried up): the same as core's merkleRoot, for the transaction root of every block.
 */
export function merkleRootHex(leaves: readonly Uint8Array[]): string {
  if (leaves.length === 0) return sha256Hex(new Uint8Array(0));
  let level: string[] = new Array(leaves.length);
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i];
    const buf = Buffer.allocUnsafe(1 + leaf.length);
    buf[0] = 0x00;
    buf.set(leaf, 1);
    level[i] = sha256Hex(buf);
  }
  while (level.length > 1) {
    const up: string[] = new Array(Math.ceil(level.length / 2));
    for (let i = 0; i + 1 < level.length; i += 2) up[i >> 1] = hashPairHex(0x01, level[i], level[i + 1]);
    if (level.length % 2 === 1) up[up.length - 1] = level[level.length - 1];
    level = up;
  }
  return level[0];
}

// ---- canonical JSON on the hot paths --------------------------------------------------------------------
// core/canonical.ts is the definition (RFC 8785); the forms below give the same text for the values they
// accept and hand everything else to core, which then gives the answer or the error it always gives. They
// skip what costs most on the hot path: the path string built for every member (only an error needs it).

// In unicode mode a surrogate pair is one code point, so \p{Cs} matches only lone surrogates.
const LONE_SURROGATE = /\p{Cs}/u;
const CANONICAL_DEPTH_MAX = 64; // core's CANONICAL_MAX_DEPTH
const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// Characters JSON.stringify would escape, and surrogates (a string without any is written as it is).
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what it looks for
const NEEDS_CARE = /["\\\u0000-\u001f\ud800-\udfff]/;

function quoted(s: string): string | undefined {
  if (!NEEDS_CARE.test(s)) return `"${s}"`;
  const q = JSON.stringify(s);
  // JSON.stringify escapes lone surrogates, so a string it returns unescaped holds none.
  if (q.length !== s.length + 2 && LONE_SURROGATE.test(s)) return undefined;
  return q;
}

/**
 * core's canonicalString(value), or undefined where core would throw or where this form does not look
 * (a value nested 64 deep). `parsed`: the value came from JSON.parse, so every object is plain and has no
 * symbol keys.
 */
function canonicalOrUndefined(value: unknown, depth: number, parsed: boolean): string | undefined {
  switch (typeof value) {
    case "string":
      return quoted(value);
    case "number":
      return Number.isFinite(value) ? String(value) : undefined;
    case "boolean":
      return value ? "true" : "false";
    case "object":
      break;
    default:
      return undefined;
  }
  if (value === null) return "null";
  if (depth >= CANONICAL_DEPTH_MAX) return undefined;
  if (Array.isArray(value)) {
    // Numbers and arrays of them all the way down (fills, quantities, prices): JSON.stringify writes
    // a finite number as Number.prototype.toString does, which is RFC 8785's form, and in one native pass.
    if (isNumberTree(value, depth)) return JSON.stringify(value);
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      const item = canonicalOrUndefined(value[i], depth + 1, parsed);
      if (item === undefined) return undefined;
      out += i === 0 ? item : `,${item}`;
    }
    return `${out}]`;
  }
  if (!parsed) {
    if (Object.getPrototypeOf(value) !== Object.prototype) return undefined;
    if (Object.getOwnPropertySymbols(value).length > 0) return undefined;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = "{";
  for (let i = 0; i < keys.length; i++) {
    const key = quoted(keys[i]);
    const member = canonicalOrUndefined(record[keys[i]], depth + 1, parsed);
    if (key === undefined || member === undefined) return undefined;
    out += i === 0 ? `${key}:${member}` : `,${key}:${member}`;
  }
  return `${out}}`;
}

/** Every item a finite number or an array of the same kind (no holes, no toJSON), within the depth bound. */
function isNumberTree(items: readonly unknown[], depth: number): boolean {
  if (depth >= CANONICAL_DEPTH_MAX || (items as { toJSON?: unknown }).toJSON !== undefined) return false;
  for (let i = 0; i < items.length; i++) {
    const x = items[i];
    if (typeof x === "number") {
      if (!Number.isFinite(x)) return false;
    } else if (!Array.isArray(x) || !isNumberTree(x, depth + 1)) return false;
  }
  return true;
}

/** core's canonicalString(value), with the same errors. */
export function canonicalText(value: unknown): string {
  return canonicalOrUndefined(value, 0, false) ?? canonicalString(value);
}

/** core's encodeCanonical(value), with the same errors. */
export function canonicalBytes(value: unknown): Uint8Array {
  const text = canonicalOrUndefined(value, 0, false);
  return text === undefined ? encodeCanonical(value) : utf8.encode(text);
}

/**
 * core's decodeCanonical(bytes), with the same errors: bytes that are the canonical text of what they parse
 * to are accepted here, anything else goes to core for its verdict and its exact error.
 */
export function decodeCanonicalBytes(bytes: Uint8Array): CanonicalValue {
  let text: string | undefined;
  try {
    text = utf8Strict.decode(bytes);
  } catch {
    text = undefined;
  }
  if (text !== undefined) {
    let value: unknown;
    let parsedOk = true;
    try {
      value = JSON.parse(text);
    } catch {
      parsedOk = false;
    }
    if (parsedOk && canonicalOrUndefined(value, 0, true) === text) return value as CanonicalValue;
  }
  return decodeCanonical(bytes);
}
