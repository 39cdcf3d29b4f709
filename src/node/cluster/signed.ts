/**
 * The two signed records of cluster mode, each the canonical JSON of {body, signature}: block markers (the
 * proposer cuts a block) and attestations (a node states the block hash and state root it reached). The
 * signature is Ed25519 over hashTagged(tag, canonical(body)) by an operator's node key; a record that does not
 * parse, is not canonical, or whose signature does not verify is treated as absent.
 */
import { z } from "zod";
import { canonicalString, encodeCanonical } from "../../core/canonical.js";
import { fromHex, hashTagged, toHex } from "../../core/hash.js";
import { type KeyPair, sign, verify } from "../../core/keys.js";

const HEX64 = z.string().regex(/^[0-9a-f]{64}$/);
const HEX128 = z.string().regex(/^[0-9a-f]{128}$/);
const UINT = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const MARKER_TAG = "plurigrid/cluster/marker";
export const ATTESTATION_TAG = "plurigrid/cluster/attestation";

/** "Cut block `height` from the stream's transaction entries with sequence up to `upToSeq`." */
export const markerSchema = z
  .object({
    chainId: z.string().min(1).max(64),
    height: UINT.min(1),
    /** The proposer's clock; the block's time is max(previous + 1, this) (node/clock.ts). */
    timeMs: UINT,
    /** The proposer's lease term: the KV revision at which it took the lease. */
    term: UINT.min(1),
    upToSeq: UINT.min(1),
    /** Public key (hex) of the proposer's node key; must be an operator. */
    proposer: HEX64,
  })
  .strict();
export type BlockMarker = z.infer<typeof markerSchema>;

/** "At `height` I hold block `blockHash` with state root `stateRoot`." */
export const attestationSchema = z
  .object({
    chainId: z.string().min(1).max(64),
    height: UINT.min(1),
    blockHash: HEX64,
    stateRoot: HEX64,
    operator: HEX64,
  })
  .strict();
export type Attestation = z.infer<typeof attestationSchema>;

const utf8 = new TextDecoder("utf-8", { fatal: true });

function signingHash(tag: string, body: unknown): Uint8Array {
  return hashTagged(tag, encodeCanonical(body));
}

export function encodeSigned(tag: string, body: unknown, key: KeyPair): Uint8Array {
  const signature = toHex(sign(key.secretKey, signingHash(tag, body)));
  return encodeCanonical({ body, signature });
}

export function decodeSigned<T extends { proposer?: string; operator?: string }>(
  tag: string,
  schema: z.ZodType<T>,
  signerOf: (body: T) => string,
  bytes: Uint8Array,
): T | undefined {
  let text: string;
  let value: unknown;
  try {
    text = utf8.decode(bytes);
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const outer = z.object({ body: z.unknown(), signature: HEX128 }).strict().safeParse(value);
  if (!outer.success) return undefined;
  const body = schema.safeParse(outer.data.body);
  if (!body.success) return undefined;
  // One encoding per record: anything but the canonical bytes is refused.
  if (canonicalString(value) !== text) return undefined;
  const ok = verify(
    fromHex(signerOf(body.data), 32),
    signingHash(tag, body.data),
    fromHex(outer.data.signature, 64),
  );
  return ok ? body.data : undefined;
}

export function encodeMarker(marker: BlockMarker, key: KeyPair): Uint8Array {
  return encodeSigned(MARKER_TAG, marker, key);
}

/** The marker if the bytes are a canonical marker signed by its `proposer`; undefined otherwise. */
export function decodeMarker(bytes: Uint8Array): BlockMarker | undefined {
  return decodeSigned(MARKER_TAG, markerSchema, (m) => m.proposer, bytes);
}

export function encodeAttestation(att: Attestation, key: KeyPair): Uint8Array {
  return encodeSigned(ATTESTATION_TAG, att, key);
}

export function decodeAttestation(bytes: Uint8Array): Attestation | undefined {
  return decodeSigned(ATTESTATION_TAG, attestationSchema, (a) => a.operator, bytes);
}
