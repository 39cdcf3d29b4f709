/**
 * WS /v1/stream: every committed block, in height order, as {"type":"block","block":...,"events":[...]},
 * sent after its SQLite commit returned. Clients only listen; a client that cannot keep up (more than
 * STREAM_BUFFER_MAX bytes unsent) is disconnected rather than allowed to grow the node's memory.
 */
import type { FastifyInstance } from "fastify";
import type { WebSocket } from "ws";
import { type CommittedBlock, Node } from "../node.js";
import { blockJson } from "./routes.js";

export const STREAM_BUFFER_MAX = 8 * 1024 * 1024;
/** WebSocket close code 1013 "try again later" (RFC 6455 registry) for clients that fall behind. */
const CLOSE_TRY_LATER = 1013;

export function registerStream(app: FastifyInstance, node: Node): void {
  const clients = new Set<WebSocket>();
  const onBlock = (block: CommittedBlock) => {
    if (clients.size === 0) return;
    const message = JSON.stringify({
      type: "block",
      block: blockJson(block, block.txs),
      events: Node.eventsOf(block),
    });
    for (const socket of clients) {
      if (socket.bufferedAmount > STREAM_BUFFER_MAX) socket.close(CLOSE_TRY_LATER, "too slow");
      else socket.send(message);
    }
  };
  node.on("block", onBlock);
  app.addHook("onClose", async () => {
    node.off("block", onBlock);
  });

  app.get("/v1/stream", { websocket: true }, (socket) => {
    clients.add(socket);
    socket.on("close", () => clients.delete(socket));
    socket.on("error", () => clients.delete(socket));
    // The stream is one-way; anything a client sends is ignored.
    socket.on("message", () => {});
  });
}
