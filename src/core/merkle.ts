import { PlurigridError } from "./errors.js";
import { bytesEqual, sha256 } from "./hash.js";

/**
 * Binary Merkle trees as Certificate Transparency defines them (RFC 6962 §2.1; same in RFC 9162 §2.1.1):
 *
 *   MTH({})      = SHA-256()
 *   MTH({d0})    = SHA-256(0x00 || d0)                       leaf hash
 *   MTH(D[n])    = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))  node hash, k = largest power of 2 < n
 *
 * The 0x00 / 0x01 prefixes keep leaves and inner nodes in separate domains, so a leaf can never pass for an
 * inner node (second-preimage resistance). Built bottom-up: pairing neighbours level by level and carrying an
 * unpaired last node up unchanged gives exactly the left-heavy RFC 6962 shape.
 */

export interface InclusionProof {
  /** 0-based position of the leaf. */
  readonly index: number;
  /** Number of leaves in the tree the proof is for. */
  readonly treeSize: number;
  /** Sibling hashes from the leaf up to the root (RFC 6962 PATH order). */
  readonly path: readonly Uint8Array[];
}

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);
const HASH_BYTES = 32;

export function leafHash(leaf: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, leaf);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

/** The level above `level`: neighbours hashed in pairs, an unpaired last node carried up as it is. */
function nextLevel(level: Uint8Array[]): Uint8Array[] {
  const up: Uint8Array[] = new Array(Math.ceil(level.length / 2));
  for (let i = 0; i + 1 < level.length; i += 2) up[i >> 1] = nodeHash(level[i], level[i + 1]);
  if (level.length % 2 === 1) up[up.length - 1] = level[level.length - 1];
  return up;
}

/** RFC 6962 Merkle Tree Hash of the leaves, in order. The empty tree hashes to SHA-256 of nothing. */
export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256();
  let level = leaves.map(leafHash);
  while (level.length > 1) level = nextLevel(level);
  return level[0];
}

/** RFC 6962 §2.1.1 audit path for the leaf at `index`. MERKLE_INDEX_OUT_OF_RANGE if there is no such leaf. */
export function inclusionProof(leaves: readonly Uint8Array[], index: number): InclusionProof {
  if (!Number.isSafeInteger(index) || index < 0 || index >= leaves.length) {
    throw new PlurigridError(
      "MERKLE_INDEX_OUT_OF_RANGE",
      `leaf index ${index} is not in a tree of ${leaves.length} leaves`,
      { index, treeSize: leaves.length },
    );
  }
  const path: Uint8Array[] = [];
  let level = leaves.map(leafHash);
  let i = index;
  while (level.length > 1) {
    const sibling = i ^ 1;
    // A last node without a right neighbour is carried up and contributes no path element at this level.
    if (sibling < level.length) path.push(level[sibling]);
    level = nextLevel(level);
    i >>= 1;
  }
  return { index, treeSize: leaves.length, path };
}

/**
 * Checks that `leaf` is at `proof.index` of a tree of `proof.treeSize` leaves with this root, with the
 * verification algorithm of RFC 9162 §2.1.3.2. Any malformed proof (wrong sizes, wrong path length, hashes
 * that are not 32 bytes) is simply not a proof: the answer is false, never an exception. The root does not
 * authenticate `treeSize` (sizes whose paths have the same shape verify alike), so take the size from the same
 * trusted record as the root.
 */
export function verifyInclusion(leaf: Uint8Array, proof: InclusionProof, root: Uint8Array): boolean {
  return verifyInclusionOfLeafHash(leafHash(leaf), proof, root);
}

/** As verifyInclusion, for a caller that holds the leaf hash rather than the leaf. */
export function verifyInclusionOfLeafHash(
  hash: Uint8Array,
  proof: InclusionProof,
  root: Uint8Array,
): boolean {
  const { index, treeSize, path } = proof;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) {
    return false;
  }
  if (!Array.isArray(path) || root.length !== HASH_BYTES || hash.length !== HASH_BYTES) return false;
  // Arithmetic halving, not `>>`, so tree sizes above 2^31 work too.
  let fn = index;
  let sn = treeSize - 1;
  let r = hash;
  for (const p of path) {
    if (!(p instanceof Uint8Array) || p.length !== HASH_BYTES || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(r, root);
}
