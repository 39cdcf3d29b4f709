/**
 * The embedded node: transactions committed per second in-process (admission with checkTx in worker threads,
 * signatures included, block production, SQLite commit with synchronous=FULL), through HTTP with concurrent
 * clients on loopback, and `verify` replay. Each run starts from a fresh chain; the transactions are signed
 * before the clock starts. The parts that bound each figure are measured alone at the end (per transaction).
 */
import { Worker } from "node:worker_threads";
import { verify as ed25519Verify, generateKeyPair, sign } from "../src/core/keys.js";
import { startServer } from "../src/node/api/server.js";
import { Node } from "../src/node/node.js";
import { applyBlockTxs, blockHashOf, signatureVerdictOf } from "../src/node/protocol-adapter.js";
import { MemoryState } from "../src/node/state-view.js";
import { Store } from "../src/node/store.js";
import { makeTestChain, type TestChain, transfer } from "../src/node/testing/fixtures.js";
import { verifyChain } from "../src/node/verify.js";
import { checkBatch } from "../src/node/workers/check.js";
import { WorkerPool } from "../src/node/workers/pool.js";
import { type BenchContext, median, type Suite } from "./harness.js";

const SENDERS = 2000;
const TXS_PER_SENDER = 10;
const HTTP_CONNECTIONS = 64;

function rate(count: number): (ms: number) => string {
  return (ms) => `${Math.round((count * 1000) / ms).toLocaleString("en-US")} tx/s`;
}

/**
 * Wall-clock rate plus CPU time per transaction summed over all threads of this process (node, workers and,
 * for HTTP, the load generator): the CPU figure does not depend on what else the machine runs, and
 * 2 cores / (CPU per tx) is the rate two idle cores could reach at best.
 */
function rateAndCpu(count: number, cpuUs: number[]): (ms: number) => string {
  const perTx = [...cpuUs].sort((a, b) => a - b)[cpuUs.length >> 1] / count;
  return (ms) =>
    `${rate(count)(ms)}, ${Math.round(perTx)} us CPU/tx, ${Math.round(2e6 / perTx).toLocaleString("en-US")} tx/s on 2 idle cores at best`;
}

function cpuNowUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function signedWorkload(chain: TestChain, perSender: number): { bytes: Uint8Array; hash: string }[] {
  const out: { bytes: Uint8Array; hash: string }[] = [];
  for (let n = 0; n < perSender; n++) {
    for (let i = 0; i < chain.keys.length; i++) {
      const t = transfer(chain.keys[i], chain.keys[(i + 1) % chain.keys.length], n);
      out.push({ bytes: t.bytes, hash: t.hash });
    }
  }
  return out;
}

async function allCommitted(node: Node, txs: { hash: string }[]): Promise<void> {
  const statuses = await Promise.all(txs.map((t) => node.waitForTx(t.hash, 600_000)));
  const bad = statuses.find((s) => s.status !== "committed");
  if (bad !== undefined) throw new Error(`bench transaction not committed: ${JSON.stringify(bad)}`);
}

/** In-process: submit everything, wait for every commit. Returns the ms and the chain (for verify). */
async function inProcessRun(): Promise<{ ms: number; cpuUs: number; chain: TestChain; count: number }> {
  const chain = makeTestChain(SENDERS, "plurigrid-bench-");
  const txs = signedWorkload(chain, TXS_PER_SENDER);
  const node = new Node({ dbPath: chain.dbPath, blockIntervalMs: 50 });
  await node.ready();
  const t0 = performance.now();
  const c0 = cpuNowUs();
  await Promise.all(txs.map((t) => node.submit(t.bytes)));
  await allCommitted(node, txs);
  const ms = performance.now() - t0;
  const cpuUs = cpuNowUs() - c0;
  await node.close();
  return { ms, cpuUs, chain, count: txs.length };
}

