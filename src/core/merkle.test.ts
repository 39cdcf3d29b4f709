import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPlurigridError } from "./errors.js";
import { fromHex, toHex } from "./hash.js";
import {
  type InclusionProof,
  inclusionProof,
  leafHash,
  merkleRoot,
  nodeHash,
  verifyInclusion,
  verifyInclusionOfLeafHash,
} from "./merkle.js";

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isPlurigridError(e)) return e.code;
    throw e;
  }
  return undefined;
}

// Written straight from the RFC 6962 §2.1 definitions, recursively, with its own hashing.
const h = (...parts: Uint8Array[]) => {
  const hash = createHash("sha256");
  for (const p of parts) hash.update(p);
  return new Uint8Array(hash.digest());
};
const largestPowerOfTwoBelow = (n: number) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};
function naiveMth(d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return h();
  if (d.length === 1) return h(Uint8Array.of(0), d[0]);
  const k = largestPowerOfTwoBelow(d.length);
  return h(Uint8Array.of(1), naiveMth(d.slice(0, k)), naiveMth(d.slice(k)));
}
/** RFC 6962 §2.1.1 PATH(m, D[n]), recursively. */
function naivePath(m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length <= 1) return [];
  const k = largestPowerOfTwoBelow(d.length);
  return m < k
    ? [...naivePath(m, d.slice(0, k)), naiveMth(d.slice(k))]
    : [...naivePath(m - k, d.slice(k)), naiveMth(d.slice(0, k))];
}

// The test tree of the Certificate Transparency reference implementation (merkle_tree_test.cc).
const CT_LEAVES = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map((x) => fromHex(x));
const CT_ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

const leavesOf = (n: number, salt = 0) =>
  Array.from({ length: n }, (_, i) => Uint8Array.of(i & 0xff, (i >> 8) & 0xff, salt & 0xff));

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[bit >> 3] ^= 1 << (bit & 7);
  return copy;
}

describe("merkleRoot", () => {
  it("matches the Certificate Transparency test tree for sizes 0..8", () => {
    expect(toHex(merkleRoot([]))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    for (let n = 1; n <= 8; n++) {
      const leaves = CT_LEAVES.slice(0, n);
      expect(toHex(naiveMth(leaves)), `naive, size ${n}`).toBe(CT_ROOTS[n - 1]);
      expect(toHex(merkleRoot(leaves)), `size ${n}`).toBe(CT_ROOTS[n - 1]);
    }
  });

  it("matches the recursive RFC 6962 definition for every size up to 70", () => {
    for (let n = 0; n <= 70; n++) expect(merkleRoot(leavesOf(n))).toEqual(naiveMth(leavesOf(n)));
  });

  it("depends on every leaf and on their order", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 8 }), { minLength: 2, maxLength: 20 }), (leaves) => {
        const swapped = [leaves[1], leaves[0], ...leaves.slice(2)];
        const same = toHex(leaves[0]) === toHex(leaves[1]);
        expect(toHex(merkleRoot(swapped)) === toHex(merkleRoot(leaves))).toBe(same);
        expect(merkleRoot(leaves.slice(1))).not.toEqual(merkleRoot(leaves));
      }),
      { numRuns: 300 },
    );
  });
});

