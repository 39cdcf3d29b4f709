/**
 * `plurigrid cluster up|down`: a local cluster for trying cluster mode on one machine: three NATS servers
 * (JetStream, replicas 3) and N Plurigrid nodes on loopback, all detached from the terminal. Every process
 * started is recorded in DIR/pids.json so that `down` stops exactly those.
 *
 * Layout of DIR: keys/ (demo key files), genesis.json, nats/n1..n3 (server config, store, log),
 * node1..nodeN (chain database, cluster.json, node-key.json, node.log), pids.json.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { canonicalString } from "../../core/canonical.js";
import { projectRoot } from "../../core/data.js";
import { PlurigridError } from "../../core/errors.js";
import { toHex } from "../../core/hash.js";
import { generateKeyPair, readKeyFile, writeKeyFile } from "../../core/keys.js";
import { wallClockMs } from "../clock.js";
import { demoGenesis, GENESIS_FILE, initDataDir, KEYS_DIR } from "../init.js";
import type { GenesisDoc } from "../protocol-adapter.js";
import { CLUSTER_FILE, NODE_KEY_FILE, writeClusterConfig } from "./config.js";
import {
  freePorts,
  killGroup,
  type NatsServer,
  processAlive,
  sleep,
  startNatsCluster,
} from "./nats-servers.js";

export const PIDS_FILE = "pids.json";

export interface LocalProcess {
  pid: number;
  what: string;
  url: string;
}

export interface PidsFile {
  nats: LocalProcess[];
  nodes: LocalProcess[];
}

export interface UpOptions {
  dataDir: string;
  nodes: number;
  genesisFile?: string;
  replicas?: number;
  startTimeoutMs?: number;
}

/** How to run the CLI in a child process: the compiled binary, or the TypeScript source through tsx. */
function cliCommand(): string[] {
  if (import.meta.url.endsWith(".ts")) {
    return ["--import", "tsx", resolve(projectRoot(), "src", "node", "testing", "run-cli.ts")];
  }
  return [resolve(projectRoot(), "bin", "plurigrid.js")];
}

function readPids(dataDir: string): PidsFile | undefined {
  const path = join(dataDir, PIDS_FILE);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as PidsFile;
  } catch {
    throw new PlurigridError("CLUSTER_PIDS_INVALID", `${path} is not a pids file of plurigrid cluster up`);
  }
}

/** Creates the chains, keys and configs on the first run; later runs reuse them (and the NATS stores). */
function prepare(opts: UpOptions): string[] {
  const dirs = Array.from({ length: opts.nodes }, (_, i) => join(opts.dataDir, `node${i + 1}`));
  if (existsSync(join(dirs[0], CLUSTER_FILE))) {
    for (const d of dirs) {
      if (!existsSync(join(d, CLUSTER_FILE))) {
        throw new PlurigridError(
          "CLUSTER_DATA_MISMATCH",
          `${opts.dataDir} was made for fewer nodes (${d} is missing); use the same --nodes or a new folder`,
        );
      }
    }
    return dirs;
  }
  mkdirSync(opts.dataDir, { recursive: true });
  let doc: GenesisDoc;
  if (opts.genesisFile !== undefined) {
    doc = JSON.parse(readFileSync(opts.genesisFile, "utf8")) as GenesisDoc;
  } else {
    doc = demoGenesis(join(opts.dataDir, KEYS_DIR), Math.floor(wallClockMs())).doc;
  }
  writeFileSync(join(opts.dataDir, GENESIS_FILE), `${JSON.stringify(doc, null, 2)}\n`);
  const keys = dirs.map(() => generateKeyPair());
  const operators = keys.map((k) => toHex(k.publicKey));
  dirs.forEach((d, i) => {
    initDataDir(d, { genesisDoc: JSON.parse(canonicalString(doc)) as GenesisDoc });
    writeKeyFile(join(d, NODE_KEY_FILE), keys[i]);
    writeClusterConfig(d, {
      operators,
      quorum: Math.floor(opts.nodes / 2) + 1,
      replicas: opts.replicas ?? 3,
      leaseMs: 2000,
      blockIntervalMs: 20,
    });
  });
  return dirs;
}

