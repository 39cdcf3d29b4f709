import { afterAll, describe, expect, it } from "vitest";
import { accountIdOf } from "../../core/keys.js";
import { dbPathOf } from "../init.js";
import { transfer } from "../testing/fixtures.js";
import { verifyChain } from "../verify.js";
import { startTestCluster, type TestCluster } from "./testing.js";

describe("cluster node", () => {
  let c: TestCluster | undefined;
  afterAll(async () => {
    await c?.teardown();
  });

  it("three nodes apply the same blocks from the stream", async () => {
    c = await startTestCluster({});
    const nodes = await Promise.all([0, 1, 2].map((i) => c!.startNode(i)));
    const [a, b] = c.accounts;
    const hashes: string[] = [];
    for (let n = 0; n < 5; n++) {
      const tx = transfer(a, b, n, 1);
      const s = await nodes[n % 3].submit(tx.bytes);
      expect(s.status).toBe("pending");
      const done = await nodes[n % 3].waitForTx(tx.hash, 10_000);
      expect(done.status).toBe("committed");
      hashes.push(tx.hash);
    }
    const h = Math.max(...nodes.map((n) => n.status().height));
    for (const n of nodes) {
      for (let i = 0; i < 100 && n.status().height < h; i++) await new Promise((r) => setTimeout(r, 50));
    }
    const roots = new Set(nodes.map((n) => n.status().stateRoot));
    expect(roots.size).toBe(1);
    await nodes[0].whenFinal(h);
    expect(nodes[0].pendingNonce(accountIdOf(a.publicKey)).nonce).toBe(5);
    for (const d of c.dataDirs) {
      expect(await verifyChain(dbPathOf(d), { threads: 0 })).toMatchObject({ ok: true });
    }
  }, 60_000);
});
