import * as crypto from "node:crypto";
import { tagPrefix } from "./hashing.js";

/**
 * The signature schemes a chain may use, fixed in its genesis (`params.signatureScheme`).
 *
 * - `ed25519` (the default, and the only scheme of a live chain): RFC 8032 signatures, core/keys.ts.
 * - `sim-digest`: for simulation chains only, whose chain ids start with "sim-". The "signature" is
 *   SHA-512(u32be(len(tag)) || tag || publicKey || signingHash) with tag "plurigrid/sim-digest": 64 bytes
 *   anyone can compute from the public key. It binds a transaction to its sender's key, so a changed byte
 *   is still TX_BAD_SIGNATURE and replays are still refused by the nonce; it proves nothing about who
 *   wrote it, which a simulation (where one program holds every key) does not need. It costs one hash
 *   instead of an elliptic-curve operation. Genesis refuses it on any other chain id, signing refuses it on
 *   such a chain, and the node refuses to serve a chain that uses it.
 */
export type SignatureScheme = "ed25519" | "sim-digest";

export const SIGNATURE_SCHEMES = ["ed25519", "sim-digest"] as const;

/** Chain ids that may use `sim-digest` start with this. */
export const SIMULATION_CHAIN_PREFIX = "sim-";

export function isSimulationChainId(chainId: string): boolean {
  return chainId.startsWith(SIMULATION_CHAIN_PREFIX);
}

const SIM_DIGEST_TAG = tagPrefix("plurigrid/sim-digest");

/** The 64-byte sim-digest of `signingHash` under a 32-byte public key, as 128 lowercase hex digits. */
export function simDigestHex(publicKey: Uint8Array, signingHash: Uint8Array): string {
  const buf = Buffer.allocUnsafe(SIM_DIGEST_TAG.length + publicKey.length + signingHash.length);
  buf.set(SIM_DIGEST_TAG, 0);
  buf.set(publicKey, SIM_DIGEST_TAG.length);
  buf.set(signingHash, SIM_DIGEST_TAG.length + publicKey.length);
  return crypto.createHash("sha512").update(buf).digest("hex");
}

/** simDigestHex for a public key given as 64 lowercase hex digits. */
export function simDigestOfHexKey(publicKeyHex: string, signingHash: Uint8Array): string {
  return simDigestHex(Buffer.from(publicKeyHex, "hex"), signingHash);
}
