/**
 * The embedded node: one process, one SQLite file. It admits transactions (the protocol's checkTx, run in
 * worker threads against the committed state), keeps them in the mempool, and produces blocks on a timer or
 * when a block's worth is waiting: protocol time from the clock, applyBlock over the committed state, and the
 * block with its transactions and state changes committed in one SQLite transaction.
 *
 * Acknowledgement contract: a transaction is reported "committed" only after the SQLite commit of its block
 * has returned (synchronous=FULL), so an acknowledged transaction survives a crash.
 */
import { EventEmitter } from "node:events";
import { PlurigridError } from "../core/errors.js";
import type { BlockHeader, CheckResult, ProtocolEvent, TxResult } from "../protocol/seam.js";
import { nextBlockTimeMs, wallClockMs } from "./clock.js";
import { NodeLock } from "./lock.js";
import { DEFAULT_MEMPOOL_LIMITS, Mempool, type MempoolLimits } from "./mempool.js";
import {
  accountNextNonce,
  applyBlockTxs,
  blockHashOf,
  MAX_BLOCK_BYTES,
  MAX_TX_BYTES,
  MAX_TXS_PER_BLOCK,
  queryState,
  refuseSimulationChain,
  txHashOf,
} from "./protocol-adapter.js";
import { CommittedState } from "./state-view.js";
import { type Head, Store, type StoredBlock, type StoredTx } from "./store.js";
import { AdmissionQueue } from "./workers/admission.js";
import { WorkerPool } from "./workers/pool.js";

export interface NodeOptions {
  /** The chain database (created by `plurigrid init`). */
  dbPath: string;
  /** Longest wait before pending transactions go into a block. */
  blockIntervalMs?: number;
  /** At most this many transactions per block (never more than the protocol's limit). */
  txsPerBlockMax?: number;
  /** Worker threads for admission checks; default: the machine's parallelism. */
  threads?: number;
  /** Produce blocks by itself (default true); tests may drive `produceBlock` by hand. */
  autoProduce?: boolean;
  mempoolLimits?: MempoolLimits;
  /** Wall clock in ms; only for tests that need to pin protocol time. */
  clockMs?: () => number;
}

export type TxStatus =
  | { hash: string; status: "pending" }
  | { hash: string; status: "committed"; height: number; index: number }
  | { hash: string; status: "rejected"; code: string; message: string; height?: number; index?: number }
  | { hash: string; status: "unknown" };

export interface CommittedBlock {
  header: BlockHeader;
  hash: string;
  txs: { hash: string; result: TxResult }[];
}

export interface NodeStatus {
  chainId: string;
  height: number;
  stateRoot: string;
  blockHash: string;
}

/** Recently rejected transactions remembered for status queries (admission rejections are not stored). */
const REJECTED_REMEMBERED_MAX = 100_000;

interface Waiting {
  bytes: Uint8Array;
  hash: string;
  resolve(status: TxStatus): void;
}

export class Node extends EventEmitter<{ block: [CommittedBlock]; halt: [Error] }> {
  readonly store: Store;
  private readonly lock: NodeLock;
  readonly chainId: string;
  private readonly state: CommittedState;
  private readonly mempool: Mempool;
  private readonly pool: WorkerPool;
  private readonly clockMs: () => number;
  private readonly blockIntervalMs: number;
  private readonly txsPerBlockMax: number;
  private head: Head;
  private readonly rejected = new Map<string, TxStatus>();
  private readonly admitting = new Map<string, Promise<TxStatus>>();
  private readonly watchers = new Map<string, Set<(s: TxStatus) => void>>();
  private readonly admission: AdmissionQueue<Waiting>;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private haltedWith: Error | undefined;

