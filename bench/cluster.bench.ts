/**
 * Cluster mode on real NATS servers (three nats-server processes on loopback, started and stopped here):
 * transactions committed per second and the time from submit to quorum-final, with the stream on 1 and on
 * 3 replicas, and the time a proposer change takes (the lease holder stops: cleanly, releasing its lease,
 * or as in a crash, leaving it to expire). Nodes run in this process, each with its own SQLite file and
 * worker threads; the transactions are signed before the clock starts.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import type { ClusterNode } from "../src/node/cluster/cluster-node.js";
import type { AckPolicy } from "../src/node/cluster/log.js";
import { startTestCluster, type TestCluster } from "../src/node/cluster/testing.js";
import { Node } from "../src/node/node.js";
import { makeTestChain, transfer } from "../src/node/testing/fixtures.js";
import type { BenchContext, Suite } from "./harness.js";

const SENDERS = 1000;
const LEASE_MS = 2000;

function rate(count: number): (ms: number) => string {
  return (ms) => `${Math.round((count * 1000) / ms).toLocaleString("en-US")} tx/s`;
}

/** CPU time (µs) of this process (nodes, worker threads) and of the NATS server processes. */
function cpuUs(s: Setup): { self: number; nats: number } {
  const u = process.cpuUsage();
  let ticks = 0;
  for (const sv of s.cluster.nats.servers) {
    try {
      const f = readFileSync(`/proc/${sv.pid}/stat`, "utf8").split(") ")[1].split(" ");
      ticks += Number(f[11]) + Number(f[12]); // utime, stime in clock ticks (USER_HZ = 100)
    } catch {
      // not Linux, or the server is gone
    }
  }
  return { self: u.user + u.system, nats: ticks * 10_000 };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(5);
  }
}

interface Setup {
  cluster: TestCluster;
  nodes: ClusterNode[];
  nonces: number[];
}

async function setUp(chainId: string, nodes: number, replicas: number, ackPolicy: AckPolicy): Promise<Setup> {
  const cluster = await startTestCluster({
    accounts: SENDERS,
    nodes,
    replicas,
    quorum: Math.floor(nodes / 2) + 1,
    leaseMs: LEASE_MS,
    chainId,
  });
  const started: ClusterNode[] = [];
  for (let i = 0; i < nodes; i++)
    started.push(await cluster.startNode(i, { threads: nodes === 1 ? 2 : 1, ackPolicy }));
  await waitFor(() => started.some((n) => n.leaseHeld()), 20_000, "a proposer");
  return { cluster, nodes: started, nonces: new Array(SENDERS).fill(0) };
}

function workload(s: Setup, count: number): { bytes: Uint8Array; hash: string }[] {
  const keys = s.cluster.accounts;
  const chainId = s.nodes[0].chainId;
  const out: { bytes: Uint8Array; hash: string }[] = [];
  for (let k = 0; out.length < count; k++) {
    const i = k % keys.length;
    const t = transfer(keys[i], keys[(i + 1) % keys.length], s.nonces[i]++, 1, chainId);
    out.push({ bytes: t.bytes, hash: t.hash });
  }
  return out;
}

/** Submits everything to node 1 (in windows of concurrent submissions) and waits for commit and finality. */
async function throughputRun(s: Setup, count: number): Promise<{ commitMs: number; finalMs: number }> {
  const txs = workload(s, count);
  const node = s.nodes[0];
  const t0 = performance.now();
  const WINDOW = 2000;
  const waits: Promise<unknown>[] = [];
  for (let i = 0; i < txs.length; i += WINDOW) {
    const part = txs.slice(i, i + WINDOW);
    const statuses = await Promise.all(part.map((t) => node.submit(t.bytes)));
    const bad = statuses.find((st) => st.status === "rejected");
    if (bad !== undefined) throw new Error(`bench: transaction refused: ${JSON.stringify(bad)}`);
    for (const t of part) waits.push(node.waitForTx(t.hash, 600_000));
  }
  const done = (await Promise.all(waits)) as { status: string }[];
  const bad = done.find((d) => d.status !== "committed");
  if (bad !== undefined) throw new Error(`bench: a transaction was not committed: ${JSON.stringify(bad)}`);
  const commitMs = performance.now() - t0;
  await node.whenFinal(node.status().height);
  return { commitMs, finalMs: performance.now() - t0 };
}

/** One transaction at a time: submit to node 1, then wait for its block to be final. */
async function latencyRun(s: Setup, rounds: number): Promise<{ commitMs: number[]; finalMs: number[] }> {
  const node = s.nodes[0];
  const commitMs: number[] = [];
  const finalMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const [t] = workload(s, 1);
    const t0 = performance.now();
    await node.submit(t.bytes);
    const st = await node.waitForTx(t.hash, 30_000);
    if (st.status !== "committed") throw new Error("bench: latency transaction not committed");
    commitMs.push(performance.now() - t0);
    await node.whenFinal(st.height);
    finalMs.push(performance.now() - t0);
  }
  return { commitMs, finalMs };
}

/**
 * The lease holder stops (cleanly, or leaving its lease to expire as a crashed node would); a transaction
 * is submitted to another node at once. Measured: from the stop until that transaction is committed.
 */
