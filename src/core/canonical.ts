import { isPlurigridError, PlurigridError } from "./errors.js";

/**
 * The one encoding for everything Plurigrid hashes or signs: the JSON Canonicalization Scheme, RFC 8785 (JCS).
 *
 * - Object members are sorted by their names as arrays of UTF-16 code units (RFC 8785 §3.2.3), which is
 *   exactly what `Array.prototype.sort()` without a comparator does.
 * - Numbers are written as ECMAScript `Number.prototype.toString` writes them (RFC 8785 §3.2.2.3), so -0 is
 *   written "0"; NaN and the infinities are not JSON and are rejected.
 * - Strings are written as ECMAScript `JSON.stringify` writes them (RFC 8785 §3.2.2.2): \b \t \n \f \r, \" and
 *   \\ as short escapes, other controls as lowercase \u00xx, everything else as is. Lone surrogates are not
 *   I-JSON (RFC 7493 §2.1) and are rejected, since they have no UTF-8 form.
 * - No whitespace; the result is UTF-8.
 *
 * Values are restricted to the JSON data model: null, booleans, finite numbers, strings, arrays and plain
 * objects. `bigint` is rejected (the protocol carries big integers as decimal strings), as is `undefined`
 * anywhere, so that what is hashed is exactly what a receiver can decode.
 */

export type CanonicalValue = null | boolean | number | string | CanonicalValue[] | CanonicalObject;
export interface CanonicalObject {
  [key: string]: CanonicalValue;
}

/** Nesting bound: deep enough for any protocol message, shallow enough that no input exhausts the stack. */
export const CANONICAL_MAX_DEPTH = 64;

// In unicode mode a surrogate pair is one code point, so \p{Cs} matches only lone surrogates.
const LONE_SURROGATE = /\p{Cs}/u;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function unsupported(message: string, path: string): never {
  throw new PlurigridError("CANON_UNSUPPORTED", `${message} at ${path || "the top level"}`, { path });
}

function writeString(s: string, path: string): string {
  if (LONE_SURROGATE.test(s)) unsupported("string holds a lone UTF-16 surrogate (not I-JSON)", path);
  return JSON.stringify(s);
}

function write(value: unknown, path: string, depth: number): string {
  switch (typeof value) {
    case "string":
      return writeString(value, path);
    case "number":
      if (!Number.isFinite(value)) unsupported(`number ${value} has no JSON form`, path);
      return String(value); // ECMAScript Number::toString; String(-0) is "0" as RFC 8785 requires
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return unsupported("bigint is not encoded (carry big integers as decimal strings)", path);
    case "undefined":
      return unsupported("undefined has no JSON form", path);
    case "object":
      break;
    default:
      return unsupported(`a ${typeof value} has no JSON form`, path);
  }
  if (value === null) return "null";
  if (depth >= CANONICAL_MAX_DEPTH) {
    throw new PlurigridError(
      "CANON_TOO_DEEP",
      `value nests deeper than ${CANONICAL_MAX_DEPTH} levels at ${path} (or refers to itself)`,
      { path, maxDepth: CANONICAL_MAX_DEPTH },
    );
  }
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      // Holes of sparse arrays read as undefined and are rejected like any undefined.
      out += write(value[i], `${path}[${i}]`, depth + 1);
    }
    return `${out}]`;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const name = (proto?.constructor as { name?: string } | undefined)?.name ?? "unknown";
    unsupported(`a ${name} is not a plain object`, path);
  }
  if (Object.getOwnPropertySymbols(value).length > 0) unsupported("symbol keys have no JSON form", path);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = "{";
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const childPath = `${path}.${key}`;
    if (i > 0) out += ",";
    out += `${writeString(key, childPath)}:${write(record[key], childPath, depth + 1)}`;
  }
  return `${out}}`;
}

/** The RFC 8785 canonical JSON text of `value`. */
export function canonicalString(value: unknown): string {
  return write(value, "", 0);
}

/** UTF-8 bytes of the RFC 8785 canonical JSON text of `value`: what gets hashed and signed. */
export function encodeCanonical(value: unknown): Uint8Array {
  return utf8Encoder.encode(canonicalString(value));
}

/**
 * Parses canonical JSON bytes. Input that is not valid UTF-8 or not JSON throws CANON_PARSE; input that
 * parses but is not byte-for-byte the canonical encoding of what it parses to (whitespace, unsorted or
 * duplicate keys, "1.0", "\u0041", -0) throws CANON_NOT_CANONICAL. So one value has
 * exactly one accepted encoding, and a signature over the bytes is a signature over the value.
 */
export function decodeCanonical(bytes: Uint8Array): CanonicalValue {
  let text: string;
  try {
    text = utf8Decoder.decode(bytes);
  } catch {
    throw new PlurigridError("CANON_PARSE", "input is not valid UTF-8", { byteLength: bytes.length });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new PlurigridError("CANON_PARSE", `input is not JSON: ${(e as Error).message}`, {
      byteLength: bytes.length,
    });
  }
  let again: Uint8Array;
  try {
    again = encodeCanonical(value);
  } catch (e) {
    if (isPlurigridError(e, "CANON_TOO_DEEP")) throw e;
    // JSON.parse yields only encodable values, except strings with escaped lone surrogates ("\ud800").
    throw new PlurigridError("CANON_NOT_CANONICAL", `input has no canonical form: ${(e as Error).message}`, {
      cause: (e as PlurigridError).code,
    });
  }
  if (!sameBytes(again, bytes)) {
    const at = firstDifference(again, bytes);
    throw new PlurigridError(
      "CANON_NOT_CANONICAL",
      `input is JSON but not its RFC 8785 canonical form (first difference at byte ${at})`,
      { byteOffset: at },
    );
  }
  return value as CanonicalValue;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}
