import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Node } from "./node.js";
import { applyBlockTxs, blockHashOf, txHashOf, txRootOf } from "./protocol-adapter.js";
import { CommittedState } from "./state-view.js";
import { Store } from "./store.js";
import { makeTestChain, TEST_BALANCE, type TestChain, transfer } from "./testing/fixtures.js";
import { verifyChain } from "./verify.js";
import { WorkerPool } from "./workers/pool.js";

/** mulberry32: a tiny seeded PRNG, so every tampering case reproduces from the seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BLOCKS = 6;

describe("verify", () => {
  let chain: TestChain;
  let work: string;

  beforeAll(async () => {
    chain = makeTestChain(4);
    const node = new Node({ dbPath: chain.dbPath, autoProduce: false, threads: 1 });
    const [a, b, c, d] = chain.keys;
    for (let h = 0; h < BLOCKS; h++) {
      await node.submit(transfer(a, b, h, 10 + h).bytes);
      await node.submit(transfer(c, d, h, 1).bytes);
      // An overdraft every other block: rejected inside the block, stored with its code, and (changing
      // nothing) it leaves d's nonce at 0 for the next one.
      if (h % 2 === 0) await node.submit(transfer(d, a, 0, TEST_BALANCE * 10 + h).bytes);
      node.produceBlock();
    }
    await node.close();
    work = mkdtempSync(join(tmpdir(), "plurigrid-tamper-"));
  });
  afterAll(() => {
    chain.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it("passes on an honest chain, with and without worker threads, and names the tip", async () => {
    const store = Store.open(chain.dbPath, { readonly: true });
    const head = store.head();
    store.close();
    for (const threads of [0, 2]) {
      const outcome = await verifyChain(chain.dbPath, { threads });
      expect(outcome).toMatchObject({
        ok: true,
        height: BLOCKS,
        stateRoot: head.stateRoot,
        blockHash: head.hash,
      });
      expect(outcome.txCount).toBe(BLOCKS * 2 + BLOCKS / 2);
    }
    // A pool given by the caller gives the same outcome and stays open for the caller.
    const pool = new WorkerPool({ threads: 2 });
    try {
      await pool.ready();
      const own = await verifyChain(chain.dbPath, { threads: 2 });
      expect(await verifyChain(chain.dbPath, { pool })).toEqual(own);
      expect(await pool.run({ kind: "verifyTxs", txs: [] })).toHaveLength(0);
    } finally {
      await pool.close();
    }
  });

  let copies = 0;
  function tamper(edit: (db: Database.Database) => void): string {
    const path = join(work, `copy-${copies++}.sqlite`);
    copyFileSync(chain.dbPath, path);
    const db = new Database(path);
    edit(db);
    db.close();
    return path;
  }

  /** Replaces the character at `at` with another printable ASCII character. */
  function changeChar(text: string, at: number, rnd: () => number): string {
    const old = text.charCodeAt(at);
    let c = old;
    while (c === old) c = 33 + Math.floor(rnd() * 94);
    return text.slice(0, at) + String.fromCharCode(c) + text.slice(at + 1);
  }

  it("finds one changed byte of any block row at that block's height", async () => {
    const rnd = prng(20_250_101);
    for (let round = 0; round < 12; round++) {
      const h = 1 + Math.floor(rnd() * BLOCKS);
      const column = (["header", "hash", "txCount"] as const)[round % 3];
      const path = tamper((db) => {
        const row = db.prepare("SELECT hash, header, txCount FROM blocks WHERE height = ?").get(h) as Record<
          string,
          string | number
        >;
        if (column === "txCount") {
          db.prepare("UPDATE blocks SET txCount = ? WHERE height = ?").run(
            (row.txCount as number) ^ (1 << Math.floor(rnd() * 4)),
            h,
          );
        } else {
          const text = row[column] as string;
          db.prepare(`UPDATE blocks SET ${column} = ? WHERE height = ?`).run(
            changeChar(text, Math.floor(rnd() * text.length), rnd),
            h,
          );
        }
      });
      const outcome = await verifyChain(path, { threads: 0 });
      expect({ column, outcome: outcome.ok ? "ok" : outcome.height }).toEqual({ column, outcome: h });
    }
  });

  it("finds one changed byte of any transaction row at its block's height", async () => {
    const rnd = prng(7);
    for (let round = 0; round < 16; round++) {
      const rows = (() => {
        const db = new Database(chain.dbPath, { readonly: true });
        const all = db.prepare("SELECT height, idx FROM txs").all() as { height: number; idx: number }[];
        db.close();
        return all;
      })();
      const { height, idx } = rows[Math.floor(rnd() * rows.length)];
      const column = (["bytes", "hash", "result", "idx"] as const)[round % 4];
      const path = tamper((db) => {
        const where = "WHERE height = ? AND idx = ?";
        const row = db.prepare(`SELECT bytes, hash, result FROM txs ${where}`).get(height, idx) as {
          bytes: Buffer;
          hash: string;
          result: string;
        };
        if (column === "bytes") {
          const bytes = Buffer.from(row.bytes);
          bytes[Math.floor(rnd() * bytes.length)] ^= 1 << Math.floor(rnd() * 8);
          db.prepare(`UPDATE txs SET bytes = ? ${where}`).run(bytes, height, idx);
        } else if (column === "idx") {
          db.prepare(`UPDATE txs SET idx = idx + 100 ${where}`).run(height, idx);
        } else {
          const text = row[column];
          db.prepare(`UPDATE txs SET ${column} = ? ${where}`).run(
            changeChar(text, Math.floor(rnd() * text.length), rnd),
            height,
            idx,
          );
        }
      });
      const outcome = await verifyChain(path, { threads: round % 2 === 0 ? 0 : 1 });
      expect({ column, at: outcome.ok ? "ok" : outcome.height }).toEqual({ column, at: height });
    }
  });

  it("finds one changed byte of any state row at the state comparison, naming the key", async () => {
    const rnd = prng(99);
    const keys = (() => {
      const db = new Database(chain.dbPath, { readonly: true });
      const all = db.prepare("SELECT key FROM state ORDER BY key").pluck().all() as string[];
      db.close();
      return all;
    })();
    for (let round = 0; round < 12; round++) {
      const key = keys[Math.floor(rnd() * keys.length)];
      const path = tamper((db) => {
        const value = Buffer.from(
          db.prepare("SELECT value FROM state WHERE key = ?").pluck().get(key) as Buffer,
        );
        value[Math.floor(rnd() * value.length)] ^= 1 << Math.floor(rnd() * 8);
        db.prepare("UPDATE state SET value = ? WHERE key = ?").run(value, key);
      });
      const outcome = await verifyChain(path, { threads: 0 });
      expect(outcome).toMatchObject({ ok: false, height: null, key });
    }
    // A renamed key: both the stored stray key and the replayed missing one differ; the first in order is named.
    const key = keys[Math.floor(rnd() * keys.length)];
    const renamed = changeChar(key, key.length - 1, rnd);
    const path = tamper((db) => db.prepare("UPDATE state SET key = ? WHERE key = ?").run(renamed, key));
    const outcome = await verifyChain(path, { threads: 0 });
    expect(outcome).toMatchObject({ ok: false, height: null, key: [renamed, key].sort()[0] });
  });

  it("finds a changed genesis at height 0", async () => {
    const path = tamper((db) => {
      const text = db.prepare("SELECT value FROM meta WHERE key = 'genesis'").pluck().get() as string;
      db.prepare("UPDATE meta SET value = ? WHERE key = 'genesis'").run(
        text.replace(String(TEST_BALANCE), String(TEST_BALANCE + 1)),
      );
    });
    expect(await verifyChain(path, { threads: 0 })).toMatchObject({ ok: false, height: 0 });
  });

  it("refuses a block whose producer skipped a signature, even with every hash consistent", async () => {
    const path = join(work, "forged.sqlite");
    copyFileSync(chain.dbPath, path);
    const store = Store.open(path);
    const head = store.head();
    const [a, b] = chain.keys;
    const good = transfer(a, b, BLOCKS, 1);
    const text = new TextDecoder().decode(good.bytes);
    const at = text.indexOf('"signature":"') + 13;
    const forged = new TextEncoder().encode(
      text.slice(0, at) + (text[at] === "a" ? "b" : "a") + text.slice(at + 1),
    );
    const partial = {
      chainId: chain.chainId,
      height: head.height + 1,
      prevHash: head.hash,
      time: head.timeMs + 1,
    };
    // A dishonest producer claims the signature verified.
    const result = applyBlockTxs(new CommittedState(store), partial, [forged], [true]);
    expect(result.results[0].ok).toBe(true);
    const header = { ...partial, txRoot: txRootOf([forged]), stateRoot: result.stateRoot };
    store.commitBlock({
      header,
      hash: blockHashOf(header),
      txs: [forged],
      txHashes: [txHashOf(forged)],
      results: result.results,
      changes: result.changes,
    });
    store.close();
    for (const threads of [0, 2]) {
      const outcome = await verifyChain(path, { threads });
      expect(outcome).toMatchObject({ ok: false, height: BLOCKS + 1 });
      expect(outcome.ok ? "" : outcome.what).toMatch(/TX_BAD_SIGNATURE/);
    }
  });
});
