import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
  randomBytes,
} from "node:crypto";
import {
  closeSync,
  fchmodSync,
  fstatSync,
  fsyncSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { canonicalString } from "./canonical.js";
import { PlurigridError } from "./errors.js";
import { bytesEqual, fromHex, hashTagged, toHex } from "./hash.js";

/**
 * Ed25519 (RFC 8032) through node:crypto (OpenSSL), and the key files that hold a participant's secret.
 *
 * A secret key is the 32-byte RFC 8032 seed; the public key is 32 bytes; a signature is 64 bytes. Verification
 * is OpenSSL's (it rejects S >= L, so signatures are not malleable), plus one rule of our own: public keys of
 * small order are refused, because OpenSSL's cofactorless check accepts a trivial signature under them for
 * any message (the identity point with R = identity, S = 0).
 *
 * Account ids: "pg1" followed by the hex of the first 20 bytes of hashTagged("plurigrid/account", publicKey),
 * 43 characters in all. "pg" names the project, "1" the version of this derivation.
 */

export interface KeyPair {
  readonly publicKey: Uint8Array;
  /** The RFC 8032 32-byte secret key (seed). */
  readonly secretKey: Uint8Array;
}

declare const accountBrand: unique symbol;
export type AccountId = string & { readonly [accountBrand]: "AccountId" };

export const PUBLIC_KEY_BYTES = 32;
export const SECRET_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const KEY_FILE_KIND = "plurigrid-ed25519";

// DER wrappers that turn raw Ed25519 bytes into PKCS #8 / SubjectPublicKeyInfo (RFC 8410 §7, §4).
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

// The y-coordinates (with bit 255, the sign of x, cleared) of every point of order 1, 2, 4 or 8, in canonical
// and non-canonical form: 0, 1, the two order-8 points, p - 1, p, p + 1 (libsodium's has_small_order list).
const SMALL_ORDER_Y = [
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0100000000000000000000000000000000000000000000000000000000000000",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
].map((h) => Buffer.from(h, "hex"));

/** Bound on cached public KeyObjects (about 1 KiB each); the cache never changes an answer, only its speed. */
const PUBLIC_KEY_CACHE_MAX = 8192;
const publicKeyCache = new Map<string, KeyObject | null>();
const privateKeyCache = new WeakMap<Uint8Array, { seed: Uint8Array; key: KeyObject }>();

function invalid(message: string, details: Record<string, unknown> = {}): never {
  throw new PlurigridError("KEY_INVALID", message, details);
}

function checkBytes(value: unknown, length: number, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) invalid(`${what} must be a Uint8Array`);
  if (value.length !== length) {
    invalid(`${what} must be ${length} bytes, got ${value.length}`, { expected: length, got: value.length });
  }
  return value;
}

/** True for an encoding of a point of small order (order 1, 2, 4 or 8): such a key is refused. */
export function isSmallOrderPublicKey(publicKey: Uint8Array): boolean {
  checkBytes(publicKey, PUBLIC_KEY_BYTES, "public key");
  for (const y of SMALL_ORDER_Y) {
    let same = (publicKey[31] & 0x7f) === y[31];
    for (let i = 0; same && i < 31; i++) same = publicKey[i] === y[i];
    if (same) return true;
  }
  return false;
}

/** The private KeyObject for a seed, cached per seed array (checked against a copy, so mutation is safe). */
export function privateKeyObject(secretKey: Uint8Array): KeyObject {
  checkBytes(secretKey, SECRET_KEY_BYTES, "secret key");
  const hit = privateKeyCache.get(secretKey);
  if (hit && bytesEqual(hit.seed, secretKey)) return hit.key;
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, secretKey]),
    format: "der",
    type: "pkcs8",
  });
  privateKeyCache.set(secretKey, { seed: Uint8Array.from(secretKey), key });
  return key;
}

/** The key pair of a 32-byte RFC 8032 secret key. */
export function keyFromSeed(secretKey: Uint8Array): KeyPair {
  const key = privateKeyObject(secretKey);
  const spki = createPublicKey(key).export({ format: "der", type: "spki" });
  const copy = Uint8Array.from(secretKey);
  privateKeyCache.set(copy, { seed: Uint8Array.from(secretKey), key }); // so sign(pair.secretKey) starts warm
  return { publicKey: new Uint8Array(spki.subarray(SPKI_PREFIX.length)), secretKey: copy };
}

/** A fresh key pair from the operating system's CSPRNG. */
export function generateKeyPair(): KeyPair {
  return keyFromSeed(new Uint8Array(randomBytes(SECRET_KEY_BYTES)));
}

/** Ed25519 signature (64 bytes) of `message`, by a 32-byte secret key or a private Ed25519 KeyObject. */
export function sign(key: Uint8Array | KeyObject, message: Uint8Array): Uint8Array {
  if (!(message instanceof Uint8Array)) invalid("the message to sign must be a Uint8Array");
  let keyObject: KeyObject;
  if (key instanceof Uint8Array) keyObject = privateKeyObject(key);
  else if (isPrivateEd25519(key)) keyObject = key;
  else invalid("signing needs a 32-byte secret key or a private Ed25519 KeyObject");
  return new Uint8Array(nodeSign(null, message, keyObject));
}

