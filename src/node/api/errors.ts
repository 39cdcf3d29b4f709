/**
 * Every error the API answers with is a 4xx (503 only while the node stops) with the body
 * {"code","message"}. This file decides the HTTP status of each code.
 */
export interface ApiError {
  status: number;
  code: string;
  message: string;
}

const STATUS_OF_CODE: Record<string, number> = {
  // The bytes are not a transaction at all.
  TX_DECODE: 400,
  TX_NOT_CANONICAL: 400,
  TX_INVALID: 400,
  TX_UNKNOWN_TYPE: 400,
  TX_TOO_LARGE: 413,
  // Another transaction holds the nonce, or it was used already.
  TX_BAD_NONCE: 409,
  MEMPOOL_NONCE_TAKEN: 409,
  MEMPOOL_NONCE_TOO_FAR: 409,
  MEMPOOL_FULL: 429,
  RATE_LIMITED: 429,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  ACCOUNT_ID_INVALID: 400,
  NOT_FOUND: 404,
  BLOCK_NOT_FOUND: 404,
  TX_NOT_FOUND: 404,
  NODE_CLOSED: 503,
  NODE_HALTED: 503,
  NODE_WORKER_FAILED: 503,
  // Cluster mode: the ordering stream could not store the transaction (NATS down or electing a leader).
  CLUSTER_UNAVAILABLE: 503,
};

/** HTTP status for a code: the table above, else 422 for a transaction the protocol refused, else 400. */
export function statusOfCode(code: string): number {
  const s = STATUS_OF_CODE[code];
  if (s !== undefined) return s;
  if (/^(TX|ACCOUNT|REGISTRY|ORACLE|GRID)_/.test(code)) return 422;
  return 400;
}

/** Fastify's own error codes for bad requests, mapped to ours. */
export function fromFastifyError(e: {
  code?: string;
  statusCode?: number;
  message?: string;
}): ApiError | undefined {
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, code: "BODY_TOO_LARGE", message: "the request body is larger than the limit" };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return {
        status: 415,
        code: "UNSUPPORTED_MEDIA_TYPE",
        message: "send the signed transaction as application/json",
      };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return { status: 400, code: "BAD_BODY", message: e.message ?? "bad request body" };
    default:
      break;
  }
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, code: "BAD_REQUEST", message: e.message ?? "bad request" };
  }
  return undefined;
}
