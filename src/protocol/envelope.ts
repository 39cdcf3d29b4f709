import { z } from "zod";
import { assert, isPlurigridError, PlurigridError } from "../core/errors.js";
import { type AccountId, isAccountId } from "../core/keys.js";
import { decodeCanonicalBytes, taggedHashBytes, taggedHashHex, tagPrefix } from "./hashing.js";
import { MAX_CHAIN_ID_CHARS, MAX_TX_BYTES } from "./limits.js";
import {
  accountIdSchema,
  chainIdSchema,
  describeIssue,
  hex32Schema,
  hex64Schema,
  nonNegativeIntSchema,
} from "./schemas.js";
import { type TxBodies, type TxType, txDefinition } from "./tx-types.js";

/**
 * The transaction envelope. On the wire a transaction is the RFC 8785 canonical JSON of
 *
 *   { "publicKey": hex32, "signature": hex64,
 *     "tx": { "body": {...}, "chainId": "...", "from": "pg1…", "nonce": n, "type": "Transfer" } }
 *
 * signature = Ed25519(secretKey, hashTagged("plurigrid/tx", canonical(tx))), from = accountIdOf(publicKey),
 * nonce = the sender's number of applied transactions. Only canonical bytes are accepted, so a transaction
 * has one encoding and its hash, txHash = hashTagged("plurigrid/txid", bytes), identifies it.
 */

export interface Tx<T extends TxType = TxType> {
  chainId: string;
  type: T;
  from: AccountId;
  nonce: number;
  body: TxBodies[T];
}

export interface SignedTx<T extends TxType = TxType> {
  tx: Tx<T>;
  /** Ed25519 public key, 64 lowercase hex digits. */
  publicKey: string;
  /** Ed25519 signature, 128 lowercase hex digits. */
  signature: string;
}

const TX_TYPE_CHARS_MAX = 64;

/** The envelope's form (exported for the test that holds wellFormedEnvelope to it). */
export const envelopeSchema = z.strictObject({
  publicKey: hex32Schema,
  signature: hex64Schema,
  tx: z.strictObject({
    chainId: chainIdSchema,
    type: z.string().max(TX_TYPE_CHARS_MAX),
    from: accountIdSchema,
    nonce: nonNegativeIntSchema,
    body: z.record(z.string(), z.unknown()),
  }),
});

type Envelope = z.output<typeof envelopeSchema>;

const HEX32 = /^[0-9a-f]{64}$/;
const HEX64 = /^[0-9a-f]{128}$/;
const CHAIN_ID = /^[a-z0-9][a-z0-9._-]*$/;

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The common case of envelopeSchema without zod: a value (from JSON.parse) that plainly meets every rule of
 * the schema is returned as the schema would return it; anything else gives undefined and goes through the
 * schema, which decides and names the problem. It accepts nothing the schema refuses.
 */
export function wellFormedEnvelope(v: unknown): Envelope | undefined {
  if (!isPlainRecord(v) || Object.keys(v).length !== 3) return undefined;
  const { publicKey, signature, tx } = v;
  if (typeof publicKey !== "string" || !HEX32.test(publicKey)) return undefined;
  if (typeof signature !== "string" || !HEX64.test(signature)) return undefined;
  if (!isPlainRecord(tx) || Object.keys(tx).length !== 5) return undefined;
  const { chainId, type, from, nonce, body } = tx;
  if (typeof chainId !== "string" || chainId.length > MAX_CHAIN_ID_CHARS || !CHAIN_ID.test(chainId))
    return undefined;
  if (typeof type !== "string" || type.length > TX_TYPE_CHARS_MAX) return undefined;
  if (!isAccountId(from)) return undefined;
  if (typeof nonce !== "number" || !Number.isSafeInteger(nonce) || nonce < 0) return undefined;
  if (!isPlainRecord(body) || Object.hasOwn(body, "__proto__")) return undefined;
  return { publicKey, signature, tx: { chainId, type, from, nonce, body } };
}

