import { assert } from "../../core/errors.js";
import type { StateProof, StateReader } from "../seam.js";
import {
  bitAt,
  decodeNode,
  EMPTY_HASH,
  innerHash,
  KIND_EMPTY,
  KIND_LEAF,
  keyHash,
  leafHash,
  nibbleAt,
  nodeKey,
  rangeSummary,
  type Slots,
  valueHash,
} from "./tree.js";

/**
 * Proofs of inclusion and of non-inclusion. A proof lists the sibling hashes along the key's path from the
 * root down to where the path ends, and what it ends in: the key's own leaf (inclusion), another key's leaf
 * (the subtree holding the key's path has exactly one leaf, and it is not this key: non-inclusion), or
 * nothing (an empty subtree: non-inclusion).
 */

const NIBBLE_HEX = "0123456789abcdef";
const MAX_DEPTH_BITS = 256;

function load(state: StateReader, path: string): Slots | null {
  const key = nodeKey(path);
  const bytes = state.get(key);
  return bytes === undefined ? null : decodeNode(key, bytes);
}

/** The proof for `key` against the tree stored in `state`. */
export function proveKey(state: StateReader, key: string): StateProof {
  const kh = keyHash(key);
  const siblings: string[] = [];
  let slots = load(state, "");
  let path = "";
  for (let depth = 0; slots !== null; depth++) {
    const c = nibbleAt(kh, depth);
    let lo = 0;
    // Walk the node's four binary levels; stop early where the subtree is empty or a single leaf.
    for (let size = 16; size > 1; size >>= 1) {
      const here = rangeSummary(slots, lo, size);
      if (here.kind === KIND_EMPTY) return { siblings, leaf: null };
      if (here.kind === KIND_LEAF)
        return { siblings, leaf: { keyHash: here.keyHash, valueHash: here.valueHash } };
      const half = size >> 1;
      const goRight = c >= lo + half;
      const sibling = rangeSummary(slots, goRight ? lo : lo + half, half);
      siblings.push(sibling.hash);
      if (goRight) lo += half;
    }
    const slot = slots[c];
    if (slot === null) return { siblings, leaf: null };
    if (slot.kind === KIND_LEAF)
      return { siblings, leaf: { keyHash: slot.keyHash, valueHash: slot.valueHash } };
    path += NIBBLE_HEX[c];
    slots = load(state, path);
    assert(slots !== null, `the node at smt/${path} that its parent points to exists`);
  }
  return { siblings, leaf: null };
}

const HEX64 = /^[0-9a-f]{64}$/;

function isHash(text: unknown): text is string {
  return typeof text === "string" && HEX64.test(text);
}

/**
 * True when `proof` shows that, in the state committed to by `rootHex`, `key` holds exactly `value` (or, with
 * `value` undefined, that `key` is absent). Anything malformed is simply not a proof: false, never a throw.
 */
export function verifyStateProof(
  rootHex: string,
  key: string,
  value: Uint8Array | undefined,
  proof: StateProof,
): boolean {
  if (!isHash(rootHex) || typeof key !== "string" || typeof proof !== "object" || proof === null)
    return false;
  const { siblings, leaf } = proof;
  if (!Array.isArray(siblings) || siblings.length > MAX_DEPTH_BITS || !siblings.every(isHash)) return false;
  const kh = keyHash(key);
  const depth = siblings.length;
  let h: string;
  if (leaf === null) {
    if (value !== undefined) return false;
    h = EMPTY_HASH;
  } else {
    if (typeof leaf !== "object" || !isHash(leaf.keyHash) || !isHash(leaf.valueHash)) return false;
    if (value !== undefined) {
      if (!(value instanceof Uint8Array)) return false;
      if (leaf.keyHash !== kh || leaf.valueHash !== valueHash(value)) return false;
    } else {
      // Another key's leaf ends the path: it must share the path's bits, so that the subtree it stands for
      // is the one this key would be in, and it must not be this key.
      if (leaf.keyHash === kh) return false;
      for (let i = 0; i < depth; i++) if (bitAt(leaf.keyHash, i) !== bitAt(kh, i)) return false;
    }
    h = leafHash(leaf.keyHash, leaf.valueHash);
  }
  for (let i = depth - 1; i >= 0; i--) {
    h = bitAt(kh, i) === 0 ? innerHash(h, siblings[i]) : innerHash(siblings[i], h);
  }
  return h === rootHex;
}
