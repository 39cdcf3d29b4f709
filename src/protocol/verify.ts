import { fromHex } from "../core/hash.js";
import { type AccountId, accountIdOf, verify } from "../core/keys.js";
import { type DecodedTx, decodeTxDetailed, signingHash } from "./envelope.js";

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

/** True when the signature of a decoded transaction verifies under its public key. */
export function signatureValid(decoded: DecodedTx): boolean {
  const { publicKey, signature } = decoded.signed;
  return verify(fromHex(publicKey, 32), signingHash(decoded.txBytes), fromHex(signature, 64));
}

/**
 * The verdict applyBlock expects in `signaturesVerified`: true when `bytes` decode to a transaction whose
 * signature verifies under its public key. Undecodable bytes give false (applyBlock reports their decode
 * error before it looks at the verdict). Pure and thread-safe: made for worker threads.
 */
export function verifyTxSignature(bytes: Uint8Array): boolean {
  let decoded: DecodedTx;
  try {
    decoded = decodeTxDetailed(bytes);
  } catch {
    return false;
  }
  return signatureValid(decoded);
}
