/**
 * Admission batching for the worker pool: transactions wait in one queue per worker (chosen by sender, as
 * `senderLane` does, so each worker keeps the parsed keys of its senders), and each worker has at most two
 * batches in flight: the one it checks and the next one, so it never waits for the main thread. A batch
 * leaves when its worker has room: under light load that is at the next turn of the event loop, a batch of a
 * few; under heavy load batches grow to what arrived while the last one was checked, so the cost of a
 * message between threads is shared by hundreds of transactions instead of paid by a few.
 * A free worker whose own queue is empty takes the newer half of the longest other queue (it then builds
 * those senders' keys once more, which is cheaper than waiting).
 */
import type { CheckResult } from "../../protocol/seam.js";
import { senderLane, type WorkerPool } from "./pool.js";

/** Most transactions in one message to a worker. */
export const ADMISSION_BATCH_MAX = 512;
/** Batches in flight per worker. */
const IN_FLIGHT_MAX = 2;
/** A queue shorter than this is left to its own worker. */
const STEAL_MIN = 32;

export interface AdmissionHandlers<T> {
  /** The checks of a batch, in its order. */
  checked(items: T[], checks: CheckResult[]): void;
  /** The batch could not be checked (a worker died, the pool closed). */
  failed(items: T[], error: Error): void;
}

export class AdmissionQueue<T extends { bytes: Uint8Array }> {
  private readonly queues: T[][];
  private readonly inFlight: number[];
  private scheduled = false;

  constructor(
    private readonly pool: WorkerPool,
    private readonly handlers: AdmissionHandlers<T>,
    private readonly batchMax = ADMISSION_BATCH_MAX,
  ) {
    this.queues = Array.from({ length: pool.threads }, () => []);
    this.inFlight = new Array<number>(pool.threads).fill(0);
  }

  /** Transactions waiting for a free worker (not counting those being checked). */
  get queued(): number {
    let n = 0;
    for (const q of this.queues) n += q.length;
    return n;
  }

  add(item: T): void {
    const lane = senderLane(item.bytes, this.queues.length);
    const queue = this.queues[lane];
    queue.push(item);
    if (queue.length >= this.batchMax && this.inFlight[lane] < IN_FLIGHT_MAX) this.send(lane);
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.pump();
      });
    }
  }

  private pump(): void {
    for (let lane = 0; lane < this.queues.length; lane++) {
      while (this.inFlight[lane] < IN_FLIGHT_MAX && this.send(lane));
    }
  }

  /** Sends the next batch to worker `lane`; false when there was nothing for it. */
  private send(lane: number): boolean {
    const own = this.queues[lane];
    if (own.length > 0) {
      this.dispatch(lane, own.splice(0, this.batchMax));
      return true;
    }
    let longest = own;
    for (const q of this.queues) if (q.length > longest.length) longest = q;
    if (longest.length < STEAL_MIN) return false;
    this.dispatch(lane, longest.splice(longest.length >> 1, this.batchMax));
    return true;
  }

  private dispatch(lane: number, items: T[]): void {
    this.inFlight[lane]++;
    this.pool
      .runOn(lane, {
        kind: "checkTxs",
        txs: items.map((it) => it.bytes),
      })
      .then(
        (checks) => {
          this.inFlight[lane]--;
          this.handlers.checked(items, checks);
        },
        (e: Error) => {
          this.inFlight[lane]--;
          this.handlers.failed(items, e);
        },
      )
      .finally(() => this.pump());
  }
}
