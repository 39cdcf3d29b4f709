import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPlurigridError } from "../../core/errors.js";
import { fromHex, hashTagged, sha256, toHex } from "../../core/hash.js";
import { MemoryState } from "../memory-state.js";
import type { StateProof } from "../seam.js";
import { proveKey, verifyStateProof } from "./proof.js";
import { EMPTY_HASH, keyHash, valueHash } from "./tree.js";
import { treeRoot, treeUpdates, updateTree } from "./update.js";

const utf8 = new TextEncoder();

/** The root by the binary definition in tree.ts, written independently of the radix-16 storage. */
function referenceRoot(model: Map<string, Uint8Array>): string {
  const leaves = [...model].map(([k, v]) => ({
    kh: hashTagged("plurigrid/smt/key", utf8.encode(k)),
    vh: hashTagged("plurigrid/smt/value", v),
  }));
  const bit = (kh: Uint8Array, d: number) => (kh[d >> 3] >> (7 - (d & 7))) & 1;
  const t = (set: typeof leaves, d: number): Uint8Array => {
    if (set.length === 0) return new Uint8Array(32);
    if (set.length === 1) return sha256(Uint8Array.of(0), set[0].kh, set[0].vh);
    const left = set.filter((l) => bit(l.kh, d) === 0);
    const right = set.filter((l) => bit(l.kh, d) === 1);
    return sha256(Uint8Array.of(1), t(left, d + 1), t(right, d + 1));
  };
  return toHex(t(leaves, 0));
}

/** Applies one batch of writes to the tree rows in `state` and returns the new root. */
function commit(state: MemoryState, writes: [string, Uint8Array | null][]): string {
  const { changes, root } = updateTree(state, treeUpdates(writes));
  state.apply([...changes]);
  return root;
}

/** A workload: batches of writes over a small key space, so that keys are overwritten and deleted. */
const batchesArb = fc.array(
  fc.array(
    fc.tuple(fc.integer({ min: 0, max: 60 }), fc.option(fc.uint8Array({ maxLength: 12 }), { freq: 4 })),
    {
      maxLength: 25,
    },
  ),
  { minLength: 1, maxLength: 6 },
);

function dedupe(batch: [number, Uint8Array | null][]): [string, Uint8Array | null][] {
  const m = new Map<string, Uint8Array | null>();
  for (const [k, v] of batch) m.set(`key/${k}`, v);
  return [...m];
}

function runWorkload(batches: [number, Uint8Array | null][][]): {
  state: MemoryState;
  model: Map<string, Uint8Array>;
} {
  const state = new MemoryState();
  const model = new Map<string, Uint8Array>();
  for (const batch of batches) {
    const writes = dedupe(batch);
    commit(state, writes);
    for (const [k, v] of writes) {
      if (v === null) model.delete(k);
      else model.set(k, v);
    }
  }
  return { state, model };
}

function fromScratch(model: Map<string, Uint8Array>): MemoryState {
  const state = new MemoryState();
  commit(state, [...model]);
  return state;
}

function flipBit(text: string, bit: number): string {
  const bytes = Buffer.from(text, "hex");
  bytes[(bit >> 3) % bytes.length] ^= 1 << (bit & 7);
  return bytes.toString("hex");
}

