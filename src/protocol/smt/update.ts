import { assert } from "../../core/errors.js";
import type { StateReader } from "../seam.js";
import {
  decodeNode,
  EMPTY_HASH,
  encodeNode,
  KIND_INNER,
  KIND_LEAF,
  keyHash,
  type LeafSlot,
  MAX_NIBBLES,
  makeLeaf,
  nibbleAt,
  nodeKey,
  rangeSummary,
  type Slot,
  type Slots,
  valueHash,
} from "./tree.js";

/** One key's new value (null: the key is deleted) as the tree sees it. */
export interface TreeUpdate {
  /** Hex key hash: its leading digits are the nibble paths of the nodes on the key's path. */
  readonly keyHash: string;
  readonly leaf: LeafSlot | null;
}

export interface TreeChanges {
  /** Writes (bytes) and deletions (null) of "smt/…" node keys. */
  readonly changes: Map<string, Uint8Array | null>;
  /** Hex root. */
  readonly root: string;
}

/**
 * Key hashes of recently written keys (accounts are written again and again). A bounded memo of a pure
 * function: it saves a hash per key and can never change a result.
 */
const KEY_HASH_CACHE_MAX = 262_144;
const keyHashCache = new Map<string, string>();

function hashedKey(key: string): string {
  let hit = keyHashCache.get(key);
  if (hit === undefined) {
    hit = keyHash(key);
    if (keyHashCache.size >= KEY_HASH_CACHE_MAX) keyHashCache.clear();
    keyHashCache.set(key, hit);
  }
  return hit;
}

/** The tree's view of a batch of state writes: key hashes, value hashes, leaves, sorted by key hash. */
export function treeUpdates(writes: Iterable<readonly [string, Uint8Array | null]>): TreeUpdate[] {
  const updates: TreeUpdate[] = [];
  for (const [key, value] of writes) {
    const kh = hashedKey(key);
    updates.push({ keyHash: kh, leaf: value === null ? null : makeLeaf(kh, valueHash(value)) });
  }
  updates.sort((a, b) => (a.keyHash < b.keyHash ? -1 : a.keyHash > b.keyHash ? 1 : 0));
  for (let i = 1; i < updates.length; i++) {
    // Equal key hashes of different keys would be a SHA-256 collision; equal keys, a caller's bug.
    assert(updates[i - 1].keyHash !== updates[i].keyHash, "each key is written at most once per tree update");
  }
  return updates;
}

/**
 * Decoded tree nodes by their bytes: a block reads again most of the nodes the last block wrote, and decoding
 * turns every slot's hashes into hex. A bounded memo of a pure function, checked against a copy of the bytes
 * (a reader may hand out the same array with other contents), so it can never change a result.
 */
const DECODED_NODES_MAX = 65_536;
const decodedNodes = new Map<string, { bytes: Uint8Array; slots: Slots }>();