async function proposerChange(s: Setup, release: boolean): Promise<number> {
  const i = s.nodes.findIndex((n) => n.leaseHeld());
  if (i < 0) throw new Error("bench: no proposer");
  const other = s.nodes[(i + 1) % s.nodes.length];
  const [t] = workload(s, 1);
  const t0 = performance.now();
  await s.nodes[i].close({ releaseLease: release });
  await other.submit(t.bytes);
  const st = await other.waitForTx(t.hash, 60_000);
  if (st.status !== "committed") throw new Error("bench: not committed after the proposer change");
  const ms = performance.now() - t0;
  // The stopped node comes back (it catches up from the stream) for the next round.
  s.nodes[i] = await s.cluster.startNode(i, { threads: 1 });
  await waitFor(() => s.nodes[i].status().height >= other.status().height, 60_000, "catch-up");
  return ms;
}

async function configuration(
  ctx: BenchContext,
  nodes: number,
  replicas: number,
  ackPolicy: AckPolicy,
): Promise<void> {
  const label = `${nodes} node${nodes > 1 ? "s" : ""}, ${replicas} replica${replicas > 1 ? "s" : ""}, ack ${ackPolicy}`;
  const s = await setUp(`plurigrid-bench-${nodes}n${replicas}r-${ackPolicy}`, nodes, replicas, ackPolicy);
  try {
    const count = ctx.quick ? 4000 : 20_000;
    await throughputRun(s, 1000); // warm-up: worker threads, caches, stream leaders
    const runs = ctx.quick ? 1 : 3;
    const commit: number[] = [];
    const final: number[] = [];
    const selfUs: number[] = [];
    const natsUs: number[] = [];
    for (let r = 0; r < runs; r++) {
      const before = cpuUs(s);
      const x = await throughputRun(s, count);
      const after = cpuUs(s);
      commit.push(x.commitMs);
      final.push(x.finalMs);
      selfUs.push((after.self - before.self) / count);
      natsUs.push((after.nats - before.nats) / count);
    }
    const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const perTx = mid(selfUs) + mid(natsUs);
    ctx.record(
      `${label}: ${count} transfers committed`,
      commit,
      (ms) =>
        `${rate(count)(ms)}; CPU/tx ${Math.round(mid(selfUs))} us nodes + ${Math.round(mid(natsUs))} us NATS = ${Math.round(2e6 / perTx).toLocaleString("en-US")} tx/s on 2 idle cores at best`,
    );
    ctx.record(`${label}: ${count} transfers quorum-final`, final, rate(count));
    const lat = await latencyRun(s, ctx.quick ? 5 : 20);
    ctx.record(`${label}: one transfer, submit to committed`, lat.commitMs);
    ctx.record(`${label}: one transfer, submit to quorum-final`, lat.finalMs);
    if (nodes > 1) {
      const clean: number[] = [];
      const crash: number[] = [];
      for (let r = 0; r < (ctx.quick ? 1 : 3); r++) {
        clean.push(await proposerChange(s, true));
        crash.push(await proposerChange(s, false));
      }
      ctx.record(`${label}: proposer change, lease released`, clean);
      ctx.record(`${label}: proposer change, lease expired (${LEASE_MS} ms)`, crash);
    }
  } finally {
    await s.cluster.teardown();
  }
}

/** The embedded node on the same workload and machine, measured in the same run: the baseline of the ratios. */
async function embeddedBaseline(ctx: BenchContext, count: number): Promise<number> {
  const chain = makeTestChain(SENDERS, "plurigrid-bench-embedded-");
  const node = new Node({ dbPath: chain.dbPath, threads: 2 });
  try {
    await node.ready();
    const nonces = new Array(SENDERS).fill(0);
    const run = async (n: number) => {
      const txs = Array.from({ length: n }, (_, k) => {
        const i = k % SENDERS;
        return transfer(chain.keys[i], chain.keys[(i + 1) % SENDERS], nonces[i]++, 1);
      });
      const t0 = performance.now();
      await Promise.all(txs.map((t) => node.submit(t.bytes)));
      await Promise.all(txs.map((t) => node.waitForTx(t.hash, 600_000)));
      return performance.now() - t0;
    };
    await run(1000);
    const times: number[] = [];
    const cpu: number[] = [];
    for (let r = 0; r < (ctx.quick ? 1 : 3); r++) {
      const c0 = process.cpuUsage();
      times.push(await run(count));
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / count);
    }
    const perTx = [...cpu].sort((a, b) => a - b)[cpu.length >> 1];
    return ctx.record(
      `embedded node (baseline): ${count} transfers committed`,
      times,
      (ms) => `${rate(count)(ms)}; CPU/tx ${Math.round(perTx)} us`,
    );
  } finally {
    await node.close();
    chain.remove();
  }
}

export const suite: Suite = {
  name: "cluster",
  async run(ctx) {
    await embeddedBaseline(ctx, ctx.quick ? 4000 : 20_000);
    await configuration(ctx, 1, 1, "stored");
    await configuration(ctx, 1, 3, "stored");
    await configuration(ctx, 1, 3, "none");
    await configuration(ctx, 3, 3, "stored");
  },
};