function isPrivateEd25519(key: unknown): key is KeyObject {
  const k = key as KeyObject | null;
  return typeof k === "object" && k !== null && k.type === "private" && k.asymmetricKeyType === "ed25519";
}

/**
 * A public key as an OpenSSL key, cached by its hex form. Built from JWK (RFC 8037), which skips OpenSSL 3's
 * generic DER decoder: the same key for about a tenth of the cost (building a key from DER costs about as
 * much as a verification). A key of small order is refused (null): OpenSSL would accept a trivial signature
 * under it. Bounded; the cache never changes an answer.
 */
function publicKeyObject(publicKey: Uint8Array, id: string): KeyObject | null {
  const cached = publicKeyCache.get(id);
  if (cached !== undefined) return cached;
  let key: KeyObject | null = null;
  if (!isSmallOrderPublicKey(publicKey)) {
    try {
      const x = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString(
        "base64url",
      );
      key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
    } catch {
      key = null; // bytes that OpenSSL will not take as a key: no signature verifies under them
    }
  }
  if (publicKeyCache.size >= PUBLIC_KEY_CACHE_MAX) {
    publicKeyCache.delete(publicKeyCache.keys().next().value as string);
  }
  publicKeyCache.set(id, key);
  return key;
}

function verifyWith(key: KeyObject | null, message: Uint8Array, signature: Uint8Array): boolean {
  if (key === null) return false;
  try {
    return nodeVerify(null, message, key, signature);
  } catch {
    return false;
  }
}

/**
 * verify() for a public key given as 64 lowercase hex digits and a signature as 128 (already validated, as
 * the protocol's schemas do): the hot path of transaction checks, which skips converting the key.
 */
export function verifyHex(publicKeyHex: string, message: Uint8Array, signatureHex: string): boolean {
  const cached = publicKeyCache.get(publicKeyHex);
  const key =
    cached !== undefined ? cached : publicKeyObject(fromHex(publicKeyHex, PUBLIC_KEY_BYTES), publicKeyHex);
  return verifyWith(key, message, Buffer.from(signatureHex, "hex"));
}

/**
 * True when `signature` is a valid Ed25519 signature of `message` under `publicKey`. Bytes of the right length
 * that are not a valid key or signature give false, never an exception; inputs of the wrong length or type
 * are a caller's bug (a schema should have caught them) and throw KEY_INVALID.
 */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  checkBytes(publicKey, PUBLIC_KEY_BYTES, "public key");
  checkBytes(signature, SIGNATURE_BYTES, "signature");
  if (!(message instanceof Uint8Array)) invalid("the signed message must be a Uint8Array");
  return verifyWith(publicKeyObject(publicKey, toHex(publicKey)), message, signature);
}

const accountIdCache = new WeakMap<Uint8Array, { key: Uint8Array; id: AccountId }>();

/**
 * The account id of a public key (see the top of this file). Cached per key array and checked against a
 * copy, so a changed array is hashed again: a sender signs many transactions with one key.
 */
export function accountIdOf(publicKey: Uint8Array): AccountId {
  checkBytes(publicKey, PUBLIC_KEY_BYTES, "public key");
  const hit = accountIdCache.get(publicKey);
  if (hit && bytesEqual(hit.key, publicKey)) return hit.id;
  const id = `pg1${toHex(hashTagged("plurigrid/account", publicKey).subarray(0, 20))}` as AccountId;
  accountIdCache.set(publicKey, { key: Uint8Array.from(publicKey), id });
  return id;
}

const ACCOUNT_ID = /^pg1[0-9a-f]{40}$/;

export function isAccountId(text: unknown): text is AccountId {
  return typeof text === "string" && ACCOUNT_ID.test(text);
}

/** Checks the form of an account id ("pg1" + 40 lowercase hex digits); ACCOUNT_ID_INVALID otherwise. */
export function parseAccountId(text: string): AccountId {
  if (!isAccountId(text)) {
    throw new PlurigridError(
      "ACCOUNT_ID_INVALID",
      `not an account id: expected "pg1" and 40 lowercase hex digits`,
      {
        text: String(text).slice(0, 80),
      },
    );
  }
  return text;
}

// ---- key files ------------------------------------------------------------------------------------------

const KEY_FILE_MAX_BYTES = 4096;
const POSIX = process.platform !== "win32";

function errnoCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

function permissionProblem(mode: number): boolean {
  return POSIX && (mode & 0o077) !== 0;
}

function permissionError(path: string, mode: number): PlurigridError {
  const octal = (mode & 0o777).toString(8).padStart(3, "0");
  return new PlurigridError(
    "KEY_FILE_PERMISSIONS",
    `key file ${path} has mode ${octal}: group or others may access the secret key; run chmod 600 ${path}`,
    { path, mode: octal },
  );
}

