/**
 * A small pool of worker threads (node:worker_threads) for the CPU work that does not need the node's
 * in-memory state: Ed25519 signature checks and the admission check of incoming transactions. Each call
 * sends one batch per worker (messages are the expensive part, not the copying of a few hundred bytes).
 *
 * When this module runs from TypeScript source (tests, `tsx`), the worker is bootstrapped through tsx's
 * loader; from the compiled dist/ it loads the .js file directly.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { PlurigridError } from "../../core/errors.js";
import type { WorkerReply, WorkerRequest, WorkerTask, WorkerTaskResult } from "./messages.js";

export interface PoolOptions {
  /** Worker threads; default: the machine's parallelism, at least 1 and at most 8. */
  threads?: number;
  /** Chain database for the admission check (read-only, committed state). */
  dbPath?: string;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  inFlight: number;
  loaded: boolean;
  /** Resolves when the worker has loaded its code (it posts `{ ready: true }`), rejects if it dies first. */
  ready: Promise<void>;
}

/**
 * The worker lane of a signed transaction: from the first hex digits of its public key, which canonical
 * encoding puts right after `{"publicKey":"` (byte 14). Any bytes give some lane; only the spread matters.
 */
export function senderLane(tx: Uint8Array, lanes: number): number {
  if (tx.length < 18) return 0;
  return ((tx[14] << 16) | (tx[15] << 8) | tx[16]) % lanes;
}