// The load generator runs in its own thread (plain JS, node:http with keep-alive), so the clients do not
// share the node's event loop; they still share the machine's two cores, as loopback clients do. It starts
// before the clock (without the TypeScript loader, which would add its own thread) and sends on "go".
const LOAD_GENERATOR = `
const { parentPort, workerData } = require("node:worker_threads");
const http = require("node:http");
const { url, txs, connections } = workerData;
parentPort.postMessage("ready");
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const target = new URL(url + "/v1/txs");
let next = 0, done = 0;
const counts = {};
function post(bytes) {
  return new Promise((resolve) => {
    const req = http.request({ agent, hostname: target.hostname, port: target.port, path: target.pathname, method: "POST",
      headers: { "content-type": "application/json", "content-length": bytes.length } }, (res) => {
      res.resume();
      res.on("end", () => { counts[res.statusCode] = (counts[res.statusCode] || 0) + 1; resolve(); });
    });
    req.on("error", () => { counts.error = (counts.error || 0) + 1; resolve(); });
    req.end(bytes);
  });
}
async function lane() { while (next < txs.length) await post(txs[next++]); }
parentPort.once("message", () =>
  Promise.all(Array.from({ length: connections }, lane)).then(() => { agent.destroy(); parentPort.postMessage(counts); }));
`;

async function httpRun(): Promise<{
  ms: number;
  cpuUs: number;
  count: number;
  answers: Record<string, number>;
}> {
  const chain = makeTestChain(SENDERS, "plurigrid-bench-");
  const txs = signedWorkload(chain, TXS_PER_SENDER);
  const node = new Node({ dbPath: chain.dbPath, blockIntervalMs: 50 });
  await node.ready();
  const server = await startServer(node, { port: 0 }, { rateLimit: false });
  try {
    const generator = new Worker(LOAD_GENERATOR, {
      eval: true,
      execArgv: [],
      workerData: { url: server.url, txs: txs.map((t) => t.bytes), connections: HTTP_CONNECTIONS },
    });
    const next = () =>
      new Promise<unknown>((resolve, reject) => {
        generator.once("message", resolve);
        generator.once("error", reject);
      });
    await next(); // loaded
    const t0 = performance.now();
    const c0 = cpuNowUs();
    const finished = next();
    generator.postMessage("go");
    const answers = (await finished) as Record<string, number>;
    await allCommitted(node, txs);
    const ms = performance.now() - t0;
    const cpuUs = cpuNowUs() - c0;
    await generator.terminate();
    return { ms, cpuUs, count: txs.length, answers };
  } finally {
    await server.close();
    await node.close();
    chain.remove();
  }
}

/** Times `fn` like ctx.measure and also reports its CPU time per transaction (median over the runs). */
async function measureCpu(ctx: BenchContext, name: string, n: number, fn: () => void): Promise<void> {
  const cpuUs: number[] = [];
  await ctx.measure(
    name,
    () => {
      const c0 = cpuNowUs();
      fn();
      cpuUs.push(cpuNowUs() - c0);
    },
    { figure: (ms) => `${rate(n)(ms)}, ${(median(cpuUs) / n).toFixed(1)} us CPU/tx` },
  );
}

