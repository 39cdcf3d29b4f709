/**
 * The HTTP API of a cluster node: the embedded node's API (api/server.ts: same routes, same codes, same
 * WebSocket stream), plus GET /v1/cluster with the node's place in the cluster and its alarms.
 */
import { buildServer, type RunningServer, type ServerOptions } from "../api/server.js";
import type { Node } from "../node.js";
import type { ClusterNode } from "./cluster-node.js";

/** What the routes of api/ call on a node; a ClusterNode provides each with the same meaning. */
type ApiSurface = Pick<
  Node,
  | "status"
  | "pendingCount"
  | "halted"
  | "submit"
  | "txStatus"
  | "waitForTx"
  | "pendingNonce"
  | "block"
  | "blockTxs"
  | "query"
>;

export async function startClusterServer(
  node: ClusterNode,
  listen: { host?: string; port?: number },
  options: ServerOptions = {},
): Promise<RunningServer> {
  const surface: ApiSurface = node;
  // The routes take the embedded Node's type; the cluster node has the same surface (checked just above)
  // and the same "block" event.
  const app = await buildServer(surface as unknown as Node, {
    ...options,
    openApi: { ...options.openApi, cluster: true },
  });
  app.get("/v1/cluster", async () => node.clusterStatus());
  const host = listen.host ?? "127.0.0.1";
  await app.listen({ host, port: listen.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : (listen.port ?? 0);
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return { url: `http://${shownHost}:${port}`, app, close: () => app.close() };
}