export function defaultThreadCount(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

function spawn(dbPath: string | undefined): Worker {
  const fromSource = import.meta.url.endsWith(".ts");
  const target = new URL(fromSource ? "./worker.ts" : "./worker.js", import.meta.url);
  const workerData = { dbPath: dbPath ?? null };
  if (!fromSource) return new Worker(target, { workerData });
  const code = `import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(target.href)}); });`;
  return new Worker(code, { eval: true, workerData });
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  /** Set when a worker could not load: every call fails with it rather than wait forever. */
  private broken: PlurigridError | undefined;

  constructor(private readonly options: PoolOptions = {}) {
    const n = options.threads ?? defaultThreadCount();
    for (let i = 0; i < n; i++) this.slots.push(this.start());
  }

  get threads(): number {
    return this.slots.length;
  }

  private start(): Slot {
    const worker = spawn(this.options.dbPath);
    let markReady: () => void = () => {};
    let markFailed: (e: Error) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    ready.catch(() => {}); // observed through ready() and broken
    const slot: Slot = { worker, inFlight: 0, loaded: false, ready };
    worker.on("message", (reply: WorkerReply | { ready: true }) => {
      if ("ready" in reply) {
        slot.loaded = true;
        markReady();
        return;
      }
      const p = this.pending.get(reply.id);
      if (p === undefined) return;
      this.pending.delete(reply.id);
      slot.inFlight--;
      if (reply.error !== undefined) p.reject(new PlurigridError(reply.error.code, reply.error.message));
      else p.resolve(reply.result);
    });
    const onFailure = (e: Error) => {
      markFailed(e);
      this.failed(slot, e);
    };
    worker.on("error", onFailure);
    worker.on("exit", (code) => {
      if (!this.closed) onFailure(new Error(`worker exited with code ${code}`));
    });
    return slot;
  }

  private failed(slot: Slot, e: Error): void {
    // The jobs of a dead worker cannot be attributed one by one; fail all in flight.
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(new PlurigridError("NODE_WORKER_FAILED", `a verification worker failed: ${e.message}`));
    }
    for (const s of this.slots) s.inFlight = 0;
    const i = this.slots.indexOf(slot);
    if (i < 0 || this.closed) return;
    void slot.worker.terminate();
    if (!slot.loaded) {
      // It could not even load its code: a new one would fail the same way, in a loop. Stop here.
      this.broken ??= new PlurigridError(
        "NODE_WORKER_FAILED",
        `a worker thread could not start: ${e.message}`,
      );
      return;
    }
    this.slots[i] = this.start();
  }

  /** Resolves once every worker has loaded; NODE_WORKER_FAILED if one cannot. */
  async ready(): Promise<void> {
    // Re-read the slots after each wait: a worker that died after loading has been replaced.
    while (!this.closed) {
      if (this.broken) throw this.broken;
      const slots = [...this.slots];
      try {
        await Promise.all(slots.map((s) => s.ready));
      } catch {
        if (this.broken) throw this.broken;
      }
      if (slots.every((s, i) => this.slots[i] === s && s.loaded)) return;
    }
  }

  /** Runs one task on the least busy worker. */
  run<T extends WorkerTask>(task: T): Promise<WorkerTaskResult<T>> {
    let least = 0;
    for (let i = 1; i < this.slots.length; i++)
      if (this.slots[i].inFlight < this.slots[least].inFlight) least = i;
    return this.runOn(least, task);
  }

  /** Runs one task on worker `index` (0 <= index < threads), e.g. the lane of its senders. */
  runOn<T extends WorkerTask>(index: number, task: T): Promise<WorkerTaskResult<T>> {
    if (this.closed) return Promise.reject(new PlurigridError("NODE_CLOSED", "the worker pool is closed"));
    if (this.broken) return Promise.reject(this.broken);
    const slot = this.slots[index];
    if (slot === undefined) {
      return Promise.reject(new PlurigridError("NODE_WORKER_FAILED", `there is no worker ${index}`));
    }
    const id = this.nextId++;
    slot.inFlight++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const request: WorkerRequest = { id, task };
      slot.worker.postMessage(request);
    });
  }

  /** Splits `items` into one contiguous chunk per worker, runs `make(chunk)` on each, concatenates results. */
  async map<I, R>(items: readonly I[], make: (chunk: I[]) => WorkerTask, minChunk = 16): Promise<R[]> {
    if (items.length === 0) return [];
    const chunks = Math.max(1, Math.min(this.slots.length, Math.floor(items.length / minChunk)));
    const size = Math.ceil(items.length / chunks);
    const parts: Promise<unknown>[] = [];
    for (let i = 0; i < items.length; i += size) parts.push(this.run(make(items.slice(i, i + size))));
    const results = await Promise.all(parts);
    return results.flatMap((r) => (Array.isArray(r) ? r : Array.from(r as Uint8Array))) as R[];
  }

  /**
   * Like `map` for signed transactions, but each sender's transactions go to the same worker: a worker keeps
   * the parsed public keys it has seen (core/keys.ts caches KeyObjects, about as costly to build as one
   * verification), so sending a key to one worker instead of all saves that work. Falls back to even chunks
   * when one sender dominates the batch.
   */
  async mapBySender<R>(
    txs: readonly Uint8Array[],
    make: (chunk: Uint8Array[]) => WorkerTask,
    minChunk = 16,
  ): Promise<R[]> {
    const n = this.slots.length;
    if (n === 1) return this.map<Uint8Array, R>(txs, make, minChunk);
    const lanes: number[][] = Array.from({ length: n }, () => []);
    for (let i = 0; i < txs.length; i++) lanes[senderLane(txs[i], n)].push(i);
    // Small batches always follow their lanes (the key cache matters more than balance); a large batch that
    // is mostly one sender's is spread evenly instead.
    const largest = Math.max(...lanes.map((l) => l.length));
    if (txs.length >= 2 * n * minChunk && largest > 0.75 * txs.length) {
      return this.map<Uint8Array, R>(txs, make, minChunk);
    }
    const results = await Promise.all(
      lanes.map((lane) =>
        lane.length === 0 ? Promise.resolve([]) : this.run(make(lane.map((i) => txs[i]))),
      ),
    );
    const out = new Array<R>(txs.length);
    for (let w = 0; w < n; w++) {
      const r = results[w] as unknown as ArrayLike<R>;
      const lane = lanes[w];
      for (let j = 0; j < lane.length; j++) out[lane[j]] = r[j];
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(new PlurigridError("NODE_CLOSED", "the worker pool was closed"));
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