  constructor(options: NodeOptions) {
    super();
    const t = options.threads;
    if (t !== undefined && (!Number.isInteger(t) || t < 1)) {
      // Admission checks run only in workers: a node without one could never admit a transaction.
      throw new PlurigridError("NODE_OPTIONS_INVALID", `threads must be an integer >= 1 (got ${t})`);
    }
    this.lock = NodeLock.acquire(options.dbPath);
    try {
      this.store = Store.open(options.dbPath);
    } catch (e) {
      this.lock.release();
      throw e;
    }
    try {
      const meta = this.store.meta();
      refuseSimulationChain(JSON.parse(meta.genesisJson));
      this.chainId = meta.chainId;
      this.head = this.store.head();
    } catch (e) {
      this.store.close();
      this.lock.release();
      throw e;
    }
    this.state = new CommittedState(this.store);
    this.mempool = new Mempool(options.mempoolLimits ?? DEFAULT_MEMPOOL_LIMITS);
    this.pool = new WorkerPool({ threads: options.threads, dbPath: options.dbPath });
    this.admission = new AdmissionQueue<Waiting>(this.pool, {
      checked: (batch, checks) => this.admitBatch(batch, checks),
      failed: (batch, e) => this.failBatch(batch, e),
    });
    this.clockMs = options.clockMs ?? wallClockMs;
    this.blockIntervalMs = options.blockIntervalMs ?? 50;
    this.txsPerBlockMax = Math.min(options.txsPerBlockMax ?? MAX_TXS_PER_BLOCK, MAX_TXS_PER_BLOCK);
    if (options.autoProduce ?? true) {
      this.timer = setInterval(() => this.tick(), this.blockIntervalMs);
    }
  }

  /** Resolves when the worker threads are loaded and the node admits transactions at full speed. */
  ready(): Promise<void> {
    return this.pool.ready();
  }

  status(): NodeStatus {
    return {
      chainId: this.chainId,
      height: this.head.height,
      stateRoot: this.head.stateRoot,
      blockHash: this.head.hash,
    };
  }

  get pendingCount(): number {
    return this.mempool.size;
  }

  get halted(): Error | undefined {
    return this.haltedWith;
  }

  /**
   * Admits a signed transaction (its exact bytes). Resolves with "pending" once it is in the mempool,
   * "rejected" with the protocol's code, or the status it already has (committed, pending).
   */
  submit(given: Uint8Array): Promise<TxStatus> {
    // Own the bytes: a view into a larger buffer (an HTTP body slab) would keep it alive in the mempool and
    // be copied whole to the worker threads.
    const bytes = given.byteOffset === 0 && given.buffer.byteLength === given.length ? given : given.slice();
    if (this.closed) return Promise.reject(new PlurigridError("NODE_CLOSED", "the node is shutting down"));
    if (bytes.length > MAX_TX_BYTES) {
      return Promise.resolve({
        hash: "",
        status: "rejected",
        code: "TX_TOO_LARGE",
        message: `a transaction may have at most ${MAX_TX_BYTES} bytes, this one has ${bytes.length}`,
      });
    }
    const hash = txHashOf(bytes);
    // A committed duplicate is found after checkTx refuses its nonce (admit), which spares a lookup per submit.
    if (this.mempool.has(hash)) return Promise.resolve({ hash, status: "pending" });
    const inFlight = this.admitting.get(hash);
    if (inFlight !== undefined) return inFlight;
    const admitted = new Promise<TxStatus>((resolve) => this.admission.add({ bytes, hash, resolve }));
    this.admitting.set(hash, admitted);
    void admitted.finally(() => this.admitting.delete(hash));
    return admitted;
  }

  private admitBatch(batch: Waiting[], checks: CheckResult[]): void {
    for (let i = 0; i < batch.length; i++) batch[i].resolve(this.admit(batch[i], checks[i]));
    if (this.timer !== undefined && this.mempool.size >= this.txsPerBlockMax) setImmediate(() => this.tick());
  }

  private failBatch(batch: Waiting[], e: Error): void {
    const code = e instanceof PlurigridError ? e.code : "NODE_WORKER_FAILED";
    for (const w of batch) w.resolve({ hash: w.hash, status: "rejected", code, message: e.message });
  }

