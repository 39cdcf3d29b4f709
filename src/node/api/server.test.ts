import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { accountIdOf } from "../../core/keys.js";
import { verifyStateProof } from "../../protocol/index.js";
import { Node } from "../node.js";
import { makeTestChain, type TestChain, transfer } from "../testing/fixtures.js";
import { checkSchema } from "../testing/json-schema.js";
import { openApiDocument, schemas } from "./openapi.js";
import { type RunningServer, routesOf, startServer } from "./server.js";

const OPENAPI_METHODS = ["get", "post", "put", "patch", "delete"];

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(url);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe("node HTTP API", () => {
  let chain: TestChain;
  let node: Node;
  let server: RunningServer;

  beforeAll(async () => {
    chain = makeTestChain(3);
    node = new Node({ dbPath: chain.dbPath, blockIntervalMs: 10, threads: 1 });
    server = await startServer(node, { port: 0 }, { version: "test" });
  });
  afterAll(async () => {
    await server.close();
    await node.close();
    chain.remove();
  });

  const post = (body: Uint8Array | string, type = "application/json") =>
    fetch(`${server.url}/v1/txs`, { method: "POST", headers: { "content-type": type }, body });

  it("takes a transaction from submission to commit, and serves the block, the status and proofs", async () => {
    const [a, b] = chain.keys;
    const nonce = await getJson(`${server.url}/v1/accounts/${accountIdOf(a.publicKey)}/nonce`);
    expect(nonce.body).toEqual({ account: accountIdOf(a.publicKey), nonce: 0, pendingNonce: 0 });
    const tx = transfer(a, b, 0, 42);
    const submitted = await post(tx.bytes);
    expect([200, 202]).toContain(submitted.status);
    const done = await getJson(`${server.url}/v1/txs/${tx.hash}?waitMs=10000`);
    expect(done.body).toMatchObject({ hash: tx.hash, status: "committed" });
    const height = done.body.height as number;

    const status = await getJson(`${server.url}/v1/status`);
    expect(checkSchema(status.body, schemas.Status, schemas)).toBeUndefined();
    expect(status.body.chainId).toBe(chain.chainId);
    const block = await getJson(`${server.url}/v1/blocks/${height}`);
    expect(block.status).toBe(200);
    expect(checkSchema(block.body, schemas.Block, schemas)).toBeUndefined();
    expect((block.body.txs as { hash: string }[]).map((t) => t.hash)).toContain(tx.hash);

    const entry = await getJson(`${server.url}/v1/state/accounts/${accountIdOf(b.publicKey)}`);
    expect(checkSchema(entry.body, schemas.StateEntry, schemas)).toBeUndefined();
    const value = new TextEncoder().encode(JSON.stringify(entry.body.value));
    // The proof checks against the root the answer names (the value is canonical JSON, so re-encoding is exact).
    expect(
      verifyStateProof(
        entry.body.stateRoot as string,
        entry.body.key as string,
        value,
        entry.body.proof as never,
      ),
    ).toBe(true);
    // Absent entries come with a proof of absence at their key: a DER, and a reading day no meter uploaded.
    for (const [path, key] of [
      ["ders/no-such-der", "reg/der/no-such-der"],
      ["reading-days/pv-1/19875", "oracle/pv-1/day/19875"],
    ]) {
      const absent = await getJson(`${server.url}/v1/state/${path}`);
      expect(absent.body).toMatchObject({ key, value: null });
      expect(
        verifyStateProof(absent.body.stateRoot as string, key, undefined, absent.body.proof as never),
      ).toBe(true);
    }
    expect((await fetch(`${server.url}/v1/state/reading-days/pv-1/x`)).status).toBe(400);
  });

  it("describes exactly the routes it serves (OpenAPI)", async () => {
    const served = await getJson(`${server.url}/v1/openapi.json`);
    expect(served.body).toEqual(JSON.parse(JSON.stringify(openApiDocument("test"))));
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(served.body.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(item))
        if (OPENAPI_METHODS.includes(method)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const registered = new Set(
      routesOf(server.app).map((r) => `${r.method} ${r.url.replace(/:([A-Za-z]+)/g, "{$1}")}`),
    );
    expect([...registered].sort()).toEqual([...documented].sort());
  });

  it("answers bad requests with 4xx and {code, message}", async () => {
    const signed = JSON.parse(new TextDecoder().decode(transfer(chain.keys[2], chain.keys[0], 0).bytes));
    const unsigned = JSON.stringify({ publicKey: signed.publicKey, tx: signed.tx });
    const cases: [Promise<Response>, number, string][] = [
      [post(unsigned), 400, "TX_INVALID"],
      [post(new Uint8Array(70 * 1024).fill(32)), 413, "BODY_TOO_LARGE"],
      [post("hello", "text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE"],
      [post("{}"), 400, "TX_INVALID"],
      [post(""), 400, "TX_DECODE"],
      [fetch(`${server.url}/v1/nowhere`), 404, "NOT_FOUND"],
      [fetch(`${server.url}/v1/blocks/0`), 400, "BAD_HEIGHT"],
      [fetch(`${server.url}/v1/blocks/99999`), 404, "BLOCK_NOT_FOUND"],
      [fetch(`${server.url}/v1/txs/xyz`), 400, "BAD_HASH"],
      [fetch(`${server.url}/v1/txs/${"0".repeat(64)}`), 404, "TX_NOT_FOUND"],
      [fetch(`${server.url}/v1/txs/${"0".repeat(64)}?waitMs=-1`), 400, "BAD_WAIT"],
      [fetch(`${server.url}/v1/accounts/bob/nonce`), 400, "ACCOUNT_ID_INVALID"],
      [fetch(`${server.url}/v1/state/ders/${"x".repeat(65)}`), 400, "BAD_STATE_PATH"],
      [fetch(`${server.url}/v1/blocks/%E0%A4%A`), 400, "BAD_REQUEST"],
    ];
    for (const [pending, status, code] of cases) {
      const r = await pending;
      const body = (await r.json()) as Record<string, unknown>;
      expect({ status: r.status, code: body.code }).toEqual({ status, code });
      expect(typeof body.message).toBe("string");
    }
  });

  it("streams committed blocks over WebSocket, in order", async () => {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/v1/stream`);
    const messages: { type: string; block: { height: number; txs: { hash: string }[] } }[] = [];
    ws.on("message", (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const [, b, c] = chain.keys;
    const txs = [transfer(b, c, 0), transfer(b, c, 1), transfer(c, b, 0)];
    for (const t of txs) await post(t.bytes);
    for (const t of txs) await getJson(`${server.url}/v1/txs/${t.hash}?waitMs=10000`);
    const deadline = Date.now() + 5000;
    const seen = () => new Set(messages.flatMap((m) => m.block.txs.map((t) => t.hash)));
    while (txs.some((t) => !seen().has(t.hash)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    ws.close();
    expect(txs.every((t) => seen().has(t.hash))).toBe(true);
    const heights = messages.map((m) => m.block.height);
    expect(heights).toEqual([...heights].sort((x, y) => x - y));
    for (const m of messages) expect(checkSchema(m.block, schemas.Block, schemas)).toBeUndefined();
  });
});

describe("rate limit", () => {
  it("answers 429 with Retry-After once a client's bucket is empty", async () => {
    const chain = makeTestChain(1);
    const node = new Node({ dbPath: chain.dbPath, autoProduce: false, threads: 1 });
    const server = await startServer(node, { port: 0 }, { rateLimit: { perSecond: 0.5, burst: 3 } });
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 5; i++) {
        last = await fetch(`${server.url}/v1/status`);
        statuses.push(last.status);
        if (i < 4) await last.arrayBuffer();
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(await last?.json()).toMatchObject({ code: "RATE_LIMITED" });
      expect(Number(last?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    } finally {
      await server.close();
      await node.close();
      chain.remove();
    }
  });
});
