/**
 * The OpenAPI 3.1 description of the node's HTTP API, served at /v1/openapi.json. It is written by hand (it
 * is documentation), and a test holds it to the truth: every route the server registers is described here
 * and every path described here is a route, and real responses are checked against these schemas.
 */
type Schema = Record<string, unknown>;

const hex64: Schema = { type: "string", pattern: "^[0-9a-f]{64}$" };
const errorSchema: Schema = {
  type: "object",
  required: ["code", "message"],
  properties: { code: { type: "string" }, message: { type: "string" } },
};

export const schemas: Record<string, Schema> = {
  Error: errorSchema,
  Status: {
    type: "object",
    required: ["chainId", "height", "stateRoot", "blockHash"],
    properties: {
      chainId: { type: "string" },
      height: { type: "integer", minimum: 0 },
      stateRoot: hex64,
      blockHash: hex64,
      pendingTxs: { type: "integer", minimum: 0 },
    },
  },
  TxResult: {
    type: "object",
    required: ["hash", "index", "ok"],
    properties: {
      hash: hex64,
      index: { type: "integer", minimum: 0 },
      ok: { type: "boolean" },
      code: { type: "string" },
      message: { type: "string" },
      events: { type: "array", items: { type: "object" } },
      tx: { description: "the signed transaction as JSON" },
    },
  },
  Block: {
    type: "object",
    required: ["chainId", "height", "hash", "prevHash", "time", "txRoot", "stateRoot", "txs"],
    properties: {
      chainId: { type: "string" },
      height: { type: "integer", minimum: 1 },
      hash: hex64,
      prevHash: hex64,
      time: { type: "integer", description: "protocol time, ms since the Unix epoch, set by the producer" },
      txRoot: hex64,
      stateRoot: hex64,
      txs: { type: "array", items: { $ref: "#/components/schemas/TxResult" } },
    },
  },
  TxStatus: {
    type: "object",
    required: ["hash", "status"],
    properties: {
      hash: { type: "string" },
      status: { type: "string", enum: ["pending", "committed", "rejected", "unknown"] },
      height: { type: "integer" },
      index: { type: "integer" },
      code: { type: "string" },
      message: { type: "string" },
    },
  },
  Nonce: {
    type: "object",
    required: ["account", "nonce", "pendingNonce"],
    properties: {
      account: { type: "string" },
      nonce: { type: "integer", minimum: 0, description: "the next nonce in the committed state" },
      pendingNonce: { type: "integer", minimum: 0, description: "the next nonce after pending transactions" },
    },
  },
  StateEntry: {
    type: "object",
    required: ["key", "height", "stateRoot", "value", "proof"],
    properties: {
      key: { type: "string" },
      height: { type: "integer", minimum: 0 },
      stateRoot: hex64,
      value: { description: "the stored value as JSON, null when absent (the proof then shows absence)" },
      proof: {
        type: "object",
        description: "sparse Merkle proof of the value, or of absence, under stateRoot",
      },
    },
  },
};

const claim: Schema = {
  type: "object",
  required: ["blockHash", "stateRoot"],
  properties: { blockHash: hex64, stateRoot: hex64 },
};

/** The schemas of a cluster node's own route (GET /v1/cluster); only in the document of a cluster node. */
export const clusterSchemas: Record<string, Schema> = {
  ClusterAlarm: {
    type: "object",
    required: ["kind", "height", "theirs", "ours"],
    properties: {
      kind: { type: "string", enum: ["divergence", "outvoted"] },
      height: { type: "integer", minimum: 1 },
      operator: { ...hex64, description: "the operator that attested another root (absent for outvoted)" },
      theirs: claim,
      ours: claim,
    },
  },
  ClusterStatus: {
    type: "object",
    required: [
      "node",
      "operators",
      "quorum",
      "height",
      "finalHeight",
      "streamSeq",
      "upToSeq",
      "term",
      "proposer",
      "leaseHolder",
      "applying",
      "alarms",
    ],
    properties: {
      node: { ...hex64, description: "this node's operator key" },
      operators: { type: "array", items: hex64 },
      quorum: { type: "integer", minimum: 1 },
      height: { type: "integer", minimum: 0 },
      finalHeight: { type: "integer", minimum: 0, description: "highest block attested by a quorum" },
      streamSeq: { type: "integer", minimum: 0, description: "the last stream sequence read" },
      upToSeq: { type: "integer", minimum: 0, description: "the stream position of the last block" },
      term: { type: "integer", minimum: 0, description: "term of the marker of the last block" },
      proposer: { type: "boolean", description: "whether this node holds the proposer lease" },
      // No "type": a string (64 hex) or null; the pattern applies to strings only.
      leaseHolder: { pattern: "^[0-9a-f]{64}$", description: "key of the lease holder last seen, or null" },
      applying: { type: "boolean", description: "false once a quorum outvoted this node" },
      alarms: { type: "array", items: { $ref: "#/components/schemas/ClusterAlarm" } },
    },
  },
};

