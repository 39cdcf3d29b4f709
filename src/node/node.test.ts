import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { accountIdOf } from "../core/keys.js";
import { createSignedTx } from "../protocol/index.js";
import { Node } from "./node.js";
import {
  makeTestChain,
  TEST_BALANCE,
  TEST_GENESIS_TIME_MS,
  type TestChain,
  transfer,
} from "./testing/fixtures.js";

describe("Node", () => {
  let chain: TestChain | undefined;
  let node: Node | undefined;
  afterEach(async () => {
    await node?.close();
    node = undefined;
    chain?.remove();
    chain = undefined;
  });

  it("admits, orders by nonce, commits, and keeps its head across a restart", async () => {
    chain = makeTestChain(3);
    const [a, b] = chain.keys;
    node = new Node({ dbPath: chain.dbPath, autoProduce: false, threads: 1 });
    // Nonce 1 arrives before nonce 0: it waits instead of failing.
    const t1 = transfer(a, b, 1, 7);
    const t0 = transfer(a, b, 0, 5);
    expect(await node.submit(t1.bytes)).toEqual({ hash: t1.hash, status: "pending" });
    expect(node.produceBlock()).toBeUndefined();
    expect(await node.submit(t0.bytes)).toEqual({ hash: t0.hash, status: "pending" });
    expect(await node.submit(t0.bytes)).toEqual({ hash: t0.hash, status: "pending" });
    const block = node.produceBlock();
    expect(block?.header.height).toBe(1);
    expect(block?.txs.map((t) => t.hash)).toEqual([t0.hash, t1.hash]);
    expect(node.txStatus(t1.hash)).toEqual({ hash: t1.hash, status: "committed", height: 1, index: 1 });
    expect(node.pendingNonce(accountIdOf(a.publicKey))).toEqual({ nonce: 2, pendingNonce: 2 });
    const balance = node.query(`acct/${accountIdOf(b.publicKey)}`).value;
    expect(JSON.parse(new TextDecoder().decode(balance)).micros).toBe(TEST_BALANCE + 12);
    const status = node.status();
    await node.close();

    node = new Node({ dbPath: chain.dbPath, autoProduce: false, threads: 1 });
    expect(node.status()).toEqual(status);
    expect(node.txStatus(t0.hash)).toMatchObject({ status: "committed", height: 1, index: 0 });
    // A replay of a committed transaction is answered with its status, and a new one with the same nonce is refused.
    expect(await node.submit(t0.bytes)).toMatchObject({ status: "committed" });
    const again = transfer(a, b, 0, 99);
    expect(await node.submit(again.bytes)).toMatchObject({ status: "rejected", code: "TX_BAD_NONCE" });
  });

  it("rejects at the door what checkTx refuses, with the protocol's codes", async () => {
    chain = makeTestChain(2);
    const [a, b] = chain.keys;
    node = new Node({ dbPath: chain.dbPath, autoProduce: false, threads: 1 });
    const good = transfer(a, b, 0);
    const text = new TextDecoder().decode(good.bytes);
    // Flip one hex digit of the signature: still canonical, no longer valid.
    const sigAt = text.indexOf('"signature":"') + 13;
    const flipped = text.slice(0, sigAt) + (text[sigAt] === "0" ? "1" : "0") + text.slice(sigAt + 1);
    expect(await node.submit(new TextEncoder().encode(flipped))).toMatchObject({ code: "TX_BAD_SIGNATURE" });
    expect(await node.submit(new TextEncoder().encode("{not json"))).toMatchObject({ code: "TX_DECODE" });
    const other = createSignedTx(a, {
      chainId: "another-chain",
      type: "Transfer",
      nonce: 0,
      body: { to: accountIdOf(b.publicKey), amount: 1, asset: "micros" },
    });
    expect(await node.submit(other.bytes)).toMatchObject({ code: "TX_WRONG_CHAIN" });
    expect(node.pendingCount).toBe(0);
    expect(node.txStatus(other.hash)).toMatchObject({ status: "rejected", code: "TX_WRONG_CHAIN" });
  });

  it("reports a transaction refused inside a block as rejected at its height", async () => {
    chain = makeTestChain(2);
    const [a, b] = chain.keys;
    node = new Node({ dbPath: chain.dbPath, autoProduce: false, threads: 1 });
    const over = transfer(a, b, 0, TEST_BALANCE + 1);
    await node.submit(over.bytes);
    const waiting = node.waitForTx(over.hash, 10_000);
    node.produceBlock();
    expect(await waiting).toMatchObject({
      status: "rejected",
      code: "ACCOUNT_OVERDRAFT",
      height: 1,
      index: 0,
    });
  });

  it("takes protocol time from the clock, strictly increasing even when the clock stands still", async () => {
    chain = makeTestChain(2);
    const [a, b] = chain.keys;
    let clock = TEST_GENESIS_TIME_MS - 5000; // a clock behind the genesis
    node = new Node({ dbPath: chain.dbPath, autoProduce: false, threads: 1, clockMs: () => clock });
    const times: number[] = [];
    for (let n = 0; n < 3; n++) {
      await node.submit(transfer(a, b, n).bytes);
      times.push(node.produceBlock()?.header.time ?? -1);
    }
    expect(times).toEqual([TEST_GENESIS_TIME_MS + 1, TEST_GENESIS_TIME_MS + 2, TEST_GENESIS_TIME_MS + 3]);
    clock = TEST_GENESIS_TIME_MS + 60_000;
    await node.submit(transfer(a, b, 3).bytes);
    expect(node.produceBlock()?.header.time).toBe(clock);
  });

  it("produces blocks by itself and emits each committed block once, in order", async () => {
    chain = makeTestChain(4);
    node = new Node({ dbPath: chain.dbPath, blockIntervalMs: 5, threads: 2 });
    const heights: number[] = [];
    node.on("block", (b) => heights.push(b.header.height));
    const txs = chain.keys.flatMap((k, i) => [0, 1, 2].map((n) => transfer(k, chain!.keys[(i + 1) % 4], n)));
    const statuses = await Promise.all(txs.map((t) => node!.submit(t.bytes)));
    expect(statuses.every((s) => s.status === "pending" || s.status === "committed")).toBe(true);
    const final = await Promise.all(txs.map((t) => node!.waitForTx(t.hash, 20_000)));
    expect(final.every((s) => s.status === "committed")).toBe(true);
    expect(heights).toEqual(Array.from({ length: heights.length }, (_, i) => i + 1));
    expect(node.status().height).toBe(heights.length);
  });

  it("runs one node per database, and takes over the lock of a node that died", async () => {
    chain = makeTestChain(1);
    const { dbPath } = chain;
    node = new Node({ dbPath, autoProduce: false, threads: 1 });
    expect(() => new Node({ dbPath, autoProduce: false, threads: 1 })).toThrowError(
      expect.objectContaining({ code: "NODE_LOCKED" }),
    );
    await node.close();
    // A node admits through worker threads only: none is a coded error, before the lock is taken.
    for (const threads of [0, -1, 1.5]) {
      expect(() => new Node({ dbPath, autoProduce: false, threads })).toThrowError(
        expect.objectContaining({ code: "NODE_OPTIONS_INVALID" }),
      );
    }
    // A lock naming a process that has exited (as after SIGKILL) does not block the restart.
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    writeFileSync(`${dbPath}.lock`, `${dead}\n`);
    node = new Node({ dbPath, autoProduce: false, threads: 1 });
    expect(node.status().height).toBe(0);
  });
});
