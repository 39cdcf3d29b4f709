import { PlurigridError } from "../../core/errors.js";
import { hashPairHex, taggedHashHex, taggedHashOfStringHex, tagPrefix } from "../hashing.js";

/**
 * The state commitment: a compact sparse Merkle tree over 256-bit key hashes (as in Diem's Jellyfish Merkle
 * tree, Gao et al. 2021, and the "compact SMT" of Dahlberg, Pulls and Peeters, IACR ePrint 2016/683).
 *
 * The ROOT is defined over a binary tree of depth 256:
 *
 *   keyHash(k)    = hashTagged("plurigrid/smt/key", utf8(k))
 *   valueHash(v)  = hashTagged("plurigrid/smt/value", v)
 *   leaf          = SHA-256(0x00 || keyHash || valueHash)
 *   inner         = SHA-256(0x01 || left || right)
 *   T(S, d)       = EMPTY (32 zero bytes)        if S is empty
 *                 = leaf of its one element       if |S| = 1     (a single-leaf subtree IS that leaf)
 *                 = inner(T(S0, d+1), T(S1, d+1)) otherwise, S0/S1 split on bit d of keyHash (MSB first)
 *   root          = T(all keys, 0)
 *
 * STORAGE groups four binary levels into one node of 16 slots (Jellyfish's radix-16 nodes), so that a block
 * writes about a quarter as many tree rows as a binary layout would. The node of the subtree at nibble path
 * P (the first |P| hex digits of keyHash) lives at state key "smt/" + P, and exists exactly when that subtree
 * holds two or more leaves (the root node: one or more). Each slot says what the subtree one nibble further
 * down is: empty, a single leaf (its keyHash and valueHash, kept so that a later insertion can push it down),
 * or an inner node with its hash (stored at "smt/" + P + nibble). A node's hash is T over its 16 slots, the
 * four binary levels recomputed on the fly.
 *
 * In memory every hash is a string of 64 lowercase hex digits: node:crypto returns hex faster than it
 * returns a Buffer, the nibble path of a key is a prefix of its hex key hash, and proofs carry hex.
 */

export const HASH_BYTES = 32;
/** Depth of the tree in nibbles: 64 nibbles = 256 bits. */
export const MAX_NIBBLES = 64;
/** The hash of an empty subtree. */
export const EMPTY_HASH = "0".repeat(64);
/** Prefix of every tree-node key; application keys never start with it. */
export const SMT_KEY_PREFIX = "smt/";

const LEAF_PREFIX = 0x00;
const INNER_PREFIX = 0x01;
const KEY_TAG = tagPrefix("plurigrid/smt/key");
const VALUE_TAG = tagPrefix("plurigrid/smt/value");

export const KIND_EMPTY = 0;
export const KIND_LEAF = 1;
export const KIND_INNER = 2;

export interface EmptySlot {
  readonly kind: typeof KIND_EMPTY;
  readonly hash: string;
}
export interface LeafSlot {
  readonly kind: typeof KIND_LEAF;
  readonly hash: string;
  readonly keyHash: string;
  readonly valueHash: string;
}
export interface InnerSlot {
  readonly kind: typeof KIND_INNER;
  readonly hash: string;
}
export type Slot = LeafSlot | InnerSlot;
/** What a subtree reduces to: nothing, one leaf, or an inner node. */
export type Summary = EmptySlot | Slot;
/** The 16 slots of a stored node, null for an empty slot. */
export type Slots = (Slot | null)[];

export const EMPTY: EmptySlot = { kind: KIND_EMPTY, hash: EMPTY_HASH };

export function keyHash(key: string): string {
  return taggedHashOfStringHex(KEY_TAG, key);
}

export function valueHash(value: Uint8Array): string {
  return taggedHashHex(VALUE_TAG, value);
}

export function leafHash(kh: string, vh: string): string {
  return hashPairHex(LEAF_PREFIX, kh, vh);
}

export function innerHash(left: string, right: string): string {
  return hashPairHex(INNER_PREFIX, left, right);
}

export function makeLeaf(kh: string, vh: string): LeafSlot {
  return { kind: KIND_LEAF, hash: leafHash(kh, vh), keyHash: kh, valueHash: vh };
}

// Value of a lowercase hex digit by its char code.
const NIBBLE_OF = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) NIBBLE_OF["0123456789abcdef".charCodeAt(i)] = i;

/** Nibble `depth` (0 = the first hex digit) of a hex key hash. */
export function nibbleAt(kh: string, depth: number): number {
  return NIBBLE_OF[kh.charCodeAt(depth)];
}