export interface OpenApiOptions {
  /** The document of a cluster node: adds GET /v1/cluster and its schemas. */
  cluster?: boolean;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ content: { "application/json": { schema: ref(name) } } });
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { description: "error", ...json("Error") }]));
const pathParam = (name: string, description: string) => ({
  name,
  in: "path",
  required: true,
  description,
  schema: { type: "string" },
});

function stateRoute(summary: string, params: { name: string; description: string }[]) {
  return {
    get: {
      summary,
      parameters: params.map((p) => pathParam(p.name, p.description)),
      responses: {
        "200": { description: "the value with its proof", ...json("StateEntry") },
        ...errors(400, 429),
      },
    },
  };
}

export function openApiDocument(version: string, options: OpenApiOptions = {}): Record<string, unknown> {
  const clusterPaths = options.cluster
    ? {
        "/v1/cluster": {
          get: {
            summary:
              "cluster mode: this node's place in the cluster (proposer, term, finality) and its alarms",
            responses: { "200": { description: "ok", ...json("ClusterStatus") } },
          },
        },
      }
    : {};
  return {
    openapi: "3.1.0",
    info: {
      title: "Plurigrid node API",
      version,
      description:
        "Submit signed transactions, follow their status, read blocks and state with proofs. Every error is a 4xx " +
        'with {"code","message"}; requests are limited per client address (429, Retry-After).',
    },
    paths: {
      "/v1/status": {
        get: {
          summary: "chain id and the tip of the chain",
          responses: { "200": { description: "ok", ...json("Status") } },
        },
      },
      "/v1/blocks/{height}": {
        get: {
          summary: "one committed block with its transactions and their results",
          parameters: [pathParam("height", "block height, 1 or more")],
          responses: { "200": { description: "the block", ...json("Block") }, ...errors(400, 404, 429) },
        },
      },
      "/v1/txs": {
        post: {
          summary: "submit a signed transaction (its canonical JSON bytes, exactly as signed)",
          requestBody: { required: true, content: { "application/json": { schema: { type: "object" } } } },
          responses: {
            "200": { description: "already committed", ...json("TxStatus") },
            "202": { description: "admitted to the mempool", ...json("TxStatus") },
            ...errors(400, 409, 413, 415, 422, 429, 503),
          },
        },
      },
      "/v1/txs/{hash}": {
        get: {
          summary: "status of a transaction: pending, committed at a height, or rejected with a code",
          parameters: [
            pathParam("hash", "hex SHA-256 transaction hash"),
            {
              name: "waitMs",
              in: "query",
              required: false,
              description: "wait up to this long (at most 30000) while the transaction is pending",
              schema: { type: "integer", minimum: 0, maximum: 30000 },
            },
          ],
          responses: { "200": { description: "status", ...json("TxStatus") }, ...errors(400, 404, 429) },
        },
      },
      "/v1/accounts/{id}/nonce": {
        get: {
          summary: "the nonce to use for the account's next transaction",
          parameters: [pathParam("id", "account id (pg1...)")],
          responses: { "200": { description: "nonces", ...json("Nonce") }, ...errors(400, 429) },
        },
      },
      "/v1/state/accounts/{id}": stateRoute("an account's balances and nonce", [
        { name: "id", description: "account id" },
      ]),
      "/v1/state/participants/{id}": stateRoute("a registered participant", [
        { name: "id", description: "account id of the participant" },
      ]),
      "/v1/state/ders/{id}": stateRoute("a registered DER", [{ name: "id", description: "DER id" }]),
      "/v1/state/readings/{der}/{interval}": stateRoute(
        "a meter reading of one market interval sent alone (SubmitMeterReading); readings sent in a series are in the reading day's record",
        [
          { name: "der", description: "DER id of the meter" },
          { name: "interval", description: "market interval" },
        ],
      ),
      "/v1/state/reading-days/{der}/{day}": stateRoute(
        "a meter's readings of one reading day sent in series (SubmitMeterReadings): day = ⌊interval / intervals per day⌋",
        [
          { name: "der", description: "DER id of the meter" },
          { name: "day", description: "reading day" },
        ],
      ),
      "/v1/openapi.json": {
        get: { summary: "this document", responses: { "200": { description: "OpenAPI 3.1 document" } } },
      },
      "/v1/stream": {
        get: {
          summary: "WebSocket: one JSON message per committed block",
          description:
            'Upgrade to a WebSocket. Each message is {"type":"block","block":Block,"events":[...]} ' +
            "in height order, sent after the block's commit returned.",
          responses: { "101": { description: "switching protocols" }, ...errors(400, 429) },
        },
      },
      ...clusterPaths,
    },
    components: { schemas: options.cluster ? { ...schemas, ...clusterSchemas } : schemas },
  };
}
