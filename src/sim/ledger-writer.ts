/**
 * Seals a run's chain and writes it into its SQLite store on a second thread, so that the simulation executes
 * the next block while the last one is sealed and written. The run hands over executed blocks
 * (protocol/block.ts executeBlock: results and application writes); the thread seals each one (sealBlock: the
 * link to the block before, the chain record and the state tree, which only it holds), hashes its header and
 * writes it, in the order handed over, with the same store and the same rows as applyBlock would give. The
 * run waits when the writer falls more than MAX_AHEAD blocks behind (bounded memory), and `close` waits until
 * every block is on disk and returns the chain's head. A block that does not seal or a write that fails
 * (disk full, …) surfaces as SIM_LEDGER_WRITE at the next hand-over or at `close`, never silently.
 *
 * Everything here is synchronous for the caller: the run's ledger commits blocks synchronously.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from "node:worker_threads";
import { PlurigridError } from "../core/errors.js";
import type { ChainMeta } from "../node/store.js";
import type { ExecutedBlock, ExecutionHeaderInput } from "../protocol/block.js";
import type { StateChange } from "../protocol/seam.js";
import type { ChainHead } from "./sealer.js";
import { spawnThread } from "./thread.js";

/** An executed block as the writer seals it: the header without prevHash (the writer knows the last hash). */
export interface BlockToSeal {
  header: ExecutionHeaderInput;
  txs: readonly Uint8Array[];
  txHashes: readonly string[];
  executed: ExecutedBlock;
}

export type WriterMessage = { kind: "block"; day: number; block: BlockToSeal } | { kind: "close" };
export type WriterReply =
  | { kind: "closed"; busyMs: number; head: ChainHead }
  | { kind: "error"; code: string; message: string };

/** How many blocks the writer may lag behind before the run waits for it. */
const MAX_AHEAD = 1024;
/**
 * The writer's nice value: it may lag (MAX_AHEAD), the run's thread may not, so on a busy machine the run gets
 * a core first (on two cores a year's run went from 25.4 to 24.4 ms per interval, medians of three).
 */
export const WRITER_NICENESS = 10;
/** A writer that writes nothing for this long while the run waits for it has failed. */
const STALL_MS = 300_000;

function spawn(workerData: unknown, transferList: MessagePort[]): Worker {
  // A thread whose code fails to load reports it like a failed write (the run may be waiting on it).
  return spawnThread(
    "ledger-writer.worker",
    workerData,
    transferList,
    `w.workerData.reply.postMessage({ kind: "error", code: "SIM_LEDGER_WRITE", message: String(e) });
     const c = new Int32Array(w.workerData.counters);
     Atomics.store(c, 1, 1);
     Atomics.notify(c, 1);`,
    WRITER_NICENESS,
  );
}

export class LedgerWriter {
  private readonly worker: Worker;
  private readonly counters = new Int32Array(new SharedArrayBuffer(8));
  private readonly replies: MessagePort;
  private sent = 0;
  private closed = false;
  /** Time the writer thread spent sealing and writing, ms (known after close). */
  busyMs = 0;
  /** The chain's head (known after close). */
  head: ChainHead | undefined;

  constructor(path: string, meta: ChainMeta, genesisChanges: readonly StateChange[]) {
    const channel = new MessageChannel();
    this.replies = channel.port1;
    this.worker = spawn(
      { path, meta, genesisChanges, counters: this.counters.buffer, reply: channel.port2 },
      [channel.port2],
    );
    // The thread must not keep a finished run's process alive; `close` waits for it explicitly.
    this.worker.unref();
  }

  /** Hands one executed block over; waits while the writer is MAX_AHEAD blocks behind. */
  write(day: number, block: BlockToSeal): void {
    this.check();
    this.worker.postMessage({ kind: "block", day, block } satisfies WriterMessage);
    this.sent++;
    this.waitUntil(() => this.sent - Atomics.load(this.counters, 0) <= MAX_AHEAD);
  }

  /**
   * Commits the last day and closes the store; returns the chain's head. Throws SIM_LEDGER_WRITE if a block
   * did not seal or a write failed.
   */
  close(): ChainHead {
    if (this.closed) {
      if (this.head === undefined) throw this.failure(undefined);
      return this.head;
    }
    this.check();
    this.closed = true;
    this.worker.postMessage({ kind: "close" } satisfies WriterMessage);
    this.waitUntil(() => false);
    return this.head as ChainHead;
  }

  /**
   * Blocks until `ready()` holds or the writer has finished (closed: returns; failed: throws). A writer that
   * writes nothing for STALL_MS meanwhile has failed (a thread that died without a word).
   */
  private waitUntil(ready: () => boolean): void {
    let done = Atomics.load(this.counters, 0);
    let since = performance.now();
    for (;;) {
      if (Atomics.load(this.counters, 1) !== 0) {
        const reply = this.reply();
        if (reply?.kind === "closed" && this.closed) {
          this.busyMs = reply.busyMs;
          this.head = reply.head;
          return;
        }
        this.closed = true;
        throw this.failure(reply);
      }
      if (ready()) return;
      Atomics.wait(this.counters, 0, done, 200);
      const now = Atomics.load(this.counters, 0);
      if (now !== done) {
        done = now;
        since = performance.now();
      } else if (performance.now() - since > STALL_MS) {
        this.closed = true;
        throw new PlurigridError(
          "SIM_LEDGER_WRITE",
          `the ledger writer made no progress for ${STALL_MS / 1000} s`,
        );
      }
    }
  }

  private check(): void {
    if (Atomics.load(this.counters, 1) === 0) return;
    this.closed = true;
    throw this.failure(this.reply());
  }

  private reply(): WriterReply | undefined {
    // The reply is posted before the flag is set, so it is on the port once the flag is seen.
    return receiveMessageOnPort(this.replies)?.message as WriterReply | undefined;
  }

  private failure(reply: WriterReply | undefined): PlurigridError {
    const why =
      reply?.kind === "error" ? `${reply.code}: ${reply.message}` : "the writer thread stopped unexpectedly";
    return new PlurigridError("SIM_LEDGER_WRITE", `cannot write the run's ledger: ${why}`);
  }
}
