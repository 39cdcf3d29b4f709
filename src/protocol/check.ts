import { isPlurigridError } from "../core/errors.js";
import { getAccount } from "./accounts/state.js";
import { readParams } from "./chain.js";
import { isTxRejectionCode } from "./codes.js";
import { type DecodedTx, decodeTxDetailed, txHash } from "./envelope.js";
import { StateOverlay } from "./overlay.js";
import type { CheckResult, StateReader } from "./seam.js";
import { senderOf, signatureValid } from "./verify.js";

/**
 * Admission check at the door (the node's mempool): form, chain id, sender, signature, and a nonce not
 * below the account's next one (a higher nonce may wait in the mempool behind its predecessors). Module
 * rules (balances, registrations) are left to applyBlock, where the state they depend on is final.
 */
export function checkTx(state: StateReader, bytes: Uint8Array): CheckResult {
  let decoded: DecodedTx;
  try {
    decoded = decodeTxDetailed(bytes);
  } catch (e) {
    if (isPlurigridError(e) && isTxRejectionCode(e.code))
      return { ok: false, code: e.code, message: e.message };
    throw e;
  }
  const { tx, publicKey } = decoded.signed;
  const overlay = new StateOverlay(state);
  const params = readParams(overlay);
  if (tx.chainId !== params.chainId) {
    return {
      ok: false,
      code: "TX_WRONG_CHAIN",
      message: `transaction is for chain ${tx.chainId}, this is ${params.chainId}`,
    };
  }
  if (senderOf(publicKey) !== tx.from) {
    return {
      ok: false,
      code: "TX_SENDER_MISMATCH",
      message: `tx.from ${tx.from} is not the account of the signing key`,
    };
  }
  if (!signatureValid(decoded, params.signatureScheme)) {
    return {
      ok: false,
      code: "TX_BAD_SIGNATURE",
      message: "the signature does not verify under the public key",
    };
  }
  const expected = getAccount(overlay, tx.from).nonce;
  if (tx.nonce < expected) {
    return {
      ok: false,
      code: "TX_BAD_NONCE",
      message: `nonce ${tx.nonce} was already used (replay); the account's next nonce is ${expected}`,
    };
  }
  return { ok: true, txHash: txHash(bytes), sender: tx.from, nonce: tx.nonce };
}
