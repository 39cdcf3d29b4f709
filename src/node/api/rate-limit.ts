/**
 * A token bucket per client address: `burst` requests at once, refilled at `perSecond`. The clock is passed
 * in (milliseconds) so the limiter is testable without waiting. Buckets idle long enough to be full again
 * are forgotten, and the table is bounded, so a flood of addresses cannot grow memory without limit.
 */
export interface RateLimitOptions {
  perSecond: number;
  burst: number;
  /** Upper bound on tracked addresses; beyond it the fullest (idle) buckets are dropped first. */
  clientsMax?: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly clientsMax: number;

  constructor(readonly options: RateLimitOptions) {
    if (!(options.perSecond > 0) || !(options.burst >= 1)) {
      throw new RangeError("rate limit needs perSecond > 0 and burst >= 1");
    }
    this.clientsMax = options.clientsMax ?? 100_000;
  }

  /** Takes one token for `client` at time `nowMs`; false when the bucket is empty. */
  take(client: string, nowMs: number): boolean {
    let b = this.buckets.get(client);
    if (b === undefined) {
      if (this.buckets.size >= this.clientsMax) this.evict(nowMs);
      b = { tokens: this.options.burst, updatedMs: nowMs };
      this.buckets.set(client, b);
    } else {
      const elapsedMs = Math.max(0, nowMs - b.updatedMs);
      b.tokens = Math.min(this.options.burst, b.tokens + (elapsedMs * this.options.perSecond) / 1000);
      b.updatedMs = nowMs;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Milliseconds until `client` has a token again (0 when it has one). */
  retryAfterMs(client: string, nowMs: number): number {
    const b = this.buckets.get(client);
    if (b === undefined) return 0;
    const tokens = Math.min(
      this.options.burst,
      b.tokens + ((nowMs - b.updatedMs) * this.options.perSecond) / 1000,
    );
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * 1000) / this.options.perSecond);
  }

  get size(): number {
    return this.buckets.size;
  }

  private evict(nowMs: number): void {
    const fullAfterMs = (this.options.burst * 1000) / this.options.perSecond;
    for (const [k, b] of this.buckets) {
      if (nowMs - b.updatedMs >= fullAfterMs) this.buckets.delete(k);
    }
    // Still full: everyone is active; drop the oldest quarter (insertion order) rather than refuse new clients.
    if (this.buckets.size >= this.clientsMax) {
      let drop = this.buckets.size >> 2;
      for (const k of this.buckets.keys()) {
        if (drop-- <= 0) break;
        this.buckets.delete(k);
      }
    }
  }
}