function rememberNode(key: string, bytes: Uint8Array, slots: Slots): void {
  if (decodedNodes.size >= DECODED_NODES_MAX) decodedNodes.clear();
  // A copy of the bytes (Uint8Array.prototype.slice copies, also for a Buffer, whose own slice would not).
  decodedNodes.set(key, { bytes: Uint8Array.prototype.slice.call(bytes), slots: slots.slice() });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

function loadNode(state: StateReader, path: string): Slots | null {
  const key = nodeKey(path);
  const bytes = state.get(key);
  if (bytes === undefined) return null;
  const hit = decodedNodes.get(key);
  // A copy: the caller updates the slots in place.
  if (hit !== undefined && sameBytes(hit.bytes, bytes)) return hit.slots.slice();
  const slots = decodeNode(key, bytes);
  rememberNode(key, bytes, slots);
  return slots;
}

function storeNode(path: string, slots: Slots, changes: Map<string, Uint8Array | null>): void {
  const key = nodeKey(path);
  const bytes = encodeNode(slots);
  changes.set(key, bytes);
  rememberNode(key, bytes, slots);
}

const NIBBLE_HEX = "0123456789abcdef";

/**
 * Applies sorted updates to the tree stored in `state` and returns the node writes and the new root, in one
 * pass that visits each node on the union of the updated keys' paths once (shared ancestors are rehashed
 * once per batch, not once per key). The cost grows with the number of updated keys times the depth
 * (about log16 of the number of keys), not with the size of the state.
 */
export function updateTree(state: StateReader, updates: readonly TreeUpdate[]): TreeChanges {
  const changes = new Map<string, Uint8Array | null>();
  const stored = loadNode(state, "");
  const slots: Slots = stored ?? new Array(16).fill(null);
  if (updates.length > 0) applyToSlots(state, "", 0, slots, updates, 0, updates.length, changes);
  let occupied = 0;
  for (const s of slots) if (s !== null) occupied++;
  if (occupied === 0) {
    if (stored !== null) changes.set(nodeKey(""), null);
    return { changes, root: EMPTY_HASH };
  }
  // The root node is kept whenever the tree is not empty, even for a single leaf (whose hash is the root).
  if (updates.length > 0) storeNode("", slots, changes);
  return { changes, root: rangeSummary(slots, 0, 16).hash };
}

/** Applies updates[lo, hi) (all under nibble path `path`) to the slots of the node at `path`, in place. */
function applyToSlots(
  state: StateReader,
  path: string,
  depth: number,
  slots: Slots,
  updates: readonly TreeUpdate[],
  lo: number,
  hi: number,
  changes: Map<string, Uint8Array | null>,
): void {
  assert(depth < MAX_NIBBLES, "distinct key hashes part before the last nibble");
  let i = lo;
  while (i < hi) {
    const c = nibbleAt(updates[i].keyHash, depth);
    let j = i + 1;
    while (j < hi && nibbleAt(updates[j].keyHash, depth) === c) j++;
    const cur = slots[c];
    const childPath = path + NIBBLE_HEX[c];
    if (cur !== null && cur.kind === KIND_INNER) {
      const child = loadNode(state, childPath);
      assert(child !== null, `the node at smt/${childPath} that its parent points to exists`);
      slots[c] = rebuildChild(state, childPath, depth + 1, child, true, updates, i, j, changes);
    } else if (j - i === 1 && (cur === null || cur.keyHash === updates[i].keyHash)) {
      // The common case: a key lands alone in an empty slot, or replaces (or deletes) the leaf already there.
      slots[c] = updates[i].leaf;
    } else {
      // The slot holds at most one leaf but more than one key now meets there: open a node one nibble down
      // holding that leaf, and let the updates go into it (it is stored only if it keeps two leaves).
      const child: Slots = new Array(16).fill(null);
      if (cur !== null) child[nibbleAt(cur.keyHash, depth + 1)] = cur;
      slots[c] = rebuildChild(state, childPath, depth + 1, child, false, updates, i, j, changes);
    }
    i = j;
  }
}

/** Updates a non-root node and reduces it to what its parent's slot must hold. */
function rebuildChild(
  state: StateReader,
  path: string,
  depth: number,
  slots: Slots,
  wasStored: boolean,
  updates: readonly TreeUpdate[],
  lo: number,
  hi: number,
  changes: Map<string, Uint8Array | null>,
): Slot | null {
  applyToSlots(state, path, depth, slots, updates, lo, hi, changes);
  let occupied = 0;
  let only: Slot | null = null;
  for (const s of slots) {
    if (s !== null) {
      occupied++;
      only = s;
    }
  }
  if (occupied === 0 || (occupied === 1 && only !== null && only.kind === KIND_LEAF)) {
    // Nothing, or a single leaf, left below: the leaf rises into the parent's slot and the node goes.
    if (wasStored) changes.set(nodeKey(path), null);
    return only;
  }
  storeNode(path, slots, changes);
  const summary = rangeSummary(slots, 0, 16);
  assert(summary.kind === KIND_INNER, "a stored non-root node holds two or more leaves");
  return summary;
}

/** The hex root of the tree stored in `state` (64 zeros for an empty tree). */
export function treeRoot(state: StateReader): string {
  const root = loadNode(state, "");
  return root === null ? EMPTY_HASH : rangeSummary(root, 0, 16).hash;
}
