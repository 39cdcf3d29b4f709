/**
 * Transactions admitted (checkTx passed) and not yet in a block. Per sender they are kept by nonce; a block
 * takes, for each sender, only the run of consecutive nonces that starts at the sender's next nonce in the
 * committed state, so a transaction that arrives ahead of its predecessor waits for it instead of failing.
 * Across senders the order is arrival order. Every collection is bounded (STYLE: explicit limits).
 */
export interface MempoolEntry {
  hash: string;
  bytes: Uint8Array;
  sender: string;
  nonce: number;
  /** Arrival sequence number, assigned by the mempool. */
  seq: number;
}

export interface MempoolLimits {
  /** All pending transactions together. */
  txsMax: number;
  /** Pending transactions of one sender. */
  perSenderMax: number;
  /** How far above the sender's next nonce a transaction may be and still wait. */
  nonceAheadMax: number;
}

export const DEFAULT_MEMPOOL_LIMITS: MempoolLimits = {
  txsMax: 100_000,
  perSenderMax: 1024,
  nonceAheadMax: 1024,
};

export type AddOutcome =
  | { ok: true; duplicate: boolean }
  | { ok: false; code: "MEMPOOL_FULL" | "MEMPOOL_NONCE_TAKEN" | "MEMPOOL_NONCE_TOO_FAR"; message: string };

export class Mempool {
  private readonly byHash = new Map<string, MempoolEntry>();
  private readonly bySender = new Map<string, Map<number, MempoolEntry>>();
  private nextSeq = 0;

  constructor(readonly limits: MempoolLimits = DEFAULT_MEMPOOL_LIMITS) {}

  get size(): number {
    return this.byHash.size;
  }

  has(hash: string): boolean {
    return this.byHash.has(hash);
  }

  /** `committedNonce` is the sender's next nonce in the committed state. */
  add(tx: Omit<MempoolEntry, "seq">, committedNonce: number): AddOutcome {
    if (this.byHash.has(tx.hash)) return { ok: true, duplicate: true };
    const own = this.bySender.get(tx.sender);
    const taken = own?.get(tx.nonce);
    if (taken !== undefined) {
      return {
        ok: false,
        code: "MEMPOOL_NONCE_TAKEN",
        message: `another transaction of ${tx.sender} with nonce ${tx.nonce} is already pending (${taken.hash})`,
      };
    }
    if (tx.nonce - committedNonce > this.limits.nonceAheadMax) {
      return {
        ok: false,
        code: "MEMPOOL_NONCE_TOO_FAR",
        message: `nonce ${tx.nonce} is more than ${this.limits.nonceAheadMax} ahead of the account's next nonce ${committedNonce}`,
      };
    }
    if (this.byHash.size >= this.limits.txsMax || (own?.size ?? 0) >= this.limits.perSenderMax) {
      return {
        ok: false,
        code: "MEMPOOL_FULL",
        message: "too many pending transactions; retry after the next block",
      };
    }
    const entry: MempoolEntry = { ...tx, seq: this.nextSeq++ };
    this.byHash.set(entry.hash, entry);
    if (own === undefined) this.bySender.set(entry.sender, new Map([[entry.nonce, entry]]));
    else own.set(entry.nonce, entry);
    return { ok: true, duplicate: false };
  }

  /**
   * Up to `txsMax` transactions (and `bytesMax` bytes) ready for the next block: for each sender the
   * consecutive run starting at `nextNonce(sender)`, merged across senders in arrival order without breaking
   * any sender's nonce order.
   */
  select(
    txsMax: number,
    nextNonce: (sender: string) => number,
    bytesMax = Number.POSITIVE_INFINITY,
  ): MempoolEntry[] {
    const runs: { entry: MempoolEntry; key: number }[] = [];
    for (const [sender, own] of this.bySender) {
      let nonce = nextNonce(sender);
      let key = -1;
      for (let e = own.get(nonce); e !== undefined; e = own.get(++nonce)) {
        // The key never decreases along a run, so sorting by it keeps each sender's nonces in order.
        key = Math.max(key, e.seq);
        runs.push({ entry: e, key });
      }
    }
    // Array.prototype.sort is stable, so equal keys keep their nonce order.
    runs.sort((a, b) => a.key - b.key);
    const out: MempoolEntry[] = [];
    let bytes = 0;
    for (const r of runs) {
      // A prefix of the order, so no sender's run is cut in the middle and resumed after a gap.
      if (out.length >= txsMax || bytes + r.entry.bytes.length > bytesMax) break;
      bytes += r.entry.bytes.length;
      out.push(r.entry);
    }
    return out;
  }

  /** The nonce after the sender's pending run of consecutive nonces that starts at `committedNonce`. */
  runEnd(sender: string, committedNonce: number): number {
    const own = this.bySender.get(sender);
    let nonce = committedNonce;
    while (own?.has(nonce)) nonce++;
    return nonce;
  }

  remove(hash: string): MempoolEntry | undefined {
    const e = this.byHash.get(hash);
    if (e === undefined) return undefined;
    this.byHash.delete(hash);
    const own = this.bySender.get(e.sender);
    if (own !== undefined) {
      own.delete(e.nonce);
      if (own.size === 0) this.bySender.delete(e.sender);
    }
    return e;
  }

  /** Removes and returns the sender's transactions whose nonce is below `nextNonce` (they can never apply). */
  pruneStale(sender: string, nextNonce: number): MempoolEntry[] {
    const own = this.bySender.get(sender);
    if (own === undefined) return [];
    const stale = [...own.values()].filter((e) => e.nonce < nextNonce);
    for (const e of stale) this.remove(e.hash);
    return stale;
  }

  senders(): IterableIterator<string> {
    return this.bySender.keys();
  }

  entries(): IterableIterator<MempoolEntry> {
    return this.byHash.values();
  }
}
