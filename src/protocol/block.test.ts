import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeCanonical } from "../core/canonical.js";
import { isPlurigridError } from "../core/errors.js";
import { applyBlock, blockHash, executeBlock, isSealKey, sealBlock } from "./block.js";
import { ZERO_HASH_HEX } from "./chain.js";
import { checkTx } from "./check.js";
import { BlockExecutor } from "./executor.js";
import { genesis } from "./genesis/genesis.js";
import { MAX_TXS_PER_BLOCK } from "./limits.js";
import { MemoryState } from "./memory-state.js";
import type { StateReader } from "./seam.js";
import {
  GENESIS_TIME_MS,
  idOf,
  signed,
  TestChain,
  testGenesis,
  testKeys,
  transfer,
} from "./test-support/fixtures.js";
import { buildWorkload, workloadArb } from "./test-support/workload.js";
import { verifyTxSignature } from "./verify.js";

const keys = testKeys(5);
const freshChain = () => new TestChain(testGenesis(keys));

function refusal(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isPlurigridError(e)) return e.code;
    throw e;
  }
  return undefined;
}

const codesOf = (r: ReturnType<TestChain["block"]>) => r.results.map((x) => (x.ok ? "ok" : x.code));

describe("block rules", () => {
  it("links blocks: height + 1, prevHash of the last header (zeros first), strictly later time, same chain", () => {
    const chain = freshChain();
    const h1 = chain.nextHeader();
    expect(h1.prevHash).toBe(ZERO_HASH_HEX);
    const at = (patch: object) =>
      refusal(() => applyBlock(chain.state, { ...chain.nextHeader(), ...patch }, []));
    expect(at({ height: 2 })).toBe("BLOCK_BAD_HEIGHT");
    expect(at({ time: GENESIS_TIME_MS })).toBe("BLOCK_TIME_NOT_INCREASING");
    expect(at({ prevHash: "1".repeat(64) })).toBe("BLOCK_BAD_PREV_HASH");
    expect(at({ chainId: "other-chain" })).toBe("BLOCK_WRONG_CHAIN");
    expect(at({ height: 1.5 })).toBe("BLOCK_INVALID_HEADER");
    const r1 = chain.block([transfer(keys[0], 0, keys[1], 1)]);
    expect(chain.lastHash).toBe(blockHash({ ...h1, txRoot: r1.txRoot, stateRoot: r1.stateRoot }));
    // Block 2 must name block 1's hash, recomputed by the protocol from state.
    expect(at({ prevHash: ZERO_HASH_HEX })).toBe("BLOCK_BAD_PREV_HASH");
    expect(at({ time: chain.timeMs })).toBe("BLOCK_TIME_NOT_INCREASING");
    expect(refusal(() => chain.block([]))).toBeUndefined();
    expect(chain.height).toBe(2);
  });

  it("bounds a block and its options", () => {
    const chain = freshChain();
    const many = new Array(MAX_TXS_PER_BLOCK + 1).fill(new Uint8Array(1));
    expect(refusal(() => applyBlock(chain.state, chain.nextHeader(), many))).toBe("BLOCK_TOO_MANY_TXS");
    const one = [transfer(keys[0], 0, keys[1], 1)];
    expect(refusal(() => applyBlock(chain.state, chain.nextHeader(), one, { signaturesVerified: [] }))).toBe(
      "BLOCK_BAD_OPTIONS",
    );
    expect(refusal(() => applyBlock({ get: () => undefined }, chain.nextHeader(), []))).toBe(
      "STATE_NOT_INITIALIZED",
    );
  });

  it("an empty block still commits to its height and time", () => {
    const chain = freshChain();
    const before = chain.root;
    const r = chain.block([]);
    expect(r.results).toEqual([]);
    expect(r.stateRoot).not.toBe(before);
    expect(r.changes.some(([k]) => k === "chain")).toBe(true);
  });
});