const SIGN_TAG = tagPrefix("plurigrid/tx");
const TXID_TAG = tagPrefix("plurigrid/txid");

/** What the node needs besides the SignedTx: the bytes that were signed (a slice of the input). */
export interface DecodedTx {
  signed: SignedTx;
  /** canonical(tx): the bytes under the signature. */
  txBytes: Uint8Array;
}

// In canonical form the members are sorted, publicKey < signature < tx, and the two hex strings have fixed
// lengths, so canonical(tx) is exactly the bytes between this prefix and the final "}".
export const TX_OFFSET = '{"publicKey":"'.length + 64 + '","signature":"'.length + 128 + '","tx":'.length;

const OPEN_BRACE = 0x7b;
const COLON = 0x3a;

function fail(code: string, message: string, details: Record<string, unknown> = {}): never {
  throw new PlurigridError(code, message, details);
}

/**
 * Decodes and checks the form of a signed transaction: canonical encoding, envelope fields, known type, body
 * schema. Throws TX_TOO_LARGE, TX_DECODE, TX_NOT_CANONICAL, TX_INVALID (the message names the field) or
 * TX_UNKNOWN_TYPE, and nothing else. It does not check the signature, chain or nonce.
 */
export function decodeTxDetailed(bytes: Uint8Array): DecodedTx {
  if (!(bytes instanceof Uint8Array)) fail("TX_DECODE", "a transaction must be given as bytes");
  if (bytes.length > MAX_TX_BYTES) {
    fail("TX_TOO_LARGE", `transaction is ${bytes.length} bytes; the limit is ${MAX_TX_BYTES}`, {
      bytes: bytes.length,
      limit: MAX_TX_BYTES,
    });
  }
  let value: unknown;
  try {
    value = decodeCanonicalBytes(bytes);
  } catch (e) {
    if (isPlurigridError(e, "CANON_NOT_CANONICAL"))
      fail("TX_NOT_CANONICAL", `transaction bytes: ${e.message}`);
    if (isPlurigridError(e)) fail("TX_DECODE", `transaction bytes: ${e.message}`, { cause: e.code });
    throw e;
  }
  let envelope = wellFormedEnvelope(value);
  if (envelope === undefined) {
    const parsed = envelopeSchema.safeParse(value);
    if (!parsed.success) fail("TX_INVALID", describeIssue("", parsed.error));
    envelope = parsed.data;
  }
  const { tx, publicKey, signature } = envelope;
  const definition = txDefinition(tx.type);
  if (definition === undefined) {
    fail("TX_UNKNOWN_TYPE", `unknown transaction type ${JSON.stringify(tx.type)}`, { type: tx.type });
  }
  const body = definition.schema.safeParse(tx.body);
  if (!body.success) fail("TX_INVALID", describeIssue("tx.body", body.error), { type: tx.type });
  const signed = {
    tx: { chainId: tx.chainId, type: tx.type as TxType, from: tx.from, nonce: tx.nonce, body: body.data },
    publicKey,
    signature,
  } as SignedTx;
  const txBytes = bytes.subarray(TX_OFFSET, bytes.length - 1);
  assert(
    txBytes[0] === OPEN_BRACE && bytes[TX_OFFSET - 1] === COLON,
    "canonical(tx) sits at its fixed offset",
  );
  return { signed, txBytes };
}

/** decodeTx(bytes): the signed transaction, or a PlurigridError (see decodeTxDetailed). */
export function decodeTx(bytes: Uint8Array): SignedTx {
  return decodeTxDetailed(bytes).signed;
}

/** The 32-byte message the sender signs: hashTagged("plurigrid/tx", canonical(tx)). */
export function signingHash(txBytes: Uint8Array): Uint8Array {
  return taggedHashBytes(SIGN_TAG, txBytes);
}

/** Hex id of a transaction: hashTagged("plurigrid/txid", its signed bytes). */
export function txHash(bytes: Uint8Array): string {
  return taggedHashHex(TXID_TAG, bytes);
}
