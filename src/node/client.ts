/**
 * A small client of the node's HTTP API (fetch): what `plurigrid tx` and the tests use. It knows the
 * acknowledgement contract: a transaction is done when its status is "committed" (or "rejected"); if the
 * node forgot it (a restart loses the mempool), the same bytes are submitted again, which is safe because
 * the nonce makes a transaction apply at most once.
 */
import { PlurigridError } from "../core/errors.js";
import type { NodeStatus, TxStatus } from "./node.js";

export interface ClientOptions {
  /** Per request. */
  requestTimeoutMs?: number;
}

interface Answer {
  httpStatus: number;
  body: Record<string, unknown>;
}

export class NodeClient {
  readonly baseUrl: string;
  private readonly requestTimeoutMs: number;

  constructor(baseUrl: string, options: ClientOptions = {}) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new PlurigridError(
        "NODE_URL_INVALID",
        `not a URL: ${baseUrl} (expected e.g. http://127.0.0.1:26657)`,
      );
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new PlurigridError("NODE_URL_INVALID", `the node URL must be http or https, not ${url.protocol}`);
    }
    this.baseUrl = url.href.replace(/\/$/, "");
    this.requestTimeoutMs = options.requestTimeoutMs ?? 40_000;
  }

  private async request(method: "GET" | "POST", path: string, body?: Uint8Array): Promise<Answer> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      throw new PlurigridError(
        "NODE_UNREACHABLE",
        `cannot reach the node at ${this.baseUrl}: ${cause ?? (e as Error).message}`,
        { url: this.baseUrl },
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new PlurigridError(
        "NODE_BAD_ANSWER",
        `the node answered ${response.status} with a body that is not JSON`,
      );
    }
    return { httpStatus: response.status, body: (parsed ?? {}) as Record<string, unknown> };
  }

  private fail(a: Answer): never {
    const code = typeof a.body.code === "string" ? a.body.code : `HTTP_${a.httpStatus}`;
    const message = typeof a.body.message === "string" ? a.body.message : "request failed";
    throw new PlurigridError(code, message, { httpStatus: a.httpStatus });
  }

  async status(): Promise<NodeStatus> {
    const a = await this.request("GET", "/v1/status");
    if (a.httpStatus !== 200) this.fail(a);
    return a.body as unknown as NodeStatus;
  }

  async nonce(account: string): Promise<{ nonce: number; pendingNonce: number }> {
    const a = await this.request("GET", `/v1/accounts/${encodeURIComponent(account)}/nonce`);
    if (a.httpStatus !== 200) this.fail(a);
    return a.body as unknown as { nonce: number; pendingNonce: number };
  }

  /** Submits; returns the status (a rejection is a status, not an exception). */
  async submit(bytes: Uint8Array): Promise<TxStatus> {
    const a = await this.request("POST", "/v1/txs", bytes);
    if (typeof a.body.status === "string") return a.body as unknown as TxStatus;
    if (a.httpStatus === 429 || a.httpStatus >= 500) this.fail(a);
    // Errors of form {code, message} from the door (body too large, bad media type): a rejection.
    const code = typeof a.body.code === "string" ? a.body.code : `HTTP_${a.httpStatus}`;
    return { hash: "", status: "rejected", code, message: String(a.body.message ?? "") };
  }

  /** The status, waiting up to `waitMs` while pending; "unknown" when the node does not know the hash. */
  async txStatus(hash: string, waitMs = 0): Promise<TxStatus> {
    const a = await this.request("GET", `/v1/txs/${hash}?waitMs=${Math.min(30_000, Math.max(0, waitMs))}`);
    if (a.httpStatus === 404) return { hash, status: "unknown" };
    if (a.httpStatus !== 200) this.fail(a);
    return a.body as unknown as TxStatus;
  }

  /**
   * Submits `bytes` and waits until it is committed or rejected, resubmitting if the node lost it, for at
   * most `timeoutMs`. Throws TX_TIMEOUT when it is still pending at the end.
   */
  async submitAndWait(bytes: Uint8Array, hash: string, timeoutMs: number): Promise<TxStatus> {
    const deadline = Date.now() + timeoutMs;
    let status = await this.submit(bytes);
    for (;;) {
      if (status.status === "committed" || status.status === "rejected") return status;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new PlurigridError(
          "TX_TIMEOUT",
          `transaction ${hash} still ${status.status} after ${timeoutMs} ms`,
          {
            hash,
          },
        );
      }
      status = await this.txStatus(hash, Math.min(left, 10_000));
      if (status.status === "unknown") status = await this.submit(bytes);
    }
  }
}