/** Per-transaction costs of the parts, one thread each, to say what bounds the figures above. */
async function parts(ctx: BenchContext): Promise<void> {
  const n = 2000;
  const chain = makeTestChain(n, "plurigrid-bench-");
  try {
    const txs = signedWorkload(chain, 1).map((t) => t.bytes);
    const store = Store.open(chain.dbPath, { readonly: true });
    const state = new MemoryState();
    for (const row of store.stateRows()) state.map.set(row.key, new Uint8Array(row.value));
    const head = store.head();
    store.close();
    const key = generateKeyPair();
    const message = new Uint8Array(32);
    const signature = sign(key.secretKey, message);
    await measureCpu(ctx, `part: Ed25519 verify x${n}, key parsed before`, n, () => {
      for (let i = 0; i < n; i++) ed25519Verify(key.publicKey, message, signature);
    });
    // A key's first verification also parses it into an OpenSSL key (core/keys.ts caches it afterwards).
    const fresh = 300;
    const keySets = Array.from({ length: (ctx.quick ? 1 : 5) + 1 }, () =>
      Array.from({ length: fresh }, () => {
        const k = generateKeyPair();
        return { publicKey: k.publicKey, signature: sign(k.secretKey, message) };
      }),
    );
    await measureCpu(ctx, `part: Ed25519 verify x${fresh}, each key new`, fresh, () => {
      const set = keySets.pop() ?? [];
      for (const k of set) ed25519Verify(k.publicKey, message, k.signature);
    });
    const reopened = Store.open(chain.dbPath, { readonly: true });
    // Keys are warm after the first run, as for a worker that has seen these senders.
    await measureCpu(ctx, `part: checkTx x${n} in batches of 512 (one worker)`, n, () => {
      for (let i = 0; i < txs.length; i += 512) checkBatch(reopened, txs.slice(i, i + 512));
    });
    reopened.close();
    await measureCpu(ctx, `part: signature verdicts x${n} (one verify worker)`, n, () => {
      for (const t of txs) signatureVerdictOf(t);
    });
    await measureCpu(ctx, `part: applyBlock ${n} transfers, verdicts given (main)`, n, () => {
      const header = { chainId: chain.chainId, height: 1, prevHash: head.hash, time: head.timeMs + 1 };
      const r = applyBlockTxs(state, header, txs, new Array<boolean>(txs.length).fill(true));
      blockHashOf({ ...header, txRoot: r.txRoot, stateRoot: r.stateRoot });
    });
  } finally {
    chain.remove();
  }
}

export const suite: Suite = {
  name: "node",
  async run(ctx) {
    const runs = ctx.quick ? 1 : 3;
    const count = SENDERS * TXS_PER_SENDER;
    const inProcess: number[] = [];
    const inProcessCpu: number[] = [];
    const replay: number[] = [];
    const replayCpu: number[] = [];
    for (let r = 0; r < runs; r++) {
      const run = await inProcessRun();
      inProcess.push(run.ms);
      inProcessCpu.push(run.cpuUs);
      // The verifier's worker threads are started before the clock: starting them is a fixed cost (large
      // here, where each worker compiles the TypeScript sources; small from dist/), not a cost per transaction.
      const pool = new WorkerPool();
      await pool.ready();
      const t0 = performance.now();
      const c0 = cpuNowUs();
      const outcome = await verifyChain(run.chain.dbPath, { pool });
      replay.push(performance.now() - t0);
      replayCpu.push(cpuNowUs() - c0);
      await pool.close();
      run.chain.remove();
      if (!outcome.ok || outcome.txCount !== run.count) {
        throw new Error(`bench chain did not verify: ${JSON.stringify(outcome)}`);
      }
    }
    ctx.record(
      `in-process: ${count} transfers, ${SENDERS} senders, to committed`,
      inProcess,
      rateAndCpu(count, inProcessCpu),
    );
    ctx.record(
      `verify: replay ${count} transfers (signatures in workers)`,
      replay,
      rateAndCpu(count, replayCpu),
    );

    const overHttp: number[] = [];
    const overHttpCpu: number[] = [];
    for (let r = 0; r < runs; r++) {
      const run = await httpRun();
      if ((run.answers["202"] ?? 0) + (run.answers["200"] ?? 0) !== run.count) {
        throw new Error(`HTTP bench answers: ${JSON.stringify(run.answers)}`);
      }
      overHttp.push(run.ms);
      overHttpCpu.push(run.cpuUs);
    }
    ctx.record(
      `HTTP: ${count} POST /v1/txs, ${HTTP_CONNECTIONS} connections, to committed`,
      overHttp,
      rateAndCpu(count, overHttpCpu),
    );

    await parts(ctx);
  },
};
