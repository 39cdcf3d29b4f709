import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { canonicalString } from "../core/canonical.js";
import { Store } from "../node/store.js";
import { executeBlock, genesis, isSealKey, MemoryState } from "../protocol/index.js";
import {
  CHAIN_ID,
  GENESIS_TIME_MS,
  TestChain,
  testGenesis,
  testKeys,
  transfer,
} from "../protocol/test-support/fixtures.js";
import { LedgerWriter, WRITER_NICENESS } from "./ledger-writer.js";

const keys = testKeys(3);
const doc = testGenesis(keys);
const g = genesis(doc);
const meta = {
  chainId: CHAIN_ID,
  genesisJson: canonicalString(doc),
  genesisStateRoot: g.stateRoot,
  genesisTimeMs: GENESIS_TIME_MS,
};
/** A fresh chain's application rows, and its executed block `height`: one transfer (a nonce per block). */
function appChain() {
  const app = new MemoryState(g.changes.filter(([k]) => !isSealKey(k)));
  return (height: number, time = GENESIS_TIME_MS + height * 1000) => {
    const txs = [transfer(keys[0], height - 1, keys[1], 1)];
    const header = { chainId: CHAIN_ID, height, time };
    const executed = executeBlock(app, header, txs);
    app.apply(executed.appChanges);
    return { header, txs, txHashes: executed.results.map((r) => r.txHash), executed };
  };
}
const block = appChain();

/** Every state row of a store file equals the chain's state, and it has no other. */
function expectStateRows(path: string, state: MemoryState): void {
  const store = Store.open(path, { readonly: true });
  try {
    const rows = store.database.prepare("SELECT key, value FROM state").all() as {
      key: string;
      value: Buffer;
    }[];
    expect(rows.length).toBe(state.size);
    for (const r of rows) expect(Buffer.from(state.get(r.key) ?? []).equals(r.value), r.key).toBe(true);
  } finally {
    store.close();
  }
}

describe("the run's ledger writer thread", () => {
  const dir = mkdtempSync(join(tmpdir(), "plurigrid-writer-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("seals and writes every block handed over, in order, across days: the chain applyBlock gives", () => {
    const path = join(dir, "chain.sqlite");
    const w = new LedgerWriter(path, meta, g.changes);
    const whole = new TestChain(doc);
    // More blocks than the writer may lag behind: the hand-over waits instead of queueing without bound.
    for (let h = 1; h <= 1100; h++) {
      const b = block(h);
      w.write(Math.floor(h / 400), b);
      whole.block(b.txs as Uint8Array[]);
    }
    if (process.platform === "linux") {
      // The writer thread runs at a lower priority than the run's (field 19 of a thread's stat: its nice).
      const nice = readdirSync("/proc/self/task").map((tid) => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
      });
      expect(nice).toContain(WRITER_NICENESS);
      expect(nice[0]).toBe(0);
    }
    const head = w.close();
    expect(head).toEqual({ height: 1100, stateRoot: whole.root, headHash: whole.lastHash });
    expect(w.busyMs).toBeGreaterThan(0);
    const store = Store.open(path, { readonly: true });
    try {
      expect(store.database.prepare("SELECT count(*) FROM blocks").pluck().get()).toBe(1100);
      expect(store.database.prepare("SELECT max(height) FROM blocks").pluck().get()).toBe(1100);
    } finally {
      store.close();
    }
    // Each changed row is written once a day with its last value (ledger-writer.worker.ts): the same rows.
    expectStateRows(path, whole.state);
  });

  it("leaves the complete days before a failure, their state rows those of the last stored block", () => {
    const path = join(dir, "fails-on-day-2.sqlite");
    const w = new LedgerWriter(path, meta, g.changes);
    const next = appChain();
    const upTo799 = new TestChain(doc);
    for (let h = 1; h <= 850; h++) {
      const b = next(h);
      w.write(Math.floor(h / 400), b);
      if (h <= 799) upTo799.block(b.txs as Uint8Array[]);
    }
    expect(() => {
      w.write(2, {
        ...next(851),
        header: { chainId: CHAIN_ID, height: 900, time: GENESIS_TIME_MS + 900_000 },
      });
      w.close();
    }).toThrow(/BLOCK_BAD_HEIGHT/);
    const store = Store.open(path, { readonly: true });
    try {
      // Days 0 and 1 (blocks 1 to 799) committed; day 2 (from block 800) rolled back with the failure.
      expect(store.database.prepare("SELECT max(height) FROM blocks").pluck().get()).toBe(799);
      expect(store.head().stateRoot).toBe(upTo799.root);
    } finally {
      store.close();
    }
    expectStateRows(path, upTo799.state);
  });

  it("refuses a block that does not extend the chain as SIM_LEDGER_WRITE, at the next hand-over or close", () => {
    const w = new LedgerWriter(join(dir, "bad-link.sqlite"), meta, g.changes);
    let error: unknown;
    try {
      w.write(0, { ...block(1), header: { chainId: CHAIN_ID, height: 2, time: GENESIS_TIME_MS + 5000 } });
      w.close();
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "SIM_LEDGER_WRITE" });
    expect(String((error as Error).message)).toMatch(/BLOCK_BAD_HEIGHT/);
  });

  it("reports a store it cannot write as SIM_LEDGER_WRITE instead of losing the blocks silently", () => {
    const path = join(dir, "a-directory");
    mkdirSync(path);
    const w = new LedgerWriter(path, meta, []);
    let error: unknown;
    try {
      w.write(0, block(1));
      w.close();
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "SIM_LEDGER_WRITE" });
    expect(String((error as Error).message)).toMatch(/STORE_OPEN/);
  });
});