/** Bit `i` (0 = most significant bit of the first byte) of a hex key hash. */
export function bitAt(kh: string, i: number): number {
  return (NIBBLE_OF[kh.charCodeAt(i >> 2)] >> (3 - (i & 3))) & 1;
}

export function nodeKey(nibblePath: string): string {
  return SMT_KEY_PREFIX + nibblePath;
}

/** Combines two sibling summaries by the rules of T: empty and single leaves rise, anything else hashes. */
export function combine(a: Summary, b: Summary): Summary {
  if (a.kind === KIND_EMPTY)
    return b.kind === KIND_INNER ? { kind: KIND_INNER, hash: innerHash(EMPTY_HASH, b.hash) } : b;
  if (b.kind === KIND_EMPTY)
    return a.kind === KIND_INNER ? { kind: KIND_INNER, hash: innerHash(a.hash, EMPTY_HASH) } : a;
  return { kind: KIND_INNER, hash: innerHash(a.hash, b.hash) };
}

/** T over slots [lo, lo + size) of a node (size a power of two up to 16). */
export function rangeSummary(slots: Slots, lo: number, size: number): Summary {
  if (size === 1) return slots[lo] ?? EMPTY;
  const half = size >> 1;
  return combine(rangeSummary(slots, lo, half), rangeSummary(slots, lo + half, half));
}

// ---- node encoding -------------------------------------------------------------------------------------
// A node is its non-empty slots in nibble order, each: one byte (kind << 4 | nibble), the slot's hash, and
// for a leaf its keyHash and valueHash (32 bytes each). Binary rather than canonical JSON: tree nodes are
// the bulk of the rows a block writes, and nothing but this file reads them.

const LEAF_ENTRY_BYTES = 1 + 3 * HASH_BYTES;
const INNER_ENTRY_BYTES = 1 + HASH_BYTES;

export function encodeNode(slots: Slots): Uint8Array {
  let size = 0;
  for (const s of slots) if (s !== null) size += s.kind === KIND_LEAF ? LEAF_ENTRY_BYTES : INNER_ENTRY_BYTES;
  const out = Buffer.alloc(size);
  let at = 0;
  for (let i = 0; i < 16; i++) {
    const s = slots[i];
    if (s === null) continue;
    out[at] = (s.kind << 4) | i;
    out.write(s.hash, at + 1, "hex");
    if (s.kind === KIND_LEAF) {
      out.write(s.keyHash, at + 1 + HASH_BYTES, "hex");
      out.write(s.valueHash, at + 1 + 2 * HASH_BYTES, "hex");
      at += LEAF_ENTRY_BYTES;
    } else {
      at += INNER_ENTRY_BYTES;
    }
  }
  return out;
}

function corrupt(key: string, why: string): never {
  throw new PlurigridError(
    "INTERNAL_INVARIANT",
    `invariant violated: state tree node ${key} is corrupt: ${why}`,
    {
      key,
    },
  );
}

/**
 * Decodes a stored node. Tree nodes are written only by this module, so anything malformed means the store
 * was damaged: INTERNAL_INVARIANT (halt) rather than a wrong root. Leaf hashes are trusted as stored (they are
 * recomputed whenever the leaf changes); `plurigrid verify` rebuilds every root from scratch.
 */
export function decodeNode(key: string, bytes: Uint8Array): Slots {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const slots: Slots = new Array(16).fill(null);
  let at = 0;
  let last = -1;
  while (at < buf.length) {
    const head = buf[at];
    const kind = head >> 4;
    const nibble = head & 15;
    if (nibble <= last) corrupt(key, "slots out of order");
    last = nibble;
    if (kind === KIND_LEAF) {
      if (at + LEAF_ENTRY_BYTES > buf.length) corrupt(key, "truncated leaf slot");
      slots[nibble] = {
        kind: KIND_LEAF,
        hash: buf.toString("hex", at + 1, at + 1 + HASH_BYTES),
        keyHash: buf.toString("hex", at + 1 + HASH_BYTES, at + 1 + 2 * HASH_BYTES),
        valueHash: buf.toString("hex", at + 1 + 2 * HASH_BYTES, at + LEAF_ENTRY_BYTES),
      };
      at += LEAF_ENTRY_BYTES;
    } else if (kind === KIND_INNER) {
      if (at + INNER_ENTRY_BYTES > buf.length) corrupt(key, "truncated inner slot");
      slots[nibble] = { kind: KIND_INNER, hash: buf.toString("hex", at + 1, at + INNER_ENTRY_BYTES) };
      at += INNER_ENTRY_BYTES;
    } else {
      corrupt(key, `unknown slot kind ${kind}`);
    }
  }
  if (last < 0) corrupt(key, "no slots");
  return slots;
}
