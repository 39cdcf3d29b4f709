import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BlockHeader, TxResult } from "../protocol/seam.js";
import { CommittedState, MemoryState, Overlay } from "./state-view.js";
import { type ChainMeta, STORE_FORMAT, Store, ZERO_HASH } from "./store.js";

const bytes = (s: string) => new TextEncoder().encode(s);
const meta: ChainMeta = {
  chainId: "test-1",
  genesisJson: "{}",
  genesisStateRoot: "a".repeat(64),
  genesisTimeMs: 1000,
};

function header(height: number, prevHash: string): BlockHeader {
  return {
    chainId: "test-1",
    height,
    prevHash,
    time: 1000 + height,
    txRoot: "b".repeat(64),
    stateRoot: `${height}`.padStart(64, "0"),
  };
}

describe("Store", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "plurigrid-store-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("uses WAL with synchronous=FULL", () => {
    const store = Store.open(join(dir, "chain.sqlite"));
    expect(store.database.pragma("journal_mode", { simple: true })).toBe("wal");
    // 2 = FULL (SQLite PRAGMA synchronous)
    expect(store.database.pragma("synchronous", { simple: true })).toBe(2);
    store.close();
  });

  it("initializes once, then reports the genesis as height 0", () => {
    const path = join(dir, "chain.sqlite");
    const store = Store.open(path);
    expect(store.isInitialized()).toBe(false);
    expect(() => store.meta()).toThrow(/plurigrid init/);
    store.initialize(meta, [
      ["k1", bytes("v1")],
      ["k2", bytes("v2")],
    ]);
    expect(store.isInitialized()).toBe(true);
    expect(() => store.initialize(meta, [])).toThrowError(expect.objectContaining({ code: "STORE_EXISTS" }));
    expect(store.head()).toEqual({
      height: 0,
      hash: ZERO_HASH,
      stateRoot: meta.genesisStateRoot,
      timeMs: 1000,
    });
    expect(new TextDecoder().decode(store.getState("k2"))).toBe("v2");
    expect(store.getState("missing")).toBeUndefined();
    store.close();
    const again = Store.open(path, { readonly: true });
    expect(again.meta()).toEqual(meta);
    again.close();
  });

  it("commits a block with its txs and state changes atomically", () => {
    const store = Store.open(join(dir, "chain.sqlite"));
    store.initialize(meta, [["k1", bytes("v1")]]);
    const results: TxResult[] = [
      { txHash: "t0", ok: true, events: [{ type: "transfer", attributes: { amount: 5 } }] },
      { txHash: "t1", ok: false, code: "ACCOUNT_OVERDRAFT", message: "no" },
    ];
    const h1 = header(1, ZERO_HASH);
    store.commitBlock({
      header: h1,
      hash: "c".repeat(64),
      txs: [bytes("tx0"), bytes("tx1")],
      txHashes: ["t0", "t1"],
      results,
      changes: [
        ["k1", null],
        ["k3", bytes("v3")],
      ],
    });
    expect(store.head()).toEqual({
      height: 1,
      hash: "c".repeat(64),
      stateRoot: h1.stateRoot,
      timeMs: h1.time,
    });
    expect(store.getState("k1")).toBeUndefined();
    expect(store.block(1)?.header).toEqual(h1);
    const txs = store.txsOf(1);
    expect(txs.map((t) => [t.index, t.hash, new TextDecoder().decode(t.bytes)])).toEqual([
      [0, "t0", "tx0"],
      [1, "t1", "tx1"],
    ]);
    expect(txs[1].result).toEqual({ ok: false, code: "ACCOUNT_OVERDRAFT", message: "no" });
    expect(store.tx("t0")?.result).toEqual({ ok: true, events: results[0].ok ? results[0].events : [] });

    // A failing block (duplicate height) leaves nothing behind: not its txs, not its state changes.
    expect(() =>
      store.commitBlock({
        header: header(1, ZERO_HASH),
        hash: "d".repeat(64),
        txs: [bytes("tx9")],
        txHashes: ["t9"],
        results: [{ txHash: "t9", ok: true, events: [] }],
        changes: [["k9", bytes("v9")]],
      }),
    ).toThrow();
    expect(store.tx("t9")).toBeUndefined();
    expect(store.getState("k9")).toBeUndefined();
    expect(store.head().height).toBe(1);
    store.close();
  });

  it("refuses a file of another format", () => {
    const path = join(dir, "chain.sqlite");
    const store = Store.open(path);
    store.database.prepare("INSERT INTO meta (key, value) VALUES ('format', 'other-9')").run();
    expect(() => store.isInitialized()).toThrowError(expect.objectContaining({ code: "STORE_FORMAT" }));
    store.close();
    expect(STORE_FORMAT).not.toBe("other-9");
  });
});

describe("state views", () => {
  it("CommittedState caches reads and follows committed changes", () => {
    const dir = mkdtempSync(join(tmpdir(), "plurigrid-view-"));
    try {
      const store = Store.open(join(dir, "chain.sqlite"));
      store.initialize(meta, [["a", bytes("1")]]);
      const view = new CommittedState(store, 4);
      expect(view.get("a")).toEqual(bytes("1"));
      expect(view.get("b")).toBeUndefined();
      // The cache answers without the database once it has seen a key...
      store.database.prepare("UPDATE state SET value = ? WHERE key = 'a'").run(Buffer.from("x"));
      expect(view.get("a")).toEqual(bytes("1"));
      // ...and committed changes update it.
      view.applyCommitted([
        ["a", bytes("2")],
        ["b", bytes("3")],
      ]);
      expect(view.get("a")).toEqual(bytes("2"));
      expect(view.get("b")).toEqual(bytes("3"));
      // Bounded: more keys than the bound evict older entries, which are read again from the store.
      for (let i = 0; i < 10; i++) view.get(`z${i}`);
      expect(view.get("a")).toEqual(bytes("x"));
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("Overlay reads the newest write, including deletions", () => {
    const base = new MemoryState();
    base.apply([
      ["a", bytes("1")],
      ["b", bytes("2")],
    ]);
    const o = new Overlay(base);
    o.apply([
      ["a", null],
      ["c", bytes("3")],
    ]);
    expect(o.get("a")).toBeUndefined();
    expect(o.get("b")).toEqual(bytes("2"));
    expect(o.get("c")).toEqual(bytes("3"));
    expect(base.get("c")).toBeUndefined();
  });
});
