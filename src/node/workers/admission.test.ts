import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkTx } from "../../protocol/index.js";
import type { CheckResult } from "../../protocol/seam.js";
import { CommittedState } from "../state-view.js";
import { Store } from "../store.js";
import { makeTestChain, type TestChain, transfer } from "../testing/fixtures.js";
import { AdmissionQueue } from "./admission.js";
import { senderLane, WorkerPool } from "./pool.js";

interface Item {
  bytes: Uint8Array;
  n: number;
}

/** Feeds `items` to a queue over `pool` and collects every answer with the lanes that checked it. */
function run(pool: WorkerPool, items: Item[], batchMax?: number) {
  const answers = new Map<number, CheckResult | string>();
  const lanes: number[] = [];
  const runOn = pool.runOn.bind(pool);
  pool.runOn = ((lane, task) => {
    lanes.push(lane);
    return runOn(lane, task);
  }) as typeof pool.runOn;
  const done = new Promise<void>((resolve) => {
    const settle = () => {
      if (answers.size === items.length) resolve();
    };
    const queue = new AdmissionQueue<Item>(
      pool,
      {
        checked: (batch, checks) => {
          for (let i = 0; i < batch.length; i++) answers.set(batch[i].n, checks[i]);
          settle();
        },
        failed: (batch, e) => {
          for (const it of batch) answers.set(it.n, (e as { code?: string }).code ?? e.message);
          settle();
        },
      },
      batchMax,
    );
    for (const it of items) queue.add(it);
  });
  return { done, answers, lanes, restore: () => (pool.runOn = runOn) };
}

describe("AdmissionQueue", () => {
  let chain: TestChain;
  let pool: WorkerPool;
  let expected: (bytes: Uint8Array) => CheckResult;
  let store: Store;
  beforeAll(async () => {
    chain = makeTestChain(6);
    pool = new WorkerPool({ threads: 2, dbPath: chain.dbPath });
    await pool.ready();
    store = Store.open(chain.dbPath, { readonly: true });
    const state = new CommittedState(store);
    expected = (bytes) => checkTx(state, bytes);
  });
  afterAll(async () => {
    await pool.close();
    store.close();
    chain.remove();
  });

  it("answers every transaction with its own check, and shares messages among many", async () => {
    const items: Item[] = [];
    for (let nonce = 0; nonce < 100; nonce++) {
      for (let i = 0; i < chain.keys.length; i++) {
        const bytes = transfer(chain.keys[i], chain.keys[(i + 1) % 6], nonce).bytes;
        if (nonce % 37 === 5) bytes[bytes.length - 30] ^= 1; // some fail their checks
        items.push({ bytes, n: items.length });
      }
    }
    const r = run(pool, items, 128);
    await r.done;
    r.restore();
    for (const it of items) expect(r.answers.get(it.n)).toEqual(expected(it.bytes));
    // 600 transactions in at most 128 per message: a handful of messages, never one per transaction.
    expect(r.lanes.length).toBeGreaterThanOrEqual(Math.ceil(items.length / 128));
    expect(r.lanes.length).toBeLessThan(items.length / 20);
  });

  it("lets a free worker take half of another worker's long queue", async () => {
    // One sender: every transaction has the same lane.
    const items: Item[] = Array.from({ length: 400 }, (_, n) => ({
      bytes: transfer(chain.keys[0], chain.keys[1], n).bytes,
      n,
    }));
    const own = senderLane(items[0].bytes, 2);
    const r = run(pool, items, 64);
    await r.done;
    r.restore();
    expect(new Set(r.lanes)).toEqual(new Set([own, 1 - own]));
    for (const it of items) expect(r.answers.get(it.n)).toEqual(expected(it.bytes));
  });

  it("fails, never drops, what is queued when the pool closes", async () => {
    const other = new WorkerPool({ threads: 2, dbPath: chain.dbPath });
    await other.ready();
    const items: Item[] = Array.from({ length: 300 }, (_, n) => ({
      bytes: transfer(chain.keys[n % 6], chain.keys[(n + 1) % 6], Math.floor(n / 6)).bytes,
      n,
    }));
    const r = run(other, items, 16);
    await other.close();
    await r.done;
    expect(r.answers.size).toBe(items.length);
    expect([...r.answers.values()].some((a) => a === "NODE_CLOSED")).toBe(true);
  });
});