describe("transaction checks inside a block", () => {
  it("forged signatures: any flipped bit of signature or public key, any changed body field, is refused", () => {
    const fields = ["signature", "publicKey", "amount", "to", "asset", "nonce", "from"] as const;
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.nat(), (field, bit) => {
        const chain = freshChain();
        const good = signed(keys[0], "Transfer", 0, {
          to: idOf(keys[1]),
          amount: 1000,
          asset: "micros",
        }).signed;
        const t = structuredClone(good) as typeof good;
        const flipHex = (h: string) => {
          const b = Buffer.from(h, "hex");
          b[(bit >> 3) % b.length] ^= 1 << (bit & 7);
          return b.toString("hex");
        };
        if (field === "signature") t.signature = flipHex(t.signature);
        if (field === "publicKey") t.publicKey = flipHex(t.publicKey);
        if (field === "amount") t.tx.body.amount ^= 1 << (bit % 9);
        if (field === "to") t.tx.body.to = idOf(keys[2 + (bit % 3)]);
        if (field === "asset") t.tx.body.asset = "matrix";
        if (field === "nonce") t.tx.nonce += 1 + (bit % 5);
        if (field === "from") t.tx.from = idOf(keys[1 + (bit % 4)]);
        const bytes = encodeCanonical(t);
        const expected =
          field === "publicKey" || field === "from" ? "TX_SENDER_MISMATCH" : "TX_BAD_SIGNATURE";
        expect(codesOf(chain.block([bytes]))).toEqual([expected]);
        // The node's pre-verification agrees, and so does the admission check.
        expect(verifyTxSignature(bytes)).toBe(false);
        const check = checkTx(chain.state, bytes);
        expect(check.ok ? "ok" : check.code).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  it("raw byte flips anywhere in a transaction never make it apply, and change nothing", () => {
    const chain = freshChain();
    const good = transfer(keys[0], 0, keys[1], 1000);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 7 }), (at, bit) => {
        const bytes = Uint8Array.from(good);
        bytes[at % bytes.length] ^= 1 << bit;
        const ex = new BlockExecutor(chain.state, chain.nextHeader());
        const r = ex.applyTx(bytes);
        expect(r.ok).toBe(false);
        expect(ex.state.snapshot().size).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it("wrong chain id: TX_WRONG_CHAIN", () => {
    const chain = freshChain();
    const other = signed(
      keys[0],
      "Transfer",
      0,
      { to: idOf(keys[1]), amount: 1, asset: "micros" },
      "plurigrid-main",
    );
    expect(codesOf(chain.block([other.bytes]))).toEqual(["TX_WRONG_CHAIN"]);
    expect(checkTx(chain.state, other.bytes)).toMatchObject({ ok: false, code: "TX_WRONG_CHAIN" });
  });

  it("replays: the same bytes again, in the same block or a later one, are TX_BAD_NONCE", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.nat(), fc.boolean(), (n, pick, sameBlock) => {
        const chain = freshChain();
        const txs = Array.from({ length: n }, (_, i) => transfer(keys[0], i, keys[1], 10 + i));
        const replay = txs[pick % n];
        if (sameBlock) {
          expect(codesOf(chain.block([...txs, replay]))).toEqual([...txs.map(() => "ok"), "TX_BAD_NONCE"]);
        } else {
          chain.block(txs);
          expect(codesOf(chain.block([replay]))).toEqual(["TX_BAD_NONCE"]);
          expect(checkTx(chain.state, replay)).toMatchObject({ ok: false, code: "TX_BAD_NONCE" });
        }
      }),
      { numRuns: 200 },
    );
  });

  it("any permutation that breaks nonce order is rejected with TX_BAD_NONCE (and nothing else)", () => {
    const txs = Array.from({ length: 7 }, (_, i) => transfer(keys[0], i, keys[1], 1 + i));
    fc.assert(
      fc.property(
        fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6], { minLength: 7, maxLength: 7 }),
        fc.integer({ min: 1, max: 7 }),
        (order, perBlock) => {
          const chain = freshChain();
          let expected = 0;
          const got: string[] = [];
          const want: string[] = [];
          for (let i = 0; i < order.length; i += perBlock) {
            const slice = order.slice(i, i + perBlock);
            got.push(...codesOf(chain.block(slice.map((n) => txs[n]))));
            for (const n of slice) {
              if (n === expected) {
                want.push("ok");
                expected++;
              } else want.push("TX_BAD_NONCE");
            }
          }
          expect(got).toEqual(want);
          const inOrder = order.every((n, i) => n === i);
          expect(got.includes("TX_BAD_NONCE")).toBe(!inOrder);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("passing signature verdicts gives exactly the result of verifying inside", () => {
    fc.assert(
      fc.property(workloadArb(keys.length, 3, 10), (blocks) => {
        const withVerdicts = freshChain();
        const inside = freshChain();
        for (const txs of buildWorkload(keys, blocks)) {
          const a = withVerdicts.block(txs, { signaturesVerified: txs.map((b) => verifyTxSignature(b)) });
          const b = inside.block(txs);
          expect(a).toEqual(b);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("executed on the application's rows and sealed on the seal rows alone, a chain is applyBlock's", () => {
    fc.assert(
      fc.property(workloadArb(keys.length, 4, 10), (blocks) => {
        const whole = freshChain();
        const g = genesis(testGenesis(keys)).changes;
        const app = new MemoryState(g.filter(([k]) => !isSealKey(k)));
        const sealed = new MemoryState(g.filter(([k]) => isSealKey(k)));
        for (const txs of buildWorkload(keys, blocks)) {
          const header = whole.nextHeader();
          const want = whole.block(txs);
          const { prevHash: _, ...withoutPrev } = header;
          const executed = executeBlock(app, withoutPrev, txs);
          expect(executed.appChanges.every(([k]) => !isSealKey(k))).toBe(true);
          const got = sealBlock(sealed, header, executed);
          expect(executed.results).toEqual(want.results);
          expect(executed.txRoot).toBe(want.txRoot);
          expect(got).toEqual({ changes: want.changes, stateRoot: want.stateRoot });
          app.apply(got.changes.filter(([k]) => !isSealKey(k)));
          sealed.apply(got.changes.filter(([k]) => isSealKey(k)));
        }
      }),
      { numRuns: 100 },
    );
  });

  it("sealBlock checks the link that executeBlock could not", () => {
    const chain = freshChain();
    chain.block([transfer(keys[0], 0, keys[1], 5)]);
    const header = chain.nextHeader();
    const { prevHash: _, ...withoutPrev } = header;
    const executed = executeBlock(chain.state, withoutPrev, [transfer(keys[0], 1, keys[1], 5)]);
    expect(refusal(() => sealBlock(chain.state, { ...header, prevHash: "ab".repeat(32) }, executed))).toBe(
      "BLOCK_BAD_PREV_HASH",
    );
    expect(refusal(() => sealBlock(chain.state, { ...header, height: 3 }, executed))).toBe(
      "BLOCK_BAD_HEIGHT",
    );
    expect(refusal(() => sealBlock(chain.state, { ...header, time: chain.timeMs }, executed))).toBe(
      "BLOCK_TIME_NOT_INCREASING",
    );
    expect(refusal(() => executeBlock(chain.state, { ...withoutPrev, chainId: "other-chain" }, []))).toBe(
      "BLOCK_WRONG_CHAIN",
    );
    expect(refusal(() => executeBlock(chain.state, { ...withoutPrev, height: 0 }, []))).toBe(
      "BLOCK_INVALID_HEADER",
    );
    expect(sealBlock(chain.state, header, executed).stateRoot).toMatch(/^[0-9a-f]{64}$/);
  });

  it("every rejected transaction leaves the state and the root as they were", () => {
    fc.assert(
      fc.property(workloadArb(keys.length, 3, 10), (blocks) => {
        const chain = freshChain();
        for (const txs of buildWorkload(keys, blocks)) {
          const ex = new BlockExecutor(chain.state, chain.nextHeader());
          for (const tx of txs) {
            const before = ex.state.snapshot();
            const rootBefore = ex.currentRoot();
            const r = ex.applyTx(tx);
            if (!r.ok) {
              expect(ex.state.snapshot()).toEqual(before);
              expect(ex.currentRoot()).toBe(rootBefore);
            } else {
              expect(ex.currentRoot()).not.toBe(rootBefore);
            }
          }
          chain.block(txs);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("checkTx admits a future nonce (it may wait behind its predecessors) but not a used one", () => {
    const chain = freshChain();
    chain.block([transfer(keys[0], 0, keys[1], 1)]);
    expect(checkTx(chain.state, transfer(keys[0], 3, keys[1], 1))).toMatchObject({
      ok: true,
      nonce: 3,
      sender: idOf(keys[0]),
    });
    expect(checkTx(chain.state, transfer(keys[0], 0, keys[1], 1))).toMatchObject({
      ok: false,
      code: "TX_BAD_NONCE",
    });
    expect(checkTx(chain.state, new Uint8Array([1, 2]))).toMatchObject({ ok: false, code: "TX_DECODE" });
  });

  it("a module that throws something other than a rejection halts with INTERNAL_INVARIANT", () => {
    const chain = freshChain();
    const broken: StateReader = {
      get: (k) => (k === `acct/${idOf(keys[1])}` ? new TextEncoder().encode("not json") : chain.state.get(k)),
    };
    const r = refusal(() => applyBlock(broken, chain.nextHeader(), [transfer(keys[0], 0, keys[1], 1)]));
    expect(r).toBe("INTERNAL_INVARIANT");
  });
});
