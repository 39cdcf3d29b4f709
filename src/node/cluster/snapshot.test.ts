import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { toHex } from "../../core/hash.js";
import { accountIdOf, keyFromSeed } from "../../core/keys.js";
import { runCli } from "../../test-support/cli.js";
import { dbPathOf } from "../init.js";
import { blockHashOf, isTreeKey, stateTreeOf } from "../protocol-adapter.js";
import { Store } from "../store.js";
import { transfer } from "../testing/fixtures.js";
import type { ClusterNode } from "./cluster-node.js";
import {
  restoreSnapshot,
  type SnapshotBody,
  signSnapshotBody,
  snapshotBodyOf,
  writeSnapshot,
} from "./snapshot.js";
import { startTestCluster, type TestCluster } from "./testing.js";

async function until(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stateRowsOf(store: Store): string[] {
  return [...store.stateRows()].map((r) => `${r.key}=${r.value.toString("base64")}`);
}

describe("cluster snapshots", () => {
  let c: TestCluster | undefined;
  afterAll(async () => {
    await c?.teardown();
  });

  it("a new node starts from a signed, attested snapshot plus the stream after it; tampered ones are refused", async () => {
    c = await startTestCluster({});
    const cl = c;
    const nodes: ClusterNode[] = [await cl.startNode(0), await cl.startNode(1)];
    const [a, b] = cl.accounts;
    const commit = async (nonce: number) => {
      const tx = transfer(a, b, nonce, 1);
      await nodes[0].submit(tx.bytes);
      expect((await nodes[0].waitForTx(tx.hash, 10_000)).status).toBe("committed");
    };
    for (let n = 0; n < 3; n++) await commit(n);
    await until("finality", () => nodes.every((n) => n.finalHeight === nodes[0].status().height));
    const snapshot = writeSnapshot(nodes[0].store, cl.operatorKeys[0]);
    const body = snapshotBodyOf(snapshot);
    expect(body).toMatchObject({ height: nodes[0].status().height, stateRoot: nodes[0].status().stateRoot });
    // The same through the CLI, from the other node's folder while it runs (signed by its operator key).
    const file = join(cl.dir, "snap.json");
    const written = await runCli(["cluster", "snapshot", "--data", cl.dataDirs[1], "--out", file]);
    expect(written).toMatchObject({ code: 0, stderr: "" });
    expect(snapshotBodyOf(readFileSync(file))).toMatchObject({
      height: body.height,
      stateRoot: body.stateRoot,
      operator: cl.operators[1],
    });
    for (let n = 3; n < 5; n++) await commit(n);

    const fresh = dbPathOf(cl.dataDirs[2]);
    const restore = (bytes: Uint8Array) =>
      restoreSnapshot({
        dbPath: fresh,
        snapshot: bytes,
        servers: cl.servers,
        operators: cl.operators,
        quorum: 2,
        attestTimeoutMs: 5000,
      });
    // One application row changed: the first non-tree row gets another value.
    const at = body.rows.findIndex(([k]) => !isTreeKey(k));
    const tamperedRows = body.rows.map((r, i): [string, string] =>
      i === at ? [r[0], Buffer.from("tampered").toString("base64")] : r,
    );
    const tampered: SnapshotBody = { ...body, rows: tamperedRows };
    const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    const signature = (JSON.parse(new TextDecoder().decode(snapshot)) as { signature: string }).signature;
    // A forgery that is consistent in itself: the tree and root rebuilt over the changed rows, a new header.
    const app = tamperedRows
      .filter(([k]) => !isTreeKey(k))
      .map(([k, v]): [string, Uint8Array] => [k, new Uint8Array(Buffer.from(v, "base64"))]);
    const tree = stateTreeOf(app);
    const header = { ...body.header, stateRoot: tree.root };
    const forged: SnapshotBody = {
      ...body,
      stateRoot: tree.root,
      header,
      blockHash: blockHashOf(header),
      rows: [...app.map(([k, v]): [string, string] => [k, Buffer.from(v).toString("base64")])]
        .concat(tree.nodes.map(([k, v]) => [k, Buffer.from(v).toString("base64")]))
        .sort((x, y) => (x[0] < y[0] ? -1 : 1)),
    };
    const outsider = keyFromSeed(new Uint8Array(32).fill(7));
    const cases: [Uint8Array, string][] = [
      [enc({ body: tampered, signature }), "SNAPSHOT_BAD_SIGNATURE"],
      [signSnapshotBody(tampered, cl.operatorKeys[0]), "SNAPSHOT_ROOT_MISMATCH"],
      [signSnapshotBody({ ...body, operator: toHex(outsider.publicKey) }, outsider), "SNAPSHOT_UNTRUSTED"],
      [signSnapshotBody(forged, cl.operatorKeys[0]), "SNAPSHOT_NOT_ATTESTED"],
      [enc({ body: { ...body, rows: "none" }, signature }), "SNAPSHOT_INVALID"],
    ];
    for (const [bytes, code] of cases) await expect(restore(bytes)).rejects.toMatchObject({ code });
    // Nothing was written by the refused snapshots.
    const s = Store.open(fresh);
    expect(s.head().height).toBe(0);
    s.close();

    const restored = await runCli([
      "cluster",
      "restore",
      "--data",
      cl.dataDirs[2],
      "--snapshot",
      file,
      "--cluster",
      cl.servers.join(","),
      "--format",
      "json",
    ]);
    expect(restored.stderr).toBe("");
    expect(JSON.parse(restored.stdout)).toEqual({ height: body.height, stateRoot: body.stateRoot });
    // A folder that holds blocks is not a restore target.
    await expect(restore(snapshot)).rejects.toMatchObject({ code: "SNAPSHOT_TARGET_NOT_EMPTY" });
    const late = await cl.startNode(2);
    nodes.push(late);
    const tip = nodes[0].status();
    await until("catch-up after the snapshot", () => late.status().height === tip.height);
    expect(late.status()).toEqual(tip);
    expect(stateRowsOf(late.store)).toEqual(stateRowsOf(nodes[0].store));
    expect(late.pendingNonce(accountIdOf(a.publicKey)).nonce).toBe(5);
    // It did not replay the stream from the genesis: its first block is the snapshot's.
    expect(late.block(1)).toBeUndefined();
    expect(late.block(body.height)?.hash).toBe(body.blockHash);
    // The restored node attests like the others: the tip becomes final on it too.
    await until("finality on the restored node", () => late.finalHeight === tip.height);
  }, 60_000);
});