async function waitForNode(url: string, pid: number, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(`${url}/v1/status`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (!processAlive(pid) || Date.now() > deadline) {
      let tail = "";
      try {
        tail = readFileSync(logFile, "utf8").slice(-2000);
      } catch {
        // no log
      }
      throw new PlurigridError("CLUSTER_NODE_START", `the node at ${url} did not start:\n${tail}`);
    }
    await sleep(100);
  }
}

/** Starts (or restarts) the local cluster; resolves with the nodes' URLs once each answers. */
export async function clusterUp(opts: UpOptions): Promise<PidsFile> {
  const running = readPids(opts.dataDir);
  if (running !== undefined && [...running.nats, ...running.nodes].some((p) => processAlive(p.pid))) {
    throw new PlurigridError(
      "CLUSTER_RUNNING",
      `a cluster started from ${opts.dataDir} is still running; stop it with plurigrid cluster down --data ${opts.dataDir}`,
    );
  }
  const dirs = prepare(opts);
  const pids: PidsFile = { nats: [], nodes: [] };
  const save = () => writeFileSync(join(opts.dataDir, PIDS_FILE), `${JSON.stringify(pids, null, 2)}\n`);
  try {
    const nats = await startNatsCluster(join(opts.dataDir, "nats"), 3, { detached: true });
    pids.nats = nats.servers.map((s: NatsServer) => ({ pid: s.pid, what: `nats ${s.name}`, url: s.url }));
    save();
    const ports = await freePorts(dirs.length);
    for (let i = 0; i < dirs.length; i++) {
      const logFile = join(dirs[i], "node.log");
      const fd = openSync(logFile, "a");
      const child = spawn(
        process.execPath,
        [...cliCommand(), "node", "--cluster", nats.urls, "--data", dirs[i], "--port", String(ports[i])],
        { cwd: projectRoot(), detached: true, stdio: ["ignore", fd, fd] },
      );
      child.unref();
      if (child.pid === undefined)
        throw new PlurigridError("CLUSTER_NODE_START", `cannot start node ${i + 1}`);
      pids.nodes.push({ pid: child.pid, what: `node ${i + 1}`, url: `http://127.0.0.1:${ports[i]}` });
      save();
    }
    const timeoutMs = opts.startTimeoutMs ?? 60_000;
    await Promise.all(
      pids.nodes.map((n, i) => waitForNode(n.url, n.pid, join(dirs[i], "node.log"), timeoutMs)),
    );
    return pids;
  } catch (e) {
    await clusterDown(opts.dataDir).catch(() => {});
    throw e;
  }
}

/** Stops every process recorded by `up` (nodes first, with SIGTERM, then the NATS servers). */
export async function clusterDown(dataDir: string): Promise<{ stopped: number }> {
  const pids = readPids(dataDir);
  if (pids === undefined) {
    throw new PlurigridError(
      "CLUSTER_NOT_RUNNING",
      `${join(dataDir, PIDS_FILE)} is missing: no cluster was started from ${dataDir}`,
    );
  }
  let stopped = 0;
  const stopAll = async (list: LocalProcess[]) => {
    const alive = list.filter((p) => processAlive(p.pid));
    for (const p of alive) killGroup(p.pid, "SIGTERM");
    const deadline = Date.now() + 10_000;
    while (alive.some((p) => processAlive(p.pid)) && Date.now() < deadline) await sleep(50);
    for (const p of alive) if (processAlive(p.pid)) killGroup(p.pid, "SIGKILL");
    while (alive.some((p) => processAlive(p.pid))) await sleep(20);
    stopped += alive.length;
  };
  await stopAll(pids.nodes);
  await stopAll(pids.nats);
  rmSync(join(dataDir, PIDS_FILE), { force: true });
  return { stopped };
}

/** The node key of a cluster node's data folder. */
export function readNodeKey(dataDir: string) {
  return readKeyFile(join(dataDir, NODE_KEY_FILE));
}