describe("inclusionProof / verifyInclusion", () => {
  it("produces the RFC 6962 PATH and verifies for every index of trees of size 1..40", () => {
    for (let n = 1; n <= 40; n++) {
      const leaves = leavesOf(n);
      const root = merkleRoot(leaves);
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(leaves, i);
        expect(proof.treeSize).toBe(n);
        expect(proof.path).toEqual(naivePath(i, leaves));
        expect(verifyInclusion(leaves[i], proof, root)).toBe(true);
        expect(verifyInclusionOfLeafHash(leafHash(leaves[i]), proof, root)).toBe(true);
        // Another leaf of the same tree does not verify at this position.
        if (n > 1) expect(verifyInclusion(leaves[(i + 1) % n], proof, root)).toBe(false);
      }
    }
  });

  it("agrees with the CT reference audit paths", () => {
    const vectors: { index: number; size: number; path: string[] }[] = [
      { index: 0, size: 1, path: [] },
      {
        index: 0,
        size: 8,
        path: [
          "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
      },
      {
        index: 5,
        size: 8,
        path: [
          "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
          "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
      },
      { index: 2, size: 3, path: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
      {
        index: 1,
        size: 5,
        path: [
          "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
          "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
          "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
      },
    ];
    for (const v of vectors) {
      const leaves = CT_LEAVES.slice(0, v.size);
      expect(naivePath(v.index, leaves).map(toHex)).toEqual(v.path);
      const proof = inclusionProof(leaves, v.index);
      expect(proof.path.map(toHex)).toEqual(v.path);
      expect(verifyInclusion(CT_LEAVES[v.index], proof, fromHex(CT_ROOTS[v.size - 1]))).toBe(true);
    }
  });

  it("rejects every single-bit flip of the leaf, of any path step and of the root (exhaustive, 7 leaves)", () => {
    const leaves = leavesOf(7, 9);
    const root = merkleRoot(leaves);
    for (let i = 0; i < leaves.length; i++) {
      const proof = inclusionProof(leaves, i);
      for (let bit = 0; bit < leaves[i].length * 8; bit++) {
        expect(verifyInclusion(flipBit(leaves[i], bit), proof, root)).toBe(false);
      }
      for (let step = 0; step < proof.path.length; step++) {
        for (let bit = 0; bit < 256; bit++) {
          const path = proof.path.map((p, s) => (s === step ? flipBit(p, bit) : p));
          expect(verifyInclusion(leaves[i], { ...proof, path }, root)).toBe(false);
        }
      }
      for (let bit = 0; bit < 256; bit++)
        expect(verifyInclusion(leaves[i], proof, flipBit(root, bit))).toBe(false);
    }
  });

  it("rejects random single-bit flips in larger trees", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 300 }),
        fc.nat(),
        fc.nat(),
        fc.constantFrom("leaf", "path", "root"),
        (n, rawIndex, rawBit, where) => {
          const leaves = leavesOf(n, 3);
          const root = merkleRoot(leaves);
          const index = rawIndex % n;
          const proof = inclusionProof(leaves, index);
          expect(verifyInclusion(leaves[index], proof, root)).toBe(true);
          if (where === "leaf") {
            expect(verifyInclusion(flipBit(leaves[index], rawBit % 24), proof, root)).toBe(false);
          } else if (where === "path") {
            const step = rawBit % proof.path.length;
            const path = proof.path.map((p, s) => (s === step ? flipBit(p, rawBit % 256) : p));
            expect(verifyInclusion(leaves[index], { ...proof, path }, root)).toBe(false);
          } else {
            expect(verifyInclusion(leaves[index], proof, flipBit(root, rawBit % 256))).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("rejects proofs with the wrong index, size or path length", () => {
    const leaves = leavesOf(13);
    const root = merkleRoot(leaves);
    const proof = inclusionProof(leaves, 5);
    const bad: InclusionProof[] = [
      { ...proof, index: 4 },
      { ...proof, index: 13 },
      { ...proof, index: -1 },
      { ...proof, index: 5.5 },
      { ...proof, treeSize: 6 },
      { ...proof, treeSize: 5 },
      { ...proof, treeSize: 7 },
      { ...proof, treeSize: 0 },
      { ...proof, path: proof.path.slice(1) },
      { ...proof, path: [...proof.path, proof.path[0]] },
      { ...proof, path: [proof.path[0].subarray(1), ...proof.path.slice(1)] },
      { ...proof, path: "nope" as unknown as Uint8Array[] },
    ];
    for (const p of bad) expect(verifyInclusion(leaves[5], p, root), JSON.stringify(p)).toBe(false);
    expect(verifyInclusion(leaves[5], proof, root.subarray(0, 31))).toBe(false);
    expect(verifyInclusion(leaves[5], proof, root)).toBe(true);
  });

  it("does not authenticate the tree size: sizes with the same path shape verify alike (RFC 9162)", () => {
    // Leaf 5 has the same left/right path in trees of 13 and 14 leaves, so the proof also "verifies" for 14.
    // The size must come from the same trusted record as the root (a block header commits to both).
    const leaves = leavesOf(13);
    const proof = inclusionProof(leaves, 5);
    expect(verifyInclusion(leaves[5], { ...proof, treeSize: 14 }, merkleRoot(leaves))).toBe(true);
  });

  it("never accepts an inner node presented as a leaf (second preimage)", () => {
    const leaves = leavesOf(4);
    const root = merkleRoot(leaves);
    const left = nodeHash(leafHash(leaves[0]), leafHash(leaves[1]));
    const right = nodeHash(leafHash(leaves[2]), leafHash(leaves[3]));
    expect(nodeHash(left, right)).toEqual(root);
    // The children of the root, concatenated, as the only leaf of a one-leaf tree.
    const forged = new Uint8Array([...left, ...right]);
    expect(verifyInclusion(forged, { index: 0, treeSize: 1, path: [] }, root)).toBe(false);
    // The children of the left node as leaf 0 of a two-leaf tree whose other leaf is the right node.
    const forgedLeft = new Uint8Array([...leafHash(leaves[0]), ...leafHash(leaves[1])]);
    expect(verifyInclusion(forgedLeft, { index: 0, treeSize: 2, path: [right] }, root)).toBe(false);
    // The same node hashes accepted as inner nodes do verify, which is what makes the rejections meaningful.
    expect(verifyInclusionOfLeafHash(left, { index: 0, treeSize: 2, path: [right] }, root)).toBe(true);
  });

  it("throws MERKLE_INDEX_OUT_OF_RANGE for a leaf that is not there", () => {
    expect(codeOf(() => inclusionProof([], 0))).toBe("MERKLE_INDEX_OUT_OF_RANGE");
    expect(codeOf(() => inclusionProof(leavesOf(3), 3))).toBe("MERKLE_INDEX_OUT_OF_RANGE");
    expect(codeOf(() => inclusionProof(leavesOf(3), -1))).toBe("MERKLE_INDEX_OUT_OF_RANGE");
    expect(codeOf(() => inclusionProof(leavesOf(3), 1.5))).toBe("MERKLE_INDEX_OUT_OF_RANGE");
  });
});
