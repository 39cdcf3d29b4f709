import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../test-support/cli.js";
import { type RunningServer, startServer } from "./api/server.js";
import { compareWithPeer } from "./compare.js";
import { dbPathOf, initDataDir } from "./init.js";
import { Node } from "./node.js";
import { nodeTestKey, testGenesisDoc, transfer } from "./testing/fixtures.js";

const keys = [nodeTestKey(0), nodeTestKey(1)];

async function commit(node: Node, nonce: number, amount: number): Promise<void> {
  const t = transfer(keys[0], keys[1], nonce, amount);
  await node.submit(t.bytes);
  expect((await node.waitForTx(t.hash, 10_000)).status).toBe("committed");
}

/**
 * Two chains that share their first blocks and then part: A runs on, B is a copy of A taken at its tip that
 * then commits a block of its own. Bisection must find the first height where they differ.
 */
describe("verify --peer: the first height at which two chains differ", () => {
  let dir: string;
  let a: Node;
  let served: RunningServer;
  let shared = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "plurigrid-compare-"));
    const genesisFile = join(dir, "genesis.json");
    writeFileSync(genesisFile, JSON.stringify(testGenesisDoc(keys)));
    initDataDir(join(dir, "a"), { genesisFile });
    a = new Node({ dbPath: dbPathOf(join(dir, "a")), blockIntervalMs: 5, threads: 1 });
    for (let n = 0; n < 5; n++) await commit(a, n, 1);
    shared = a.status().height;
    await a.close();
    cpSync(join(dir, "a"), join(dir, "same"), { recursive: true });
    cpSync(join(dir, "a"), join(dir, "b"), { recursive: true });
    const b = new Node({ dbPath: dbPathOf(join(dir, "b")), blockIntervalMs: 5, threads: 1 });
    await commit(b, 5, 2); // B's own block: a different amount than A's next one
    await b.close();
    a = new Node({ dbPath: dbPathOf(join(dir, "a")), blockIntervalMs: 5, threads: 1 });
    for (let n = 5; n < 9; n++) await commit(a, n, 1);
    served = await startServer(a, { port: 0 });
  });
  afterAll(async () => {
    await served?.close();
    await a?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("agrees with a peer that is ahead on the same chain", async () => {
    const c = await compareWithPeer(dbPathOf(join(dir, "same")), served.url);
    expect(shared).toBeGreaterThanOrEqual(2);
    expect(c).toMatchObject({ agreeUpTo: shared, localHeight: shared, divergentHeight: null });
    expect(c.peerHeight).toBeGreaterThan(shared);
    const r = await runCli(["verify", "--data", join(dir, "same"), "--threads", "0", "--peer", served.url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`agrees with ${served.url} up to height ${shared}`);
  });

  it("names the first divergent height, with exit 1 and VERIFY_PEER_DIVERGED", async () => {
    const c = await compareWithPeer(dbPathOf(join(dir, "b")), served.url);
    expect(c).toMatchObject({ agreeUpTo: shared, divergentHeight: shared + 1 });
    expect(c.localHash).not.toBe(c.peerHash);
    const r = await runCli(["verify", "--data", join(dir, "b"), "--threads", "0", "--peer", served.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error VERIFY_PEER_DIVERGED: .* from height ${shared + 1}:`));
  });

  it("refuses a peer it cannot reach, with a code", async () => {
    const r = await runCli([
      "verify",
      "--data",
      join(dir, "same"),
      "--threads",
      "0",
      "--peer",
      "http://127.0.0.1:1",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error PEER_UNREACHABLE: /);
  });
});
