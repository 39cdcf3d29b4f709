import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { PlurigridError } from "../../core/errors.js";
import { toHex } from "../../core/hash.js";
import { ClusterNode } from "../../node/cluster/cluster-node.js";
import { readClusterConfig } from "../../node/cluster/config.js";
import { clusterDown, clusterUp, readNodeKey } from "../../node/cluster/local.js";
import { startClusterServer } from "../../node/cluster/server.js";
import { restoreSnapshot, snapshotBodyOf, writeSnapshot } from "../../node/cluster/snapshot.js";
import { serveQueue } from "../../node/cluster/work-queue.js";
import { dbPathOf } from "../../node/init.js";
import { Store } from "../../node/store.js";
import { runVariant, type VariantJob, type VariantResult } from "../../sim/sweep.js";
import { type Format, formatOption, type Io, printJson } from "../output.js";
import { packageVersion } from "../version.js";
import { integerOption, serveUntilStopped } from "./node.js";

export interface ClusterNodeCliOptions {
  cluster: string;
  data: string;
  port: number;
  host: string;
  rateLimit: number;
  threads?: number;
  format: Format;
}

/** NATS URLs of `--cluster nats://HOST:PORT[,...]`. */
export function parseClusterUrls(text: string): string[] {
  const urls = text
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
  for (const u of urls) {
    if (!/^(nats|tls):\/\/[^\s/]+:[0-9]{1,5}$/.test(u)) {
      throw new PlurigridError("CLUSTER_URL_INVALID", `not a NATS URL: ${u} (expected nats://HOST:PORT)`);
    }
  }
  if (urls.length === 0) throw new PlurigridError("CLUSTER_URL_INVALID", "--cluster needs at least one URL");
  return urls;
}

/** `plurigrid node --cluster ...`: a cluster node with the same API as the embedded node. */
export async function runClusterNode(opts: ClusterNodeCliOptions, io: Io): Promise<void> {
  const servers = parseClusterUrls(opts.cluster);
  const config = readClusterConfig(opts.data);
  const nodeKey = readNodeKey(opts.data);
  const self = toHex(nodeKey.publicKey);
  const node = await ClusterNode.start({
    dbPath: dbPathOf(opts.data),
    servers,
    nodeKey,
    operators: config.operators,
    quorum: config.quorum,
    replicas: config.replicas,
    leaseMs: config.leaseMs,
    blockIntervalMs: config.blockIntervalMs,
    propose: config.operators.includes(self),
    threads: opts.threads,
    name: `plurigrid ${self.slice(0, 12)}`,
    log: (line) => io.err(`${new Date().toISOString()} ${line}\n`),
  });
  let server: Awaited<ReturnType<typeof startClusterServer>>;
  try {
    server = await startClusterServer(
      node,
      { host: opts.host, port: opts.port },
      {
        version: packageVersion(),
        rateLimit: opts.rateLimit === 0 ? false : { perSecond: opts.rateLimit, burst: 2 * opts.rateLimit },
        onInternalError: (e) =>
          io.err(`internal error in a request: ${e instanceof Error ? e.stack : String(e)}\n`),
      },
    );
  } catch (e) {
    await node.close();
    const message = e instanceof Error ? e.message : String(e);
    throw new PlurigridError("NODE_LISTEN", `cannot listen on ${opts.host}:${opts.port}: ${message}`);
  }
  const s = node.status();
  if (opts.format === "json")
    printJson(io, { url: server.url, chainId: s.chainId, height: s.height, node: self });
  else
    io.out(
      `plurigrid cluster node ${self.slice(0, 12)}: chain ${s.chainId} at height ${s.height}\nlistening on ${server.url}\n`,
    );

  // A divergence stops applying but keeps the API up (the alarm is read there); only an invariant
  // violation or a failed commit ends the process.
  await serveUntilStopped(node, server);
  if (opts.format !== "json") io.out(`stopped at height ${node.status().height}\n`);
}

