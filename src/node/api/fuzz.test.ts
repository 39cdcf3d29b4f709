import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Node } from "../node.js";
import { makeTestChain, type TestChain, transfer } from "../testing/fixtures.js";
import { type RunningServer, startServer } from "./server.js";

/**
 * Random and mutated requests against the real server: every answer is a 2xx or a 4xx with {code, message},
 * never a 5xx, and the server keeps serving.
 */
describe("API fuzz", () => {
  let chain: TestChain;
  let node: Node;
  let server: RunningServer;
  let valid: Uint8Array[];
  const internalErrors: unknown[] = [];

  beforeAll(async () => {
    chain = makeTestChain(4);
    node = new Node({ dbPath: chain.dbPath, blockIntervalMs: 20, threads: 1 });
    server = await startServer(
      node,
      { port: 0 },
      { rateLimit: false, onInternalError: (e) => internalErrors.push(e) },
    );
    valid = chain.keys.flatMap((k, i) => [0, 1, 2].map((n) => transfer(k, chain.keys[(i + 1) % 4], n).bytes));
  });
  afterAll(async () => {
    await server.close();
    await node.close();
    chain.remove();
  });

  async function expectWellFormed(r: Response): Promise<void> {
    const text = await r.text();
    expect(r.status, text).toBeLessThan(500);
    if (r.status >= 400) {
      const body = JSON.parse(text) as Record<string, unknown>;
      expect(typeof body.code).toBe("string");
      expect(typeof body.message).toBe("string");
    }
  }

  const post = (body: Uint8Array, type: string) =>
    fetch(`${server.url}/v1/txs`, { method: "POST", headers: { "content-type": type }, body });

  const mutation = fc.oneof(
    fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat(7) }),
    fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
    fc.record({
      kind: fc.constant("insert" as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  );

  type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

  function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
    const at = m.at % (bytes.length + 1);
    switch (m.kind) {
      case "flip": {
        const out = Uint8Array.from(bytes);
        if (out.length > 0) out[at % out.length] ^= 1 << m.bit;
        return out;
      }
      case "delete":
        return Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + m.n)]);
      case "insert":
        return Uint8Array.from([...bytes.subarray(0, at), ...m.bytes, ...bytes.subarray(at)]);
      default:
        return bytes.subarray(0, at);
    }
  }

  it("mutated signed transactions", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (pick, ms) => {
        let bytes = valid[pick % valid.length];
        for (const m of ms) bytes = mutate(bytes, m);
        await expectWellFormed(await post(bytes, "application/json"));
      }),
      { numRuns: 300 },
    );
  });

  it("random bytes, random JSON, random media types", async () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }),
      fc.jsonValue({ maxDepth: 4 }).map((v) => new TextEncoder().encode(JSON.stringify(v) ?? "null")),
      fc.constant(new Uint8Array(80 * 1024).fill(123)),
    );
    const type = fc.constantFrom(
      "application/json",
      "application/octet-stream",
      "text/plain",
      "application/json; charset=utf-8",
      "",
    );
    await fc.assert(
      fc.asyncProperty(body, type, async (b, t) => {
        await expectWellFormed(await post(b, t));
      }),
      { numRuns: 300 },
    );
  });

  it("random paths and query strings", async () => {
    const segment = fc.string({ maxLength: 80 }).map(encodeURIComponent);
    const path = fc.oneof(
      fc
        .tuple(
          fc.constantFrom("blocks", "txs", "state/accounts", "state/ders", "state/readings/x", "accounts"),
          segment,
        )
        .map(([p, s]) => `/v1/${p}/${s}`),
      fc.tuple(segment, segment).map(([p, q]) => `/v1/txs/${"a".repeat(64)}?waitMs=${q}&${p}=1`),
      fc.array(segment, { maxLength: 4 }).map((s) => `/${s.join("/")}`),
    );
    await fc.assert(
      fc.asyncProperty(path, fc.constantFrom("GET", "POST", "PUT", "DELETE"), async (p, method) => {
        await expectWellFormed(await fetch(`${server.url}${p}`, { method }));
      }),
      { numRuns: 300 },
    );
  });

  it("is still alive and never hit an internal error", async () => {
    const r = await fetch(`${server.url}/v1/status`);
    expect(r.status).toBe(200);
    expect(node.halted).toBeUndefined();
    expect(internalErrors).toEqual([]);
  });
});
