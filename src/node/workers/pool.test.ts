import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPair, sign, verify } from "../../core/keys.js";
import { checkTx, verifyTxSignature } from "../../protocol/index.js";
import { CommittedState } from "../state-view.js";
import { Store } from "../store.js";
import { makeTestChain, type TestChain, transfer } from "../testing/fixtures.js";
import { senderLane, WorkerPool } from "./pool.js";

describe("WorkerPool", () => {
  let chain: TestChain;
  let pool: WorkerPool;
  beforeAll(async () => {
    chain = makeTestChain(3);
    pool = new WorkerPool({ threads: 2, dbPath: chain.dbPath });
    await pool.ready();
  });
  afterAll(async () => {
    await pool.close();
    chain.remove();
  });

  it("gives the same Ed25519 verdicts as the main thread", async () => {
    const key = generateKeyPair();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.uint8Array({ maxLength: 64 }), fc.boolean(), fc.nat(63)), {
          minLength: 1,
          maxLength: 40,
        }),
        async (cases) => {
          const items = cases.map(([message, tamper, at]) => {
            const signature = sign(key.secretKey, message);
            if (tamper) signature[at] ^= 1;
            return { publicKey: key.publicKey, message, signature };
          });
          const verdicts = await pool.map<(typeof items)[number], number>(
            items,
            (chunk) => ({ kind: "verifySignatures", items: chunk }),
            4,
          );
          expect(verdicts).toEqual(
            items.map((it) => (verify(it.publicKey, it.message, it.signature) ? 1 : 0)),
          );
        },
      ),
      { numRuns: 50 },
    );
  });

  it("checks transactions like the protocol does on the main thread", async () => {
    const [a, b] = chain.keys;
    const good = transfer(a, b, 0).bytes;
    const bad = Uint8Array.from(good);
    bad[bad.length - 20] ^= 4; // inside the signed tx: signature no longer matches (or the bytes no longer decode)
    const txs = [good, bad, new TextEncoder().encode("[]")];
    expect(Array.from(await pool.run({ kind: "verifyTxs", txs }))).toEqual(
      txs.map((t) => (verifyTxSignature(t) ? 1 : 0)),
    );
    // The undecoded verdicts agree wherever applyBlock reads them: on every transaction that decodes.
    const fast = await pool.run({ kind: "signatureVerdicts", txs });
    expect([fast[0], fast[1]]).toEqual([good, bad].map((t) => (verifyTxSignature(t) ? 1 : 0)));
    const store = Store.open(chain.dbPath, { readonly: true });
    const state = new CommittedState(store);
    expect(await pool.run({ kind: "checkTxs", txs })).toEqual(txs.map((t) => checkTx(state, t)));
    // A batch reads each key once; the answers are those of one check at a time, repeats included.
    const repeated = [...chain.keys.map((k, i) => transfer(k, chain.keys[(i + 1) % 3], 0).bytes), good, good];
    expect(await pool.run({ kind: "checkTxs", txs: repeated })).toEqual(
      repeated.map((t) => checkTx(state, t)),
    );
    store.close();
  });

  it("keeps each sender on one worker and the answers in the order of the batch", async () => {
    const txs = chain.keys.flatMap((k, i) =>
      [0, 1, 2, 3].map((n) => transfer(k, chain.keys[(i + 1) % 3], n).bytes),
    );
    const bad = Uint8Array.from(txs[5]);
    bad[bad.length - 30] ^= 2;
    const batch = [...txs, bad, new Uint8Array([1, 2, 3])];
    for (const minChunk of [1, 64]) {
      const verdicts = await pool.mapBySender<number>(
        batch,
        (chunk) => ({ kind: "verifyTxs", txs: chunk }),
        minChunk,
      );
      expect(verdicts).toEqual(batch.map((t) => (verifyTxSignature(t) ? 1 : 0)));
    }
    // The lane is a function of the public key alone.
    expect(new Set(txs.slice(0, 4).map((t) => senderLane(t, 2))).size).toBe(1);
  });

  it("fails the calls after close instead of hanging", async () => {
    const other = new WorkerPool({ threads: 1 });
    await other.close();
    await expect(other.run({ kind: "verifyTxs", txs: [] })).rejects.toMatchObject({ code: "NODE_CLOSED" });
  });
});
