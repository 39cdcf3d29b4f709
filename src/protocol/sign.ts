import { encodeCanonical } from "../core/canonical.js";
import { PlurigridError } from "../core/errors.js";
import { toHex } from "../core/hash.js";
import { type AccountId, accountIdOf, type KeyPair, sign } from "../core/keys.js";
import { type SignedTx, signingHash, type Tx, txHash } from "./envelope.js";
import { canonicalBytes } from "./hashing.js";
import { MAX_TX_BYTES } from "./limits.js";
import { chainIdSchema, describeIssue, nonNegativeIntSchema } from "./schemas.js";
import {
  isSimulationChainId,
  SIMULATION_CHAIN_PREFIX,
  type SignatureScheme,
  simDigestHex,
} from "./scheme.js";
import { type TxBodyInputs, type TxType, txDefinition } from "./tx-types.js";

/**
 * Building and signing transactions: what the CLI, the node's tests and the simulator use to speak to the
 * protocol. Everything is checked here as the protocol will check it, so a mistake shows up at the sender.
 */

export interface TxParams<T extends TxType> {
  chainId: string;
  type: T;
  from: AccountId;
  nonce: number;
  body: TxBodyInputs[T];
}

/** A transaction ready to send: the envelope, its canonical bytes and its id. */
export interface SignedTxBytes<T extends TxType = TxType> {
  signed: SignedTx<T>;
  bytes: Uint8Array;
  hash: string;
}

/** Checks the fields and the body against the type's schema; TX_INVALID or TX_UNKNOWN_TYPE otherwise. */
export function buildTx<T extends TxType>(params: TxParams<T>): Tx<T> {
  const definition = txDefinition(params.type);
  if (definition === undefined) {
    throw new PlurigridError("TX_UNKNOWN_TYPE", `unknown transaction type ${JSON.stringify(params.type)}`, {
      type: params.type,
    });
  }
  const chain = chainIdSchema.safeParse(params.chainId);
  if (!chain.success) throw new PlurigridError("TX_INVALID", describeIssue("tx.chainId", chain.error));
  const nonce = nonNegativeIntSchema.safeParse(params.nonce);
  if (!nonce.success) throw new PlurigridError("TX_INVALID", describeIssue("tx.nonce", nonce.error));
  const body = definition.schema.safeParse(params.body);
  if (!body.success) throw new PlurigridError("TX_INVALID", describeIssue("tx.body", body.error));
  // The body is signed as given (the schema only checks it), so that the signed bytes are the sender's.
  return {
    chainId: params.chainId,
    type: params.type,
    from: params.from,
    nonce: params.nonce,
    body: params.body,
  } as Tx<T>;
}

/**
 * Signs `tx` with `key` in the chain's signature scheme (scheme.ts; ed25519 unless told); TX_SENDER_MISMATCH
 * when `tx.from` is not the key's account, TX_INVALID for sim-digest on a chain id that is not a simulation's.
 */
export function signTx<T extends TxType>(
  tx: Tx<T>,
  key: KeyPair,
  scheme: SignatureScheme = "ed25519",
): SignedTxBytes<T> {
  const account = accountIdOf(key.publicKey);
  if (tx.from !== account) {
    throw new PlurigridError(
      "TX_SENDER_MISMATCH",
      `tx.from is ${tx.from} but the key's account is ${account}`,
      {
        from: tx.from,
        account,
      },
    );
  }
  if (scheme === "sim-digest" && !isSimulationChainId(tx.chainId)) {
    throw new PlurigridError(
      "TX_INVALID",
      `sim-digest signatures are for simulation chains only (chain ids starting with "${SIMULATION_CHAIN_PREFIX}"), not ${tx.chainId}`,
      { chainId: tx.chainId },
    );
  }
  const txBytes = canonicalBytes(tx);
  const hash = signingHash(txBytes);
  const signed: SignedTx<T> = {
    tx,
    publicKey: toHex(key.publicKey),
    signature: scheme === "sim-digest" ? simDigestHex(key.publicKey, hash) : toHex(sign(key.secretKey, hash)),
  };
  const bytes = envelopeBytes(signed.publicKey, signed.signature, txBytes);
  if (bytes.length > MAX_TX_BYTES) {
    throw new PlurigridError(
      "TX_TOO_LARGE",
      `transaction is ${bytes.length} bytes; the limit is ${MAX_TX_BYTES}`,
      {
        bytes: bytes.length,
      },
    );
  }
  return { signed, bytes, hash: txHash(bytes) };
}

/** Builds and signs in one step, with `from` taken from the key. */
export function createSignedTx<T extends TxType>(
  key: KeyPair,
  params: Omit<TxParams<T>, "from">,
  scheme: SignatureScheme = "ed25519",
): SignedTxBytes<T> {
  return signTx(buildTx({ ...params, from: accountIdOf(key.publicKey) } as TxParams<T>), key, scheme);
}

/**
 * encodeSignedTx for an envelope whose tx is already encoded: canonical order puts publicKey, signature and
 * tx in that order, and the two hex strings need no escaping, so the envelope is the tx's bytes wrapped
 * (scheme.test.ts holds it equal to encodeSignedTx).
 */
export function envelopeBytes(publicKeyHex: string, signatureHex: string, txBytes: Uint8Array): Uint8Array {
  const head = utf8.encode(`{"publicKey":"${publicKeyHex}","signature":"${signatureHex}","tx":`);
  const out = new Uint8Array(head.length + txBytes.length + 1);
  out.set(head, 0);
  out.set(txBytes, head.length);
  out[out.length - 1] = 0x7d; // "}"
  return out;
}

const utf8 = new TextEncoder();

/** The canonical bytes of a signed transaction (what POST /v1/txs carries and blocks contain). */
export function encodeSignedTx(signed: SignedTx): Uint8Array {
  return encodeCanonical(signed);
}
