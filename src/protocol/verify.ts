import { fromHex } from "../core/hash.js";
import { type AccountId, accountIdOf, verifyHex } from "../core/keys.js";
import { type DecodedTx, decodeTxDetailed, signingHash, TX_OFFSET } from "./envelope.js";
import { type SignatureScheme, simDigestOfHexKey } from "./scheme.js";

/**
 * Signature and sender checks, separated so that the node can run them in worker threads ahead of a block
 * and pass the verdicts to applyBlock (which then gives the same results as if it had verified itself).
 */

/** Bound on the cache of account ids by public key; the cache only saves a hash, never changes an answer. */
const SENDER_CACHE_MAX = 65_536;
const senderCache = new Map<string, AccountId>();

/** accountIdOf(publicKey) for a public key given as validated hex. */
export function senderOf(publicKeyHex: string): AccountId {
  let id = senderCache.get(publicKeyHex);
  if (id === undefined) {
    id = accountIdOf(fromHex(publicKeyHex, 32));
    if (senderCache.size >= SENDER_CACHE_MAX) senderCache.clear();
    senderCache.set(publicKeyHex, id);
  }
  return id;
}

/**
 * core/keys.ts's verify(fromHex(publicKeyHex), message, fromHex(signatureHex)) for validated hex (64 and 128
 * lowercase digits): Ed25519 (RFC 8032) by OpenSSL, small-order keys refused.
 */
export function ed25519ValidHex(publicKeyHex: string, message: Uint8Array, signatureHex: string): boolean {
  return verifyHex(publicKeyHex, message, signatureHex);
}

/** A signature check under `scheme` (scheme.ts) for validated hex key and signature. */
function validUnder(
  scheme: SignatureScheme,
  publicKeyHex: string,
  hash: Uint8Array,
  signatureHex: string,
): boolean {
  if (scheme === "sim-digest") return simDigestOfHexKey(publicKeyHex, hash) === signatureHex;
  return ed25519ValidHex(publicKeyHex, hash, signatureHex);
}

/** True when the signature of a decoded transaction verifies under its public key, in the chain's scheme. */
export function signatureValid(decoded: DecodedTx, scheme: SignatureScheme = "ed25519"): boolean {
  const { publicKey, signature } = decoded.signed;
  return validUnder(scheme, publicKey, signingHash(decoded.txBytes), signature);
}

/**
 * The verdict applyBlock expects in `signaturesVerified`: true when `bytes` decode to a transaction whose
 * signature verifies under its public key. Undecodable bytes give false (applyBlock reports their decode
 * error before it looks at the verdict). Pure and thread-safe: made for worker threads.
 */
export function verifyTxSignature(bytes: Uint8Array, scheme: SignatureScheme = "ed25519"): boolean {
  let decoded: DecodedTx;
  try {
    decoded = decodeTxDetailed(bytes);
  } catch {
    return false;
  }
  return signatureValid(decoded, scheme);
}

// Where canonical encoding puts the envelope's fields (envelope.ts): {"publicKey":"<64>","signature":"<128>","tx":…}
const PUBLIC_KEY_AT = '{"publicKey":"'.length;
const SIGNATURE_AT = PUBLIC_KEY_AT + 64 + '","signature":"'.length;
const HEX32 = /^[0-9a-f]{64}$/;
const HEX64 = /^[0-9a-f]{128}$/;

/**
 * The verdict for applyBlock's `signaturesVerified` without decoding: the public key, signature and signed
 * bytes are read where canonical encoding puts them. For every transaction that decodes it equals
 * verifyTxSignature(bytes); for bytes that do not decode it is some boolean, which applyBlock never reads
 * (it rejects them at decoding, before the signature). It saves the decode a worker would otherwise repeat.
 */
export function signatureVerdict(bytes: Uint8Array, scheme: SignatureScheme = "ed25519"): boolean {
  if (!(bytes instanceof Uint8Array) || bytes.length <= TX_OFFSET + 1) return false;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const publicKey = buf.toString("latin1", PUBLIC_KEY_AT, PUBLIC_KEY_AT + 64);
  const signature = buf.toString("latin1", SIGNATURE_AT, SIGNATURE_AT + 128);
  if (!HEX32.test(publicKey) || !HEX64.test(signature)) return false;
  return validUnder(scheme, publicKey, signingHash(bytes.subarray(TX_OFFSET, bytes.length - 1)), signature);
}
