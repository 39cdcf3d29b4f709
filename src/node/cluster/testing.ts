/**
 * Fixtures for cluster tests and the benchmark: N data folders holding the same test genesis, operator keys
 * that are pure functions of their index, and a NATS cluster in the same temporary folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256, toHex } from "../../core/hash.js";
import { type KeyPair, keyFromSeed, writeKeyFile } from "../../core/keys.js";
import { dbPathOf, initDataDir } from "../init.js";
import { nodeTestKey, testGenesisDoc } from "../testing/fixtures.js";
import { ClusterNode, type ClusterNodeOptions } from "./cluster-node.js";
import { NODE_KEY_FILE, writeClusterConfig } from "./config.js";
import { type NatsCluster, startNatsCluster } from "./nats-servers.js";

const utf8 = new TextEncoder();

export function operatorTestKey(i: number): KeyPair {
  return keyFromSeed(sha256(utf8.encode(`plurigrid cluster operator ${i}`)));
}

export interface TestCluster {
  dir: string;
  nats: NatsCluster;
  servers: string[];
  dataDirs: string[];
  operatorKeys: KeyPair[];
  operators: string[];
  accounts: KeyPair[];
  nodes: (ClusterNode | undefined)[];
  options(i: number, extra?: Partial<ClusterNodeOptions>): ClusterNodeOptions;
  startNode(i: number, extra?: Partial<ClusterNodeOptions>): Promise<ClusterNode>;
  /** Stops every node and server and removes the folder. */
  teardown(): Promise<void>;
}

export async function startTestCluster(opts: {
  natsServers?: number;
  nodes?: number;
  accounts?: number;
  replicas?: number;
  quorum?: number;
  leaseMs?: number;
  chainId?: string;
}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), "plurigrid-cluster-"));
  const nNodes = opts.nodes ?? 3;
  const accounts = Array.from({ length: opts.accounts ?? 8 }, (_, i) => nodeTestKey(i));
  const genesis = testGenesisDoc(accounts, opts.chainId);
  const dataDirs = Array.from({ length: nNodes }, (_, i) => join(dir, `node${i + 1}`));
  for (const d of dataDirs) initDataDir(d, { genesisDoc: genesis });
  const operatorKeys = Array.from({ length: nNodes }, (_, i) => operatorTestKey(i));
  const operators = operatorKeys.map((k) => toHex(k.publicKey));
  const quorum = opts.quorum ?? Math.floor(nNodes / 2) + 1;
  // The files `plurigrid node --cluster` reads, for the tests that run nodes as processes.
  dataDirs.forEach((d, i) => {
    writeKeyFile(join(d, NODE_KEY_FILE), operatorKeys[i]);
    writeClusterConfig(d, {
      operators,
      quorum,
      replicas: opts.replicas ?? 3,
      leaseMs: opts.leaseMs ?? 1500,
      blockIntervalMs: 20,
    });
  });
  let nats: NatsCluster;
  try {
    nats = await startNatsCluster(join(dir, "nats"), opts.natsServers ?? 3);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const servers = nats.urls.split(",");
  const nodes: (ClusterNode | undefined)[] = new Array(nNodes).fill(undefined);
  const cluster: TestCluster = {
    dir,
    nats,
    servers,
    dataDirs,
    operatorKeys,
    operators,
    accounts,
    nodes,
    options: (i, extra = {}) => ({
      dbPath: dbPathOf(dataDirs[i]),
      servers,
      nodeKey: operatorKeys[i],
      operators,
      quorum,
      replicas: opts.replicas ?? 3,
      leaseMs: opts.leaseMs ?? 1500,
      threads: 1,
      name: `node${i + 1}`,
      ...extra,
    }),
    async startNode(i, extra = {}) {
      const node = await ClusterNode.start(cluster.options(i, extra));
      nodes[i] = node;
      return node;
    },
    async teardown() {
      await Promise.allSettled(nodes.map((n) => n?.close()));
      await nats.stopAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}