export function registerCluster(program: Command, io: Io): void {
  const cluster = program
    .command("cluster")
    .description("a local cluster on loopback: three NATS JetStream servers and N cluster nodes");
  cluster
    .command("up")
    .description("start three NATS servers and N nodes in the background; prints one line per node")
    .requiredOption("--data <dir>", "folder for the chains, keys, NATS stores and logs")
    .option("--nodes <n>", "number of Plurigrid nodes", integerOption(1, 9), 3)
    .option("--genesis <file>", "genesis document (JSON) instead of the demo genesis")
    .option("--replicas <n>", "replicas of the stream (1 or 3)", integerOption(1, 3), 3)
    .addOption(formatOption())
    .action(
      async (opts: { data: string; nodes: number; genesis?: string; replicas: number; format: Format }) => {
        const pids = await clusterUp({
          dataDir: opts.data,
          nodes: opts.nodes,
          genesisFile: opts.genesis,
          replicas: opts.replicas,
        });
        if (opts.format === "json") {
          printJson(io, { nodes: pids.nodes.map((n) => n.url), nats: pids.nats.map((n) => n.url) });
          return;
        }
        pids.nodes.forEach((n, i) => {
          io.out(`node ${i + 1} ${n.url}\n`);
        });
      },
    );
  cluster
    .command("snapshot")
    .description(
      "write a signed snapshot of a cluster node's state at its last block (the node may be running)",
    )
    .requiredOption("--data <dir>", "the node's data folder (its node-key.json signs the snapshot)")
    .requiredOption("--out <file>", "where to write the snapshot")
    .addOption(formatOption())
    .action((opts: { data: string; out: string; format: Format }) => {
      const nodeKey = readNodeKey(opts.data);
      const store = Store.open(dbPathOf(opts.data), { readonly: true });
      let bytes: Uint8Array;
      try {
        bytes = writeSnapshot(store, nodeKey);
      } finally {
        store.close();
      }
      writeFileSync(opts.out, bytes, { mode: 0o644 });
      const b = snapshotBodyOf(bytes);
      const r = { height: b.height, blockHash: b.blockHash, stateRoot: b.stateRoot, rows: b.rows.length };
      if (opts.format === "json") printJson(io, r);
      else io.out(`snapshot of height ${r.height}, state root ${r.stateRoot}, ${r.rows} rows\n`);
    });
  cluster
    .command("restore")
    .description(
      "start a fresh node's folder from a snapshot: checked (signature, root rebuilt from its rows, a quorum's attestations) before use",
    )
    .requiredOption(
      "--data <dir>",
      "a fresh data folder (plurigrid init with the cluster's genesis, cluster.json)",
    )
    .requiredOption("--snapshot <file>", "a file written by cluster snapshot")
    .requiredOption("--cluster <urls>", "NATS client URLs, nats://HOST:PORT[,...]")
    .addOption(formatOption())
    .action(async (opts: { data: string; snapshot: string; cluster: string; format: Format }) => {
      const servers = parseClusterUrls(opts.cluster);
      const config = readClusterConfig(opts.data);
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(opts.snapshot);
      } catch (e) {
        throw new PlurigridError("SNAPSHOT_READ", `cannot read ${opts.snapshot}: ${(e as Error).message}`);
      }
      const r = await restoreSnapshot({
        dbPath: dbPathOf(opts.data),
        snapshot: bytes,
        servers,
        operators: config.operators,
        quorum: config.quorum,
        replicas: config.replicas,
      });
      if (opts.format === "json") printJson(io, r);
      else io.out(`restored height ${r.height}, state root ${r.stateRoot}\n`);
    });
  cluster
    .command("sweep-worker")
    .description("run simulation sweep variants from a JetStream work queue until stopped (SIGINT/SIGTERM)")
    .requiredOption("--cluster <urls>", "NATS client URLs, nats://HOST:PORT[,...]")
    .option("--queue <name>", "the queue's name (the submitter's)", "sweep")
    .option(
      "--replicas <n>",
      "replicas of the queue's streams if this worker creates them",
      integerOption(1, 5),
      1,
    )
    .action(async (opts: { cluster: string; queue: string; replicas: number }) => {
      const servers = parseClusterUrls(opts.cluster);
      const worker = serveQueue<VariantJob, VariantResult>(
        { servers, name: opts.queue, replicas: opts.replicas },
        async (job) => {
          const r = await runVariant(job);
          io.err(`variant ${job.index} done: ${r.resultHash.slice(0, 12)}\n`);
          return r;
        },
      );
      const stop = () => worker.stop();
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      io.out(`sweep worker on queue ${opts.queue}\n`);
      const served = await worker.done;
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      io.out(`stopped after ${served} variants\n`);
    });
  cluster
    .command("down")
    .description("stop every process that cluster up started from this folder")
    .requiredOption("--data <dir>", "the folder given to cluster up")
    .addOption(formatOption())
    .action(async (opts: { data: string; format: Format }) => {
      const r = await clusterDown(opts.data);
      if (opts.format === "json") printJson(io, r);
      else io.out(`stopped ${r.stopped} processes\n`);
    });
}
