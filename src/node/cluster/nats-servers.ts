/**
 * Local NATS JetStream clusters on loopback: N `nats-server` processes with their own server names, cluster
 * routes to each other and JetStream stores in one folder. Used by the tests, the benchmark and
 * `plurigrid cluster up`. Each server is started as the leader of its own process group so that stopping it
 * (SIGKILL to the group) leaves nothing behind.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { PlurigridError } from "../../core/errors.js";

export const NATS_SERVER_BIN = process.env.PLURIGRID_NATS_SERVER ?? "nats-server";
const HOST = "127.0.0.1";

export interface NatsServerSpec {
  /** Server name (also its JetStream peer name), e.g. "n1". */
  name: string;
  clientPort: number;
  clusterPort: number;
  monitorPort: number;
  /** Its JetStream store and config file live here. */
  dir: string;
}

export interface NatsServer extends NatsServerSpec {
  url: string;
  pid: number;
  process?: ChildProcess;
}

/** A free TCP port on loopback (bound and released: another process could take it in between). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, HOST, () => {
      const address = srv.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** N distinct free ports. */
export async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/** Specs for an N-server cluster under `dir` (n1..nN), on free ports. */
export async function clusterSpecs(dir: string, n: number): Promise<NatsServerSpec[]> {
  const ports = await freePorts(3 * n);
  return Array.from({ length: n }, (_, i) => ({
    name: `n${i + 1}`,
    clientPort: ports[3 * i],
    clusterPort: ports[3 * i + 1],
    monitorPort: ports[3 * i + 2],
    dir: join(dir, `n${i + 1}`),
  }));
}

function configText(spec: NatsServerSpec, all: readonly NatsServerSpec[], clusterName: string): string {
  const routes = all
    .filter((s) => s.name !== spec.name)
    .map((s) => `    "nats://${HOST}:${s.clusterPort}"`)
    .join("\n");
  // JetStream in a cluster needs a server name per server and the same cluster name on all of them.
  return `server_name: "${spec.name}"
listen: "${HOST}:${spec.clientPort}"
http: "${HOST}:${spec.monitorPort}"
jetstream {
  store_dir: "${join(spec.dir, "js")}"
}
cluster {
  name: "${clusterName}"
  listen: "${HOST}:${spec.clusterPort}"
  routes: [
${routes}
  ]
}
`;
}

/** Starts one server of the cluster described by `all`; `detached` keeps it running after this process. */
export function startNatsServer(
  spec: NatsServerSpec,
  all: readonly NatsServerSpec[],
  options: { clusterName?: string; detached?: boolean; logFile?: string } = {},
): NatsServer {
  mkdirSync(spec.dir, { recursive: true });
  const conf = join(spec.dir, "server.conf");
  writeFileSync(conf, configText(spec, all, options.clusterName ?? "plurigrid"));
  const args = ["-c", conf];
  if (options.logFile !== undefined) args.push("-l", options.logFile);
  let child: ChildProcess;
  try {
    child = spawn(NATS_SERVER_BIN, args, {
      detached: true, // its own process group: stopped as a group
      stdio: "ignore",
    });
  } catch (e) {
    throw new PlurigridError("NATS_SERVER_START", `cannot start ${NATS_SERVER_BIN}: ${(e as Error).message}`);
  }
  if (child.pid === undefined) {
    throw new PlurigridError("NATS_SERVER_START", `cannot start ${NATS_SERVER_BIN} (is it installed?)`);
  }
  child.on("error", () => {}); // reported through waitForJetStream timing out
  if (options.detached) child.unref();
  return { ...spec, url: `nats://${HOST}:${spec.clientPort}`, pid: child.pid, process: child };
}

/** Kills a process group (a server started by startNatsServer); quiet if it is already gone. */
export function killGroup(pid: number, signal: NodeJS.Signals = "SIGKILL"): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Stops a server and waits for its process to end. */
export async function stopNatsServer(server: NatsServer, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  const child = server.process;
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    killGroup(server.pid, signal);
    await exited;
    return;
  }
  killGroup(server.pid, signal);
  for (let i = 0; i < 100 && processAlive(server.pid); i++) await sleep(20);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Jsz {
  meta_cluster?: { leader?: string; cluster_size?: number };
}

async function jsz(monitorPort: number): Promise<Jsz | undefined> {
  try {
    const r = await fetch(`http://${HOST}:${monitorPort}/jsz`, { signal: AbortSignal.timeout(1000) });
    return r.ok ? ((await r.json()) as Jsz) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Waits until every given server answers and reports the same elected JetStream meta leader (one of the
 * `expected` names, when given).
 */
export async function waitForMetaLeader(
  servers: readonly NatsServerSpec[],
  timeoutMs = 30_000,
  expected?: readonly string[],
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answers = await Promise.all(servers.map((s) => jsz(s.monitorPort)));
    const leaders = new Set(answers.map((a) => a?.meta_cluster?.leader ?? ""));
    if (leaders.size === 1) {
      const [leader] = leaders;
      if (leader !== "" && (expected === undefined || expected.includes(leader))) return leader;
    }
    if (Date.now() > deadline) {
      throw new PlurigridError(
        "NATS_NO_LEADER",
        `the NATS servers elected no JetStream meta leader within ${timeoutMs} ms`,
        { leaders: [...leaders] },
      );
    }
    await sleep(100);
  }
}

export interface NatsCluster {
  servers: NatsServer[];
  /** Client URLs of every server, comma-separated (what `--cluster` takes). */
  urls: string;
  /** Restarts server i (after a stop) with the same name, ports and store. */
  restart(i: number): NatsServer;
  stop(i: number): Promise<void>;
  stopAll(): Promise<void>;
}

/** Starts an N-server JetStream cluster under `dir` and waits for its meta leader. */
export async function startNatsCluster(
  dir: string,
  n = 3,
  options: { detached?: boolean; timeoutMs?: number } = {},
): Promise<NatsCluster> {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  const specs = await clusterSpecs(dir, n);
  const servers = specs.map((s) =>
    startNatsServer(s, specs, {
      detached: options.detached,
      ...(options.detached ? { logFile: join(s.dir, "server.log") } : {}),
    }),
  );
  const cluster: NatsCluster = {
    servers,
    urls: servers.map((s) => s.url).join(","),
    restart(i) {
      servers[i] = startNatsServer(specs[i], specs, { detached: options.detached });
      return servers[i];
    },
    stop: (i) => stopNatsServer(servers[i]),
    async stopAll() {
      await Promise.all(servers.map((s) => stopNatsServer(s)));
    },
  };
  try {
    await waitForMetaLeader(specs, options.timeoutMs ?? 30_000);
  } catch (e) {
    await cluster.stopAll();
    throw e;
  }
  return cluster;
}