/**
 * Writes `{"kind":"plurigrid-ed25519","publicKey":hex,"secretKey":hex}` to a new file with mode 0600. Never
 * overwrites (KEY_FILE_EXISTS); KEY_FILE_WRITE if the file cannot be created or written, in which case
 * nothing is left behind.
 */
export function writeKeyFile(path: string, pair: KeyPair): void {
  const derived = keyFromSeed(checkBytes(pair?.secretKey, SECRET_KEY_BYTES, "secret key"));
  if (!bytesEqual(derived.publicKey, checkBytes(pair.publicKey, PUBLIC_KEY_BYTES, "public key"))) {
    invalid("the public key does not belong to the secret key");
  }
  const text = `${canonicalString({
    kind: KEY_FILE_KIND,
    publicKey: toHex(pair.publicKey),
    secretKey: toHex(pair.secretKey),
  })}\n`;
  let fd: number;
  try {
    // "wx": O_CREAT | O_EXCL, so an existing file (or a symlink planted in its place) is never written through.
    fd = openSync(path, "wx", 0o600);
  } catch (e) {
    if (errnoCode(e) === "EEXIST") {
      throw new PlurigridError("KEY_FILE_EXISTS", `refusing to overwrite existing file ${path}`, { path });
    }
    throw new PlurigridError("KEY_FILE_WRITE", `cannot create key file ${path}: ${(e as Error).message}`, {
      path,
      errno: errnoCode(e),
    });
  }
  try {
    // The umask can only clear bits of 0600, but set it explicitly anyway so the mode is exactly 0600.
    if (POSIX) fchmodSync(fd, 0o600);
    const mode = fstatSync(fd).mode;
    if (POSIX && (mode & 0o777) !== 0o600) throw permissionError(path, mode);
    const bytes = Buffer.from(text, "utf8");
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
    closeSync(fd);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    unlinkSync(path);
    if (e instanceof PlurigridError) throw e;
    throw new PlurigridError("KEY_FILE_WRITE", `cannot write key file ${path}: ${(e as Error).message}`, {
      path,
      errno: errnoCode(e),
    });
  }
}

/** Throws KEY_FILE_NOT_FOUND, or KEY_FILE_PERMISSIONS when group or others have any access (POSIX only). */
export function checkKeyFilePermissions(path: string): void {
  const fd = openKeyFile(path);
  try {
    const mode = fstatSync(fd).mode;
    if (permissionProblem(mode)) throw permissionError(path, mode);
  } finally {
    closeSync(fd);
  }
}

function openKeyFile(path: string): number {
  try {
    return openSync(path, "r");
  } catch (e) {
    if (errnoCode(e) === "ENOENT") {
      throw new PlurigridError(
        "KEY_FILE_NOT_FOUND",
        `no key file at ${path} (create one with plurigrid keygen)`,
        {
          path,
        },
      );
    }
    throw new PlurigridError("KEY_FILE_INVALID", `cannot open key file ${path}: ${(e as Error).message}`, {
      path,
      errno: errnoCode(e),
    });
  }
}

function fileInvalid(path: string, why: string): never {
  throw new PlurigridError(
    "KEY_FILE_INVALID",
    `key file ${path} is not a Plurigrid Ed25519 key file: ${why}`,
    {
      path,
    },
  );
}

/** Reads a key file written by writeKeyFile, checking its permissions, its form and that its keys match. */
export function readKeyFile(path: string): KeyPair {
  const fd = openKeyFile(path);
  let text: string;
  try {
    // Checked on the open descriptor, so the file that is read is the file whose mode was checked.
    const stat = fstatSync(fd);
    if (!stat.isFile()) fileInvalid(path, "not a regular file");
    if (permissionProblem(stat.mode)) throw permissionError(path, stat.mode);
    if (stat.size > KEY_FILE_MAX_BYTES) fileInvalid(path, `larger than ${KEY_FILE_MAX_BYTES} bytes`);
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    text = buffer.subarray(0, read).toString("utf8");
  } finally {
    closeSync(fd);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    fileInvalid(path, "not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    fileInvalid(path, "not an object");
  const record = parsed as Record<string, unknown>;
  if (record.kind !== KEY_FILE_KIND) fileInvalid(path, `"kind" is not "${KEY_FILE_KIND}"`);
  const field = (name: "publicKey" | "secretKey"): Uint8Array => {
    const value = record[name];
    if (typeof value !== "string") fileInvalid(path, `"${name}" is missing`);
    try {
      return fromHex(value, 32);
    } catch {
      return fileInvalid(path, `"${name}" is not 64 lowercase hex digits`);
    }
  };
  const publicKey = field("publicKey");
  const pair = keyFromSeed(field("secretKey"));
  if (!bytesEqual(pair.publicKey, publicKey))
    fileInvalid(path, "the public key does not belong to the secret key");
  return pair;
}
