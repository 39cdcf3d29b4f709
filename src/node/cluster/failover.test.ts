/**
 * Cluster mode under failures, with real processes: three NATS servers and three `plurigrid node --cluster`
 * processes on loopback. Clients submit while one NATS server is killed, then the proposing node is killed
 * with SIGKILL, then both are restarted.
 */
import { afterAll, describe, expect, it } from "vitest";
import { accountIdOf, type KeyPair } from "../../core/keys.js";
import type { RunningServer } from "../api/server.js";
import { NodeClient } from "../client.js";
import { dbPathOf } from "../init.js";
import { Store } from "../store.js";
import { type ChildNode, startChildNode } from "../testing/child-node.js";
import { transfer } from "../testing/fixtures.js";
import { verifyChain } from "../verify.js";
import { startClusterServer } from "./server.js";
import { startTestCluster, type TestCluster } from "./testing.js";

const CLIENTS = 6;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

interface Shared {
  urls: string[];
  done: boolean;
  acked: string[];
  rejected: string[];
}

/**
 * Sends transfers from one account, one at a time; a transaction is resubmitted (same bytes) to the next
 * node until some node reports it committed, and only then is the next nonce used.
 */
async function client(from: KeyPair, to: KeyPair, chainId: string, first: number, shared: Shared) {
  let nonce = 0;
  let at = first;
  while (!shared.done) {
    const tx = transfer(from, to, nonce, 1 + nonce, chainId);
    for (;;) {
      const api = new NodeClient(shared.urls[at % shared.urls.length], { requestTimeoutMs: 3000 });
      try {
        const s = await api.submitAndWait(tx.bytes, tx.hash, 4000);
        if (s.status === "committed") {
          shared.acked.push(tx.hash);
          nonce++;
          break;
        }
        shared.rejected.push(`${tx.hash} ${s.status === "rejected" ? s.code : s.status}`);
        return;
      } catch {
        // node down, NATS electing, or too slow: try the same bytes on the next node
        at++;
        await sleep(100);
      }
    }
  }
}

async function clusterOf(url: string): Promise<{ proposer: boolean; finalHeight: number; height: number }> {
  const r = await fetch(`${url}/v1/cluster`);
  return (await r.json()) as { proposer: boolean; finalHeight: number; height: number };
}

describe("cluster mode under failures", () => {
  let c: TestCluster | undefined;
  const children: (ChildNode | undefined)[] = [];
  const servers: RunningServer[] = [];
  afterAll(async () => {
    for (const child of children) {
      if (child !== undefined && child.process.exitCode === null && child.process.signalCode === null) {
        child.process.kill("SIGKILL");
        await child.exited;
      }
    }
    for (const s of servers) await s.close();
    await c?.teardown();
  });

  it("keeps every acknowledged transaction exactly once through a NATS server kill and a SIGKILLed proposer", async () => {
    c = await startTestCluster({ accounts: CLIENTS + 1 });
    const cluster = c;
    // Node 1 runs as a process (it is the one killed with SIGKILL) and starts first so that it takes the
    // proposer lease; nodes 2 and 3 run in this process behind the same HTTP API.
    const start = () =>
      startChildNode(cluster.dataDirs[0], ["--cluster", cluster.nats.urls, "--threads", "1"], 90_000);
    children[0] = await start();
    for (let i = 0; i < 100 && !(await clusterOf(children[0].url)).proposer; i++) await sleep(100);
    expect((await clusterOf(children[0].url)).proposer).toBe(true);
    const urls = [children[0].url];
    for (const i of [1, 2]) {
      const node = await cluster.startNode(i);
      const server = await startClusterServer(node, { port: 0 }, { rateLimit: false });
      servers.push(server);
      urls.push(server.url);
    }
    const shared: Shared = { urls, done: false, acked: [], rejected: [] };
    const chainId = "plurigrid-node-test";
    const clients = Array.from({ length: CLIENTS }, (_, i) =>
      client(cluster.accounts[i], cluster.accounts[CLIENTS], chainId, i, shared),
    );

    await sleep(1500);
    await cluster.nats.stop(0); // one NATS server of three: JetStream keeps a majority of the replicas
    await sleep(2500);
    const ackedBeforeNodeKill = shared.acked.length;
    children[0].process.kill("SIGKILL");
    expect(await children[0].exited).toBe("SIGKILL");
    await sleep(2500);
    cluster.nats.restart(0);
    children[0] = await start();
    shared.urls[0] = children[0].url;
    await sleep(2500);
    shared.done = true;
    await Promise.all(clients);

    expect(shared.rejected).toEqual([]);
    expect(ackedBeforeNodeKill).toBeGreaterThan(CLIENTS);
    expect(shared.acked.length).toBeGreaterThan(ackedBeforeNodeKill);

    // All three reach the same height and root, and the last block is final (quorum of attestations).
    let statuses: { height: number; stateRoot: string }[] = [];
    for (let i = 0; i < 200; i++) {
      statuses = await Promise.all(shared.urls.map((u) => new NodeClient(u).status()));
      const finals = await Promise.all(shared.urls.map((u) => clusterOf(u)));
      const same = new Set(statuses.map((s) => `${s.height}/${s.stateRoot}`)).size === 1;
      if (same && finals.every((f) => f.finalHeight === statuses[0].height)) break;
      await sleep(100);
    }
    if (new Set(statuses.map((s) => s.stateRoot)).size !== 1) {
      console.log(
        JSON.stringify(statuses),
        JSON.stringify(await Promise.all(shared.urls.map((u) => clusterOf(u)))),
      );
      console.log(children[0]?.stderr());
    }
    expect(new Set(statuses.map((s) => s.stateRoot)).size).toBe(1);
    expect(new Set(statuses.map((s) => s.height)).size).toBe(1);
    const height = statuses[0].height;
    const finals = await Promise.all(shared.urls.map((u) => clusterOf(u)));
    expect(finals.map((f) => f.finalHeight)).toEqual([height, height, height]);

    for (const dir of cluster.dataDirs) {
      const store = Store.open(dbPathOf(dir), { readonly: true });
      try {
        const count = store.database.prepare("SELECT count(*) FROM txs WHERE hash = ?").pluck();
        // Exactly once: every acknowledged transaction is in the chain once, committed.
        const wrong = shared.acked.filter((h) => count.get(h) !== 1 || store.tx(h)?.result.ok !== true);
        expect(wrong).toEqual([]);
        const repeated = store.database
          .prepare("SELECT hash FROM txs GROUP BY hash HAVING count(*) > 1")
          .pluck()
          .all();
        expect(repeated).toEqual([]);
        // The proposer changed (the killed node held the lease): blocks of more than one term.
        const terms = store.database.prepare("SELECT DISTINCT term FROM cluster_blocks").pluck().all();
        expect(terms.length).toBeGreaterThan(1);
      } finally {
        store.close();
      }
      expect(await verifyChain(dbPathOf(dir), { threads: 1 })).toMatchObject({
        ok: true,
        height,
        stateRoot: statuses[0].stateRoot,
      });
    }
    // Balances: the receiving account got 1 + 2 + ... per client's committed count, checked on the chain.
    const api = new NodeClient(shared.urls[0]);
    const nonces = await Promise.all(
      cluster.accounts.slice(0, CLIENTS).map((k) => api.nonce(accountIdOf(k.publicKey))),
    );
    expect(nonces.reduce((s, n) => s + n.nonce, 0)).toBe(shared.acked.length);
  }, 110_000);
});