describe("sparse Merkle tree", () => {
  it("has the all-zero root when empty and the leaf hash as root for one key", () => {
    const state = new MemoryState();
    expect(treeRoot(state)).toBe(EMPTY_HASH);
    const v = utf8.encode("42");
    const root = commit(state, [["acct/a", v]]);
    expect(root).toBe(toHex(sha256(Uint8Array.of(0), fromHex(keyHash("acct/a")), fromHex(valueHash(v)))));
    expect(treeRoot(state)).toBe(root);
    expect(commit(state, [["acct/a", null]])).toBe(EMPTY_HASH);
    expect(state.size).toBe(0);
  });

  it("matches the binary definition after random workloads of inserts, updates and deletes", () => {
    fc.assert(
      fc.property(batchesArb, (batches) => {
        const { state, model } = runWorkload(batches);
        expect(treeRoot(state)).toBe(referenceRoot(model));
      }),
      { numRuns: 300 },
    );
  });

  it("stores exactly the rows of a from-scratch build: the incremental tree equals a rebuild", () => {
    fc.assert(
      fc.property(batchesArb, (batches) => {
        const { state, model } = runWorkload(batches);
        const rebuilt = fromScratch(model);
        expect(state.entries()).toEqual(rebuilt.entries());
      }),
      { numRuns: 300 },
    );
  });

  it("has a root independent of insertion order and batching", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.func(fc.integer()),
        (ids, batchSize, rank) => {
          const writes: [string, Uint8Array][] = ids.map((i) => [`k/${i}`, utf8.encode(`v${i * 7}`)]);
          const whole = fromScratch(new Map(writes));
          const shuffled = [...writes].sort((a, b) => rank(a[0]) - rank(b[0]) || (a[0] < b[0] ? -1 : 1));
          const piecewise = new MemoryState();
          for (let i = 0; i < shuffled.length; i += batchSize)
            commit(piecewise, shuffled.slice(i, i + batchSize));
          expect(treeRoot(piecewise)).toBe(treeRoot(whole));
          expect(piecewise.entries()).toEqual(whole.entries());
        },
      ),
      { numRuns: 300 },
    );
  });

  it("handles keys whose hashes share a long prefix (nodes opened and collapsed several levels deep)", () => {
    // Find two keys whose hashes agree on the first 16 bits (4 nibbles): by the birthday bound a few
    // hundred candidates suffice; the search is deterministic.
    const seen = new Map<string, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; pair === undefined; i++) {
      const k = `deep/${i}`;
      const p = keyHash(k).slice(0, 4);
      const other = seen.get(p);
      if (other !== undefined) pair = [other, k];
      seen.set(p, k);
    }
    const state = new MemoryState();
    commit(state, [[pair[0], utf8.encode("a")]]);
    const before = state.entries();
    commit(state, [[pair[1], utf8.encode("b")]]);
    expect(state.size).toBeGreaterThanOrEqual(5); // the root and at least 4 nodes down the shared path
    expect(treeRoot(state)).toBe(
      referenceRoot(
        new Map([
          [pair[0], utf8.encode("a")],
          [pair[1], utf8.encode("b")],
        ]),
      ),
    );
    commit(state, [[pair[1], null]]);
    expect(state.entries()).toEqual(before);
  });

  it("proves present and absent keys, and every bit flip of proof, value or root fails", () => {
    fc.assert(
      fc.property(batchesArb, fc.integer({ min: 0, max: 70 }), fc.nat(), (batches, probe, flip) => {
        const { state, model } = runWorkload(batches);
        const root = treeRoot(state);
        const key = `key/${probe}`;
        const value = model.get(key);
        const proof = proveKey(state, key);
        expect(verifyStateProof(root, key, value, proof)).toBe(true);
        // The opposite claim fails: a present key is not absent, an absent key holds no value.
        expect(verifyStateProof(root, key, value === undefined ? utf8.encode("x") : undefined, proof)).toBe(
          false,
        );
        // Flip one bit of the root, of one sibling, of the leaf's hashes, of the value.
        expect(verifyStateProof(flipBit(root, flip), key, value, proof)).toBe(false);
        if (proof.siblings.length > 0) {
          const siblings = [...proof.siblings];
          const at = flip % siblings.length;
          siblings[at] = flipBit(siblings[at], flip >> 4);
          expect(verifyStateProof(root, key, value, { ...proof, siblings })).toBe(false);
          // Dropping or adding a sibling changes the depth: not a proof either.
          expect(verifyStateProof(root, key, value, { ...proof, siblings: siblings.slice(1) })).toBe(false);
        }
        if (proof.leaf !== null) {
          const leaf = proof.leaf;
          const bad1: StateProof = { ...proof, leaf: { ...leaf, keyHash: flipBit(leaf.keyHash, flip) } };
          const bad2: StateProof = { ...proof, leaf: { ...leaf, valueHash: flipBit(leaf.valueHash, flip) } };
          expect(verifyStateProof(root, key, value, bad1)).toBe(false);
          expect(verifyStateProof(root, key, value, bad2)).toBe(false);
        }
        if (value !== undefined) {
          const changed = value.length === 0 ? Uint8Array.of(1) : Uint8Array.from(value);
          if (value.length > 0) changed[flip % value.length] ^= 1 << (flip & 7);
          expect(verifyStateProof(root, key, changed, proof)).toBe(false);
        }
        // A proof for one key is not a proof for another.
        const other = `key/${probe + 1}`;
        if (!model.has(other))
          expect(verifyStateProof(root, other, value, proof)).toBe(
            value === undefined && proofCoversAbsent(state, other, proof),
          );
      }),
      { numRuns: 300 },
    );
  });

  it("treats malformed proofs as no proof, never throwing", () => {
    const state = new MemoryState();
    const root = commit(state, [
      ["a", utf8.encode("1")],
      ["b", utf8.encode("2")],
    ]);
    const good = proveKey(state, "a");
    const junk: unknown[] = [
      null,
      {},
      { siblings: "x", leaf: null },
      { siblings: [1, 2], leaf: null },
      { siblings: good.siblings, leaf: { keyHash: "zz", valueHash: 5 } },
      { siblings: new Array(257).fill("00".repeat(32)), leaf: null },
    ];
    for (const p of junk) expect(verifyStateProof(root, "a", utf8.encode("1"), p as StateProof)).toBe(false);
    expect(verifyStateProof("not-a-root", "a", utf8.encode("1"), good)).toBe(false);
  });

  it("halts with INTERNAL_INVARIANT on a corrupt stored node", () => {
    const state = new MemoryState();
    commit(state, [
      ["a", utf8.encode("1")],
      ["b", utf8.encode("2")],
    ]);
    const damaged = new MemoryState([["smt/", Uint8Array.of(0x35, 1, 2)]]);
    try {
      updateTree(damaged, treeUpdates([["c", utf8.encode("3")]]));
      expect.unreachable();
    } catch (e) {
      expect(isPlurigridError(e, "INTERNAL_INVARIANT")).toBe(true);
    }
  });
});

/** Whether a non-inclusion proof for one key happens to be valid for another absent key too (same path end). */
function proofCoversAbsent(state: MemoryState, key: string, proof: StateProof): boolean {
  const own = proveKey(state, key);
  return JSON.stringify(own) === JSON.stringify(proof);
}
