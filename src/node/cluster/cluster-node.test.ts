import { afterAll, describe, expect, it } from "vitest";
import { accountIdOf } from "../../core/keys.js";
import { clusterSchemas, openApiDocument, schemas } from "../api/openapi.js";
import { routesOf } from "../api/server.js";
import { dbPathOf } from "../init.js";
import { transfer } from "../testing/fixtures.js";
import { checkSchema } from "../testing/json-schema.js";
import { verifyChain } from "../verify.js";
import type { ClusterNode } from "./cluster-node.js";
import { startClusterServer } from "./server.js";
import { startTestCluster, type TestCluster } from "./testing.js";

async function until(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("cluster node", () => {
  let c: TestCluster | undefined;
  afterAll(async () => {
    await c?.teardown();
  });

  it("applies the same blocks from the stream on every node; late and restarted nodes catch up", async () => {
    c = await startTestCluster({});
    const nodes: ClusterNode[] = [await c.startNode(0), await c.startNode(1)];
    const [a, b] = c.accounts;
    for (let n = 0; n < 5; n++) {
      const tx = transfer(a, b, n, 1);
      const node = nodes[n % 2];
      expect((await node.submit(tx.bytes)).status).toBe("pending");
      expect((await node.waitForTx(tx.hash, 10_000)).status).toBe("committed");
      // Submitting the same bytes again changes nothing: the answer is the committed status (at once from
      // the node that committed it; after it applied the block from another).
      expect((await node.submit(tx.bytes)).status).toBe("committed");
      const other = nodes[(n + 1) % 2];
      await other.submit(tx.bytes);
      expect((await other.waitForTx(tx.hash, 10_000)).status).toBe("committed");
    }
    const height = Math.max(...nodes.map((n) => n.status().height));
    // A node started after the fact replays the stream from its genesis.
    nodes.push(await c.startNode(2));
    await until("catch-up", () => nodes.every((n) => n.status().height === height));
    expect(new Set(nodes.map((n) => n.status().stateRoot)).size).toBe(1);
    await until("finality", () => nodes.every((n) => n.finalHeight === height));
    // A restarted node knows its blocks are final without a new block.
    await nodes[0].close();
    nodes[0] = await c.startNode(0);
    await until("finality after a restart", () => nodes[0].finalHeight === height);
    expect(nodes[2].pendingNonce(accountIdOf(a.publicKey)).nonce).toBe(5);
    for (const n of nodes) await n.close();
    for (const d of c.dataDirs) {
      expect(await verifyChain(dbPathOf(d), { threads: 0 })).toMatchObject({ ok: true, height });
    }
  }, 60_000);

  it("describes exactly the routes a cluster node serves (OpenAPI), GET /v1/cluster included", async () => {
    if (c === undefined) throw new Error("the first test starts the cluster");
    const node = await c.startNode(0);
    const server = await startClusterServer(node, { port: 0 }, { version: "test" });
    try {
      const served = (await (await fetch(`${server.url}/v1/openapi.json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      expect(served).toEqual(JSON.parse(JSON.stringify(openApiDocument("test", { cluster: true }))));
      const documented = new Set<string>();
      for (const [path, item] of Object.entries(served.paths))
        for (const method of Object.keys(item))
          if (["get", "post", "put", "patch", "delete"].includes(method))
            documented.add(`${method.toUpperCase()} ${path}`);
      const registered = new Set(
        routesOf(server.app).map((r) => `${r.method} ${r.url.replace(/:([A-Za-z]+)/g, "{$1}")}`),
      );
      expect([...registered].sort()).toEqual([...documented].sort());
      expect(registered.has("GET /v1/cluster")).toBe(true);
      // The embedded node's document does not describe the cluster route.
      expect(Object.keys(openApiDocument("test").paths as object)).not.toContain("/v1/cluster");
      const status = (await (await fetch(`${server.url}/v1/cluster`)).json()) as Record<string, unknown>;
      const all = { ...schemas, ...clusterSchemas };
      expect(checkSchema(status, all.ClusterStatus, all)).toBeUndefined();
      expect(status).toMatchObject({ node: c.operators[0], quorum: 2, applying: true });
      // The checker is strict enough to notice a wrong answer.
      expect(checkSchema({ ...status, proposer: "yes" }, all.ClusterStatus, all)).toBeDefined();
    } finally {
      await server.close();
      await node.close();
    }
  }, 30_000);
});