  private admit(w: Waiting, check: CheckResult): TxStatus {
    if (!check.ok) {
      // A used nonce may be this very transaction, committed: answer with its status rather than an error.
      const stored = check.code === "TX_BAD_NONCE" ? this.store.tx(w.hash) : undefined;
      if (stored?.result.ok === true) return statusOfStored(stored);
      return this.reject(w.hash, check.code, check.message);
    }
    if (this.closed) return this.reject(w.hash, "NODE_CLOSED", "the node is shutting down");
    if (this.mempool.has(w.hash)) return { hash: w.hash, status: "pending" };
    const committedNonce = accountNextNonce(this.state, check.sender);
    // A block may have committed since the worker read the state: re-check the nonce against it.
    if (check.nonce < committedNonce) {
      const stored = this.store.tx(w.hash);
      if (stored?.result.ok === true) return statusOfStored(stored);
      return this.reject(
        w.hash,
        "TX_BAD_NONCE",
        `nonce ${check.nonce} was already used; the account's next nonce is ${committedNonce}`,
      );
    }
    const added = this.mempool.add(
      { hash: w.hash, bytes: w.bytes, sender: check.sender, nonce: check.nonce },
      committedNonce,
    );
    if (!added.ok) return this.reject(w.hash, added.code, added.message);
    this.rejected.delete(w.hash);
    return { hash: w.hash, status: "pending" };
  }

  private reject(hash: string, code: string, message: string): TxStatus {
    const status: TxStatus = { hash, status: "rejected", code, message };
    if (this.rejected.size >= REJECTED_REMEMBERED_MAX) {
      this.rejected.delete(this.rejected.keys().next().value as string);
    }
    this.rejected.set(hash, status);
    return status;
  }

  private knownStatus(hash: string): TxStatus | undefined {
    if (this.mempool.has(hash)) return { hash, status: "pending" };
    const stored = this.store.tx(hash);
    if (stored !== undefined) return statusOfStored(stored);
    return this.rejected.get(hash);
  }

  txStatus(hash: string): TxStatus {
    return this.knownStatus(hash) ?? { hash, status: "unknown" };
  }

