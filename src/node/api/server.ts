/**
 * The node's HTTP API (Fastify) and its WebSocket stream. Every answer to a bad request is a 4xx with
 * {"code","message"}: bodies above the limit (413), other media types (415), clients over their rate (429),
 * unknown routes (404), malformed input (400/409/422). Nothing a client sends may produce a 500 or stop
 * the server; a 500 would be a bug and is logged as one.
 */
import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { isPlurigridError } from "../../core/errors.js";
import type { Node } from "../node.js";
import { type ApiError, fromFastifyError, statusOfCode } from "./errors.js";
import { type OpenApiOptions, openApiDocument } from "./openapi.js";
import { RateLimiter, type RateLimitOptions } from "./rate-limit.js";
import { registerRoutes } from "./routes.js";
import { registerStream } from "./stream.js";

export interface ServerOptions {
  /** Largest request body; the protocol's largest transaction fits with room to spare. */
  bodyLimitBytes?: number;
  /** Requests per second and burst per client address; false turns the limit off. */
  rateLimit?: RateLimitOptions | false;
  /** Version printed in the OpenAPI document. */
  version?: string;
  /** Options of the OpenAPI document (a cluster node describes its extra route). */
  openApi?: OpenApiOptions;
  /** Called with any error that became a 500 (a bug). */
  onInternalError?: (e: unknown) => void;
}

export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perSecond: 1000, burst: 2000 };

export function sendError(reply: FastifyReply, e: ApiError): FastifyReply {
  return reply.code(e.status).type("application/json").send({ code: e.code, message: e.message });
}

export function apiError(code: string, message: string): ApiError {
  return { status: statusOfCode(code), code, message };
}

const registered = new WeakMap<FastifyInstance, { method: string; url: string }[]>();

/** Every route the server registered (method and Fastify path): what the OpenAPI test holds the document to. */
export function routesOf(app: FastifyInstance): readonly { method: string; url: string }[] {
  return registered.get(app) ?? [];
}

export async function buildServer(node: Node, options: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    exposeHeadRoutes: false,
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    // Long polls (GET /v1/txs/:hash?waitMs) must not hold a shutdown open.
    forceCloseConnections: true,
    frameworkErrors: (error, _request, reply) => {
      void sendError(reply, { status: 400, code: "BAD_REQUEST", message: error.message });
    },
  });

  const routes: { method: string; url: string }[] = [];
  registered.set(app, routes);
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });

  const limiter =
    options.rateLimit === false ? undefined : new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT);
  if (limiter !== undefined) {
    app.addHook("onRequest", async (request, reply) => {
      const nowMs = Date.now();
      if (!limiter.take(request.ip, nowMs)) {
        const retryS = Math.max(1, Math.ceil(limiter.retryAfterMs(request.ip, nowMs) / 1000));
        reply.header("retry-after", String(retryS));
        return sendError(reply, {
          status: 429,
          code: "RATE_LIMITED",
          message: `too many requests; retry in ${retryS} s`,
        });
      }
    });
  }

  // Transactions are signed over their exact bytes, so the body is kept raw; the protocol decodes it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ["application/json", "application/octet-stream"],
    { parseAs: "buffer" },
    (_req, body, done) => done(null, body),
  );

  app.setErrorHandler((error, _request, reply) => {
    if (isPlurigridError(error)) return sendError(reply, apiError(error.code, error.message));
    const mapped = fromFastifyError(error as { code?: string; statusCode?: number; message?: string });
    if (mapped !== undefined) return sendError(reply, mapped);
    options.onInternalError?.(error);
    return sendError(reply, { status: 500, code: "INTERNAL", message: "internal error" });
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, {
      status: 404,
      code: "NOT_FOUND",
      message: `no route ${request.method} ${request.url.slice(0, 200)}`,
    }),
  );

  await app.register(websocket, { options: { maxPayload: 4096 } });
  const document = openApiDocument(options.version ?? "0.0.0", options.openApi);
  app.get("/v1/openapi.json", async () => document);
  registerRoutes(app, node);
  registerStream(app, node);
  return app;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Builds and listens; `port` 0 picks a free port (the URL tells which). */
export async function startServer(
  node: Node,
  listen: { host?: string; port?: number },
  options: ServerOptions = {},
): Promise<RunningServer> {
  const app = await buildServer(node, options);
  const host = listen.host ?? "127.0.0.1";
  await app.listen({ host, port: listen.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : (listen.port ?? 0);
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return { url: `http://${shownHost}:${port}`, app, close: () => app.close() };
}
