import { type Command, InvalidArgumentError } from "commander";
import { PlurigridError } from "../../core/errors.js";
import { startServer } from "../../node/api/server.js";
import { dbPathOf } from "../../node/init.js";
import { Node } from "../../node/node.js";
import { type Format, formatOption, type Io, printJson } from "../output.js";
import { packageVersion } from "../version.js";

export function integerOption(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^[0-9]+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return Number(value);
  };
}

/** What a running node (embedded or cluster) offers its command: a halt event and a way to close. */
export interface RunningNode {
  once(event: "halt", listener: (e: Error) => void): unknown;
  close(): Promise<void>;
}

/**
 * Serves until SIGINT or SIGTERM (then closes the server and the node), or until the node halts, which
 * is NODE_HALTED (exit 1) after the same clean-up.
 */
export async function serveUntilStopped(
  node: RunningNode,
  server: { close(): Promise<void> },
): Promise<void> {
  let stop: () => void = () => {};
  const halted = await new Promise<Error | undefined>((resolve) => {
    stop = () => resolve(undefined);
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    node.once("halt", (e) => resolve(e));
  });
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  await server.close();
  await node.close();
  if (halted !== undefined) throw new PlurigridError("NODE_HALTED", `the node halted: ${halted.message}`);
}

interface NodeOpts {
  data: string;
  cluster?: string;
  port: number;
  host: string;
  blockIntervalMs: number;
  rateLimit: number;
  threads?: number;
  format: Format;
}

export function registerNode(program: Command, io: Io): void {
  program
    .command("node")
    .description(
      "run the node: produce blocks and serve the HTTP API and WebSocket stream until SIGINT/SIGTERM",
    )
    .requiredOption("--data <dir>", "data folder made by plurigrid init")
    .option("--port <n>", "HTTP port (0 picks a free one)", integerOption(0, 65535), 26657)
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option(
      "--block-interval-ms <n>",
      "longest wait before pending transactions go into a block",
      integerOption(1, 60_000),
      50,
    )
    .option(
      "--rate-limit <n>",
      "requests per second per client address (0: no limit)",
      integerOption(0, 1_000_000),
      1000,
    )
    .option(
      "--threads <n>",
      "worker threads for admission checks (default: one per core)",
      integerOption(1, 64),
    )
    .option(
      "--cluster <urls>",
      "join a cluster: NATS URLs nats://HOST:PORT[,...] (the folder needs cluster.json and node-key.json; docs/cluster.md)",
    )
    .addOption(formatOption())
    .action(async (opts: NodeOpts) => {
      if (opts.cluster !== undefined) {
        const { runClusterNode } = await import("./cluster.js");
        return runClusterNode({ ...opts, cluster: opts.cluster }, io);
      }
      const node = new Node({
        dbPath: dbPathOf(opts.data),
        blockIntervalMs: opts.blockIntervalMs,
        threads: opts.threads,
      });
      try {
        await node.ready();
      } catch (e) {
        await node.close();
        throw e;
      }
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer(
          node,
          { host: opts.host, port: opts.port },
          {
            version: packageVersion(),
            rateLimit:
              opts.rateLimit === 0 ? false : { perSecond: opts.rateLimit, burst: 2 * opts.rateLimit },
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
      if (opts.format === "json") printJson(io, { url: server.url, chainId: s.chainId, height: s.height });
      else io.out(`plurigrid node: chain ${s.chainId} at height ${s.height}\nlistening on ${server.url}\n`);

      await serveUntilStopped(node, server);
      if (opts.format !== "json") io.out(`stopped at height ${node.status().height}\n`);
    });
}
