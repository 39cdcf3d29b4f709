/** The REST routes of the node API (described in openapi.ts). */
import type { FastifyInstance } from "fastify";
import { isAccountId } from "../../core/keys.js";
import type { TxResult } from "../../protocol/seam.js";
import type { Node, TxStatus } from "../node.js";
import { jsonOfProof, jsonOfTxBytes, jsonOfValue, STATE_KEYS } from "../protocol-adapter.js";
import type { StoredBlock, StoredTx } from "../store.js";
import { apiError, sendError } from "./server.js";

const HEX64 = /^[0-9a-f]{64}$/;
const HEIGHT = /^[1-9][0-9]{0,14}$/;
const WAIT_MS = /^[0-9]{1,5}$/;
/** Longest long poll on a pending transaction. */
export const WAIT_MS_MAX = 30_000;
/** Ids in state paths: what the protocol allows in a key segment, bounded. */
const ID = /^[A-Za-z0-9._:-]{1,64}$/;

type Params = Record<string, string>;

export function blockJson(
  block: { header: StoredBlock["header"]; hash: string },
  txs: { hash: string; result: TxResult | StoredTx["result"]; bytes?: Uint8Array }[],
): Record<string, unknown> {
  const h = block.header;
  return {
    chainId: h.chainId,
    height: h.height,
    hash: block.hash,
    prevHash: h.prevHash,
    time: h.time,
    txRoot: h.txRoot,
    stateRoot: h.stateRoot,
    txs: txs.map((t, index) => ({
      hash: t.hash,
      index,
      ok: t.result.ok,
      ...(t.result.ok ? { events: t.result.events } : { code: t.result.code, message: t.result.message }),
      ...(t.bytes !== undefined ? { tx: jsonOfTxBytes(t.bytes) } : {}),
    })),
  };
}

function statusCodeOf(s: TxStatus): number {
  switch (s.status) {
    case "pending":
      return 202;
    case "committed":
      return 200;
    case "rejected":
      // Rejected inside a block: the transaction is on the chain, with its code; that is an answer, not an error.
      return s.height !== undefined ? 200 : apiError(s.code, s.message).status;
    default:
      return 404;
  }
}

export function registerRoutes(app: FastifyInstance, node: Node): void {
  app.get("/v1/status", async () => ({ ...node.status(), pendingTxs: node.pendingCount }));

  app.get("/v1/blocks/:height", async (request, reply) => {
    const { height } = request.params as Params;
    if (!HEIGHT.test(height)) {
      return sendError(reply, apiError("BAD_HEIGHT", "a block height is a positive integer"));
    }
    const block = node.block(Number(height));
    if (block === undefined) {
      return sendError(
        reply,
        apiError("BLOCK_NOT_FOUND", `no block at height ${height} (tip ${node.status().height})`),
      );
    }
    return blockJson(block, node.blockTxs(block.height));
  });

  app.post("/v1/txs", async (request, reply) => {
    if (node.halted !== undefined)
      return sendError(reply, apiError("NODE_HALTED", "the node halted; see its log"));
    const body = request.body;
    if (!(body instanceof Uint8Array) || body.length === 0) {
      return sendError(reply, apiError("TX_DECODE", "the body must be a signed transaction as JSON"));
    }
    const status = await node.submit(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
    if (status.status === "rejected" && status.height === undefined) {
      return reply.code(apiError(status.code, status.message).status).send({ ...status });
    }
    return reply.code(statusCodeOf(status)).send(status);
  });

  app.get("/v1/txs/:hash", async (request, reply) => {
    const { hash } = request.params as Params;
    if (!HEX64.test(hash))
      return sendError(reply, apiError("BAD_HASH", "a transaction hash is 64 lowercase hex digits"));
    const { waitMs } = request.query as Params;
    let wait = 0;
    if (waitMs !== undefined) {
      if (!WAIT_MS.test(waitMs) || Number(waitMs) > WAIT_MS_MAX) {
        return sendError(reply, apiError("BAD_WAIT", `waitMs is an integer from 0 to ${WAIT_MS_MAX}`));
      }
      wait = Number(waitMs);
    }
    const status = await node.waitForTx(hash, wait);
    if (status.status === "unknown") {
      return sendError(
        reply,
        apiError("TX_NOT_FOUND", `no pending, committed or recently rejected transaction ${hash}`),
      );
    }
    return status;
  });

  app.get("/v1/accounts/:id/nonce", async (request, reply) => {
    const { id } = request.params as Params;
    if (!isAccountId(id)) {
      return sendError(
        reply,
        apiError("ACCOUNT_ID_INVALID", 'an account id is "pg1" and 40 lowercase hex digits'),
      );
    }
    return { account: id, ...node.pendingNonce(id) };
  });

  const stateRoute = (path: string, key: (p: Params) => string, check: (p: Params) => string | undefined) => {
    app.get(path, async (request, reply) => {
      const p = request.params as Params;
      const bad = check(p);
      if (bad !== undefined) return sendError(reply, apiError("BAD_STATE_PATH", bad));
      const k = key(p);
      const q = node.query(k);
      return {
        key: k,
        height: q.height,
        stateRoot: q.stateRoot,
        value: q.value === undefined ? null : jsonOfValue(q.value),
        proof: jsonOfProof(q.proof),
      };
    });
  };
  const idOk = (name: string) => (p: Params) =>
    ID.test(p[name]) ? undefined : `${name} must match ${ID.source}`;
  stateRoute(
    "/v1/state/accounts/:id",
    (p) => STATE_KEYS.account(p.id),
    (p) => (isAccountId(p.id) ? undefined : "not an account id"),
  );
  stateRoute(
    "/v1/state/participants/:id",
    (p) => STATE_KEYS.participant(p.id),
    (p) => (isAccountId(p.id) ? undefined : "not an account id"),
  );
  stateRoute("/v1/state/ders/:id", (p) => STATE_KEYS.der(p.id), idOk("id"));
  const intOk = (name: string) => (p: Params) =>
    /^(0|[1-9][0-9]{0,14})$/.test(p[name]) ? undefined : `${name} is an integer`;
  stateRoute(
    "/v1/state/readings/:der/:interval",
    (p) => STATE_KEYS.reading(p.der, Number(p.interval)),
    (p) => idOk("der")(p) ?? intOk("interval")(p),
  );
  // Readings uploaded in series (SubmitMeterReadings) live in one record per meter and reading day.
  stateRoute(
    "/v1/state/reading-days/:der/:day",
    (p) => STATE_KEYS.readingDay(p.der, Number(p.day)),
    (p) => idOk("der")(p) ?? intOk("day")(p),
  );
}
