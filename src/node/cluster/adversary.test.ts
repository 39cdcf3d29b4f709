/**
 * What a faulty orderer or a faulty node can do to a cluster, on real NATS servers: tampered entries in the
 * stream are refused exactly as the embedded node refuses them, and a node whose state transition is wrong
 * is caught by the attestations of the others.
 */
import { afterAll, describe, expect, it } from "vitest";
import { encodeCanonical } from "../../core/canonical.js";
import { isPlurigridError } from "../../core/errors.js";
import { accountIdOf } from "../../core/keys.js";
import { dbPathOf } from "../init.js";
import { Node } from "../node.js";
import { Store } from "../store.js";
import { makeTestChain, transfer } from "../testing/fixtures.js";
import { verifyChain } from "../verify.js";
import type { ClusterNode } from "./cluster-node.js";
import { startTestCluster, type TestCluster } from "./testing.js";

const utf8 = new TextEncoder();

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function until(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe("cluster mode against faults", () => {
  const clusters: TestCluster[] = [];
  afterAll(async () => {
    for (const c of clusters) await c.teardown();
  });

  it("refuses tampered stream entries with the embedded node's codes, on every node", async () => {
    const c = await startTestCluster({ accounts: 4 });
    clusters.push(c);
    const nodes: ClusterNode[] = [];
    for (const i of [0, 1, 2]) nodes.push(await c.startNode(i));
    const [a, b, d] = c.accounts;

    const signed = transfer(a, b, 0, 5);
    const doc = JSON.parse(new TextDecoder().decode(signed.bytes));
    const variants: Record<string, Uint8Array> = {
      // The amount changed after signing: still canonical, the signature no longer verifies.
      amountAltered: encodeCanonical({
        ...doc,
        tx: { ...doc.tx, body: { ...doc.tx.body, amount: 5_000_000 } },
      }),
      // Re-encoded with spaces: another encoding of the same transaction.
      notCanonical: utf8.encode(JSON.stringify(doc, null, 1)),
      // Another sender written in, under the first sender's key.
      senderSwapped: encodeCanonical({ ...doc, tx: { ...doc.tx, from: accountIdOf(d.publicKey) } }),
      garbage: utf8.encode("not a transaction"),
    };
    const log = nodes[0].orderingLog;
    for (const bytes of Object.values(variants)) await log.publishRawTx(bytes);
    // A genuine transaction after them: the block that holds it covers the tampered entries too.
    const good = transfer(a, b, 0, 5);
    expect((await nodes[1].submit(good.bytes)).status).toBe("pending");
    await until("all nodes to commit the good transaction", () =>
      nodes.every((n) => n.txStatus(good.hash).status === "committed"),
    );

    // The embedded node, on the same genesis, is the reference for each refusal.
    const chain = makeTestChain(4);
    const embedded = new Node({ dbPath: chain.dbPath, autoProduce: false, threads: 1 });
    try {
      await embedded.ready();
      for (const [name, bytes] of Object.entries(variants)) {
        const reference = await embedded.submit(bytes);
        expect(reference.status, name).toBe("rejected");
        for (const n of nodes) {
          const s = n.txStatus(reference.hash);
          expect(s, name).toMatchObject({ status: "rejected" });
          expect(s.status === "rejected" && s.code, name).toBe(
            reference.status === "rejected" && reference.code,
          );
        }
      }
    } finally {
      await embedded.close();
      chain.remove();
    }
    const roots = new Set(nodes.map((n) => `${n.status().height}/${n.status().stateRoot}`));
    expect(roots.size).toBe(1);
    for (const dir of c.dataDirs) {
      const store = Store.open(dbPathOf(dir), { readonly: true });
      expect(store.database.prepare("SELECT count(*) FROM txs").pluck().get()).toBe(1);
      store.close();
      expect(await verifyChain(dbPathOf(dir), { threads: 0 })).toMatchObject({ ok: true });
    }
  }, 60_000);

  it("catches a node with a wrong state transition through the attestations", async () => {
    const c = await startTestCluster({ accounts: 4 });
    clusters.push(c);
    const honest = [await c.startNode(0), await c.startNode(1)];
    // Node 3 leaves the last transaction of every block out: a state transition the protocol never makes.
    const faulty = await c.startNode(2, { propose: false, faults: { dropLastTxFromHeight: 1 } });
    const [a, b] = c.accounts;
    for (let n = 0; n < 3; n++) {
      const tx = transfer(a, b, n, 7);
      await honest[0].submit(tx.bytes);
      expect((await honest[0].waitForTx(tx.hash, 15_000)).status).toBe("committed");
    }
    await until("the faulty node to stop applying", () =>
      isPlurigridError(faulty.halted, "CLUSTER_DIVERGED"),
    );
    const height = honest[0].status().height;
    await until("the honest nodes to finalize", () => honest.every((n) => n.finalHeight === height));

    const faultyStatus = faulty.clusterStatus();
    expect(faultyStatus.applying).toBe(false);
    const outvoted = faultyStatus.alarms.find((x) => x.kind === "outvoted");
    expect(outvoted).toBeDefined();
    // The alarm names the first height at which the stored chains differ.
    const first = firstDifferentHeight(dbPathOf(c.dataDirs[0]), dbPathOf(c.dataDirs[2]));
    expect(outvoted?.height).toBe(first);
    expect(first).toBe(1);
    for (const n of honest) {
      const s = n.clusterStatus();
      expect(s.applying).toBe(true);
      expect(s.alarms.some((x) => x.kind === "divergence" && x.operator === faulty.nodeId)).toBe(true);
    }
    // The honest nodes' chain replays; it is the faulty node whose roots disagree with it.
    expect(await verifyChain(dbPathOf(c.dataDirs[0]), { threads: 0 })).toMatchObject({ ok: true, height });
  }, 60_000);
});

function firstDifferentHeight(a: string, b: string): number | undefined {
  const sa = Store.open(a, { readonly: true });
  const sb = Store.open(b, { readonly: true });
  try {
    for (let h = 1; ; h++) {
      const x = sa.block(h);
      const y = sb.block(h);
      if (x === undefined || y === undefined) return undefined;
      if (x.hash !== y.hash) return h;
    }
  } finally {
    sa.close();
    sb.close();
  }
}