  /** Resolves when the transaction leaves "pending" (or is not pending at all), or after `timeoutMs`. */
  waitForTx(hash: string, timeoutMs: number): Promise<TxStatus> {
    const now = this.txStatus(hash);
    const admitting = this.admitting.get(hash);
    if ((now.status !== "pending" && admitting === undefined) || timeoutMs <= 0) return Promise.resolve(now);
    return new Promise((resolve) => {
      const set = this.watchers.get(hash) ?? new Set<(s: TxStatus) => void>();
      this.watchers.set(hash, set);
      const done = (s: TxStatus) => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) this.watchers.delete(hash);
        resolve(s);
      };
      const timer = setTimeout(() => done(this.txStatus(hash)), timeoutMs);
      set.add(done);
      // Admission may still reject it without a block; settle the watcher then.
      void admitting?.then((s) => {
        if (s.status === "rejected") done(s);
      });
    });
  }

  private notify(status: TxStatus): void {
    const set = this.watchers.get(status.hash);
    if (set !== undefined) for (const done of [...set]) done(status);
  }

  /** Next nonce of `account` counting its pending transactions that are ready in order. */
  pendingNonce(account: string): { nonce: number; pendingNonce: number } {
    const nonce = accountNextNonce(this.state, account);
    return { nonce, pendingNonce: this.mempool.runEnd(account, nonce) };
  }

  private tick(): void {
    if (this.closed || this.haltedWith !== undefined || this.mempool.size === 0) return;
    try {
      this.produceBlock();
    } catch (e) {
      this.halt(e as Error);
    }
  }

  private halt(e: Error): void {
    // An invariant violation or a failed commit: stop producing rather than continue on a state we doubt.
    this.haltedWith = e;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.emit("halt", e);
  }

  /** Builds, applies and commits one block from the mempool; undefined when nothing is ready. */
  produceBlock(): CommittedBlock | undefined {
    if (this.haltedWith !== undefined) throw this.haltedWith;
    const nonces = new Map<string, number>();
    const nextNonce = (sender: string) => {
      let n = nonces.get(sender);
      if (n === undefined) {
        n = accountNextNonce(this.state, sender);
        nonces.set(sender, n);
      }
      return n;
    };
    const selected = this.mempool.select(this.txsPerBlockMax, nextNonce, MAX_BLOCK_BYTES);
    if (selected.length === 0) {
      for (const sender of [...this.mempool.senders()]) this.dropStale(sender, nextNonce(sender));
      return undefined;
    }
    const txs = selected.map((e) => e.bytes);
    const partial = {
      chainId: this.chainId,
      height: this.head.height + 1,
      prevHash: this.head.hash,
      time: nextBlockTimeMs(this.head.timeMs, this.clockMs()),
    };
    // Every mempool transaction passed checkTx, signature included, in a worker thread.
    const result = applyBlockTxs(this.state, partial, txs, new Array<boolean>(txs.length).fill(true));
    const header: BlockHeader = { ...partial, txRoot: result.txRoot, stateRoot: result.stateRoot };
    const hash = blockHashOf(header);
    const txHashes = selected.map((e) => e.hash);
    this.store.commitBlock({ header, hash, txs, txHashes, results: result.results, changes: result.changes });
    // Committed and durable from here on.
    this.state.applyCommitted(result.changes);
    this.head = { height: header.height, hash, stateRoot: header.stateRoot, timeMs: header.time };
    const senders = new Set<string>();
    for (const e of selected) {
      this.mempool.remove(e.hash);
      senders.add(e.sender);
    }
    for (const sender of senders) this.dropStale(sender, accountNextNonce(this.state, sender));
    const block: CommittedBlock = {
      header,
      hash,
      txs: result.results.map((r, i) => ({ hash: txHashes[i], result: r })),
    };
    for (let i = 0; i < selected.length; i++) {
      const r = result.results[i];
      this.notify(
        r.ok
          ? { hash: txHashes[i], status: "committed", height: header.height, index: i }
          : {
              hash: txHashes[i],
              status: "rejected",
              code: r.code,
              message: r.message,
              height: header.height,
              index: i,
            },
      );
    }
    this.emit("block", block);
    return block;
  }

  private dropStale(sender: string, nextNonce: number): void {
    for (const e of this.mempool.pruneStale(sender, nextNonce)) {
      this.notify(
        this.reject(e.hash, "TX_BAD_NONCE", `nonce ${e.nonce} was used by another transaction of ${sender}`),
      );
    }
  }

  block(height: number): StoredBlock | undefined {
    return this.store.block(height);
  }

  blockTxs(height: number): StoredTx[] {
    return this.store.txsOf(height);
  }

  /** A state value and its proof against the current state root. */
  query(key: string): { height: number; stateRoot: string; value: Uint8Array | undefined; proof: unknown } {
    const { value, proof } = queryState(this.state, key);
    return { height: this.head.height, stateRoot: this.head.stateRoot, value, proof };
  }

  /** Events of a committed block, flattened (for the stream). */
  static eventsOf(block: CommittedBlock): ProtocolEvent[] {
    return block.txs.flatMap((t) => (t.result.ok ? t.result.events : []));
  }

  /** Stops producing, fails the transactions still being admitted, stops the workers, closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.pool.close();
    for (const [hash, set] of this.watchers) {
      const status = this.txStatus(hash);
      for (const done of [...set]) done(status);
    }
    this.store.close();
    this.lock.release();
  }
}

function statusOfStored(tx: StoredTx): TxStatus {
  return tx.result.ok
    ? { hash: tx.hash, status: "committed", height: tx.height, index: tx.index }
    : {
        hash: tx.hash,
        status: "rejected",
        code: tx.result.code,
        message: tx.result.message,
        height: tx.height,
        index: tx.index,
      };
}
