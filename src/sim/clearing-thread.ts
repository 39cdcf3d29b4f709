/**
 * The reference solver on a second thread, so that a run can clear the next interval's book while it applies
 * the last interval's blocks and runs its physics (run.ts decides when the next book is already final). The
 * thread runs the same `referenceSolution` on the same book, with its own HiGHS: the solution is the one the
 * run would compute itself (a test holds a run with and without the thread to the same result hash).
 */
import type { Worker } from "node:worker_threads";
import { PlurigridError } from "../core/errors.js";
import type { Book, BookIntent } from "../intents/book.js";
import type { MarketNetworkInput } from "../intents/network.js";
import type { Solution } from "../intents/schema.js";
import type { ReferenceOptions } from "../intents/solver.js";
import { type Priority, SOURCE_KINDS } from "../market/types.js";
import { spawnThread } from "./thread.js";

/**
 * A book to clear: everything but the network, which the thread builds from its input the first time it
 * sees its key (marketNetworkSpec) and keeps; later requests name the key only.
 */
export interface ClearingRequest {
  id: number;
  book: PackedBook;
  network: { key: string; input?: MarketNetworkInput };
  options: Omit<ReferenceOptions, "solver">;
}

const PRIORITIES: readonly Priority[] = ["critical", "baseline", "normal"];
const BUY = 1;
const EXPIRED = 2;
const PRESENT = 4;

/**
 * A book's intents in columns (typed arrays and one table of strings), which a thread receives far faster
 * than the same intents as objects; `unpackBook(packBook(b))` is `b` (a property test holds it).
 */
export interface PackedBook {
  interval: number;
  intervalMinutes: number;
  lifeline: Book["lifeline"];
  flags: Uint8Array;
  seq: Int32Array;
  quantityWh: Float64Array;
  minFillWh: Float64Array;
  limitPrice: Float64Array;
  /** NaN: null. */
  bus: Float64Array;
  /** NaN: null. */
  carbon: Float64Array;
  priority: Uint8Array;
  /** Index into SOURCE_KINDS, −1: null. */
  kind: Int8Array;
  /** Index into `strings`. */
  participant: Int32Array;
  /** Index into `strings`, −1: null. */
  microgrid: Int32Array;
  strings: string[];
  /** The intents whose id is not their number, or that have predicates or an `expired` field, by index. */
  rest: [number, { id?: string; predicates?: BookIntent["predicates"]; expired?: boolean }][];
}

export function packBook(book: Omit<Book, "network">): PackedBook {
  const n = book.intents.length;
  const p: PackedBook = {
    interval: book.interval,
    intervalMinutes: book.intervalMinutes,
    lifeline: book.lifeline,
    flags: new Uint8Array(n),
    seq: new Int32Array(n),
    quantityWh: new Float64Array(n),
    minFillWh: new Float64Array(n),
    limitPrice: new Float64Array(n),
    bus: new Float64Array(n),
    carbon: new Float64Array(n),
    priority: new Uint8Array(n),
    kind: new Int8Array(n),
    participant: new Int32Array(n),
    microgrid: new Int32Array(n),
    strings: [],
    rest: [],
  };
  const index = new Map<string, number>();
  const str = (x: string) => {
    let i = index.get(x);
    if (i === undefined) {
      i = p.strings.length;
      p.strings.push(x);
      index.set(x, i);
    }
    return i;
  };
  for (let i = 0; i < n; i++) {
    const it = book.intents[i];
    if (it === null) continue;
    p.flags[i] = PRESENT | (it.side === "buy" ? BUY : 0) | (it.expired === true ? EXPIRED : 0);
    p.seq[i] = it.seq;
    p.quantityWh[i] = it.quantityWh;
    p.minFillWh[i] = it.minFillWh;
    p.limitPrice[i] = it.limitPrice;
    p.bus[i] = it.bus ?? Number.NaN;
    p.carbon[i] = it.carbon ?? Number.NaN;
    p.priority[i] = PRIORITIES.indexOf(it.priority);
    p.kind[i] = it.kind === null ? -1 : SOURCE_KINDS.indexOf(it.kind);
    p.participant[i] = str(it.participant);
    p.microgrid[i] = it.microgrid === null ? -1 : str(it.microgrid);
    if (it.id !== String(it.seq) || it.predicates.length > 0 || it.expired === undefined) {
      const extra: PackedBook["rest"][number][1] = {};
      if (it.id !== String(it.seq)) extra.id = it.id;
      if (it.predicates.length > 0) extra.predicates = it.predicates;
      if (it.expired === undefined) extra.expired = undefined;
      p.rest.push([i, extra]);
    }
  }
  return p;
}

export function unpackBook(p: PackedBook): Omit<Book, "network"> {
  const rest = new Map(p.rest);
  const intents: (BookIntent | null)[] = [];
  for (let i = 0; i < p.flags.length; i++) {
    const f = p.flags[i];
    if ((f & PRESENT) === 0) {
      intents.push(null);
      continue;
    }
    const extra = rest.get(i);
    const it: BookIntent = {
      seq: p.seq[i],
      id: extra?.id ?? String(p.seq[i]),
      participant: p.strings[p.participant[i]],
      side: (f & BUY) !== 0 ? "buy" : "sell",
      quantityWh: p.quantityWh[i],
      minFillWh: p.minFillWh[i],
      limitPrice: p.limitPrice[i],
      bus: Number.isNaN(p.bus[i]) ? null : p.bus[i],
      microgrid: p.microgrid[i] < 0 ? null : p.strings[p.microgrid[i]],
      kind: p.kind[i] < 0 ? null : SOURCE_KINDS[p.kind[i]],
      carbon: Number.isNaN(p.carbon[i]) ? null : p.carbon[i],
      priority: PRIORITIES[p.priority[i]],
      predicates: extra?.predicates ?? [],
    };
    it.expired = extra !== undefined && "expired" in extra ? extra.expired : (f & EXPIRED) !== 0;
    intents.push(it);
  }
  const book: Omit<Book, "network"> = { interval: p.interval, intervalMinutes: p.intervalMinutes, intents };
  if (p.lifeline !== undefined) book.lifeline = p.lifeline;
  return book;
}

/** The typed arrays of a packed book, handed over to the thread instead of copied. */
function buffersOf(p: PackedBook): ArrayBuffer[] {
  return [
    p.flags,
    p.seq,
    p.quantityWh,
    p.minFillWh,
    p.limitPrice,
    p.bus,
    p.carbon,
    p.priority,
    p.kind,
    p.participant,
    p.microgrid,
  ].map((a) => a.buffer as ArrayBuffer);
}

/** The thread's answer, with the time it spent on the book (ms). */
export type ClearingReply = { id: number; busyMs: number } & (
  | { ok: true; solution: Solution }
  | { ok: false; code: string; message: string; details?: Record<string, unknown> }
);

export class ClearingThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(s: Solution): void; reject(e: unknown): void }>();
  private nextId = 0;
  private failure: PlurigridError | undefined;
  /** Keys of the networks the thread has been given (it keeps every one; a run sees a few topologies). */
  private readonly networks = new Set<string>();
  /** Time the thread spent clearing books, ms. */
  busyMs = 0;

  constructor() {
    this.worker = spawnThread(
      "clearing-thread.worker",
      undefined,
      [],
      `w.parentPort.postMessage({ id: -1, busyMs: 0, ok: false, code: "SIM_CLEARING_THREAD", message: String(e) });`,
    );
    this.worker.on("message", (reply: ClearingReply) => this.settle(reply));
    this.worker.on("error", (e) => this.fail(`the clearing thread failed: ${String(e)}`));
    this.worker.on("exit", (code) => this.fail(`the clearing thread exited (code ${code})`));
    // A finished run's process must not wait for an idle thread; `close` ends it explicitly.
    this.worker.unref();
  }

  /** The reference solution of `book` on the network `network` (marketNetworkSpec), computed on the thread. */
  solve(
    book: Omit<Book, "network">,
    network: { key: string; input: () => MarketNetworkInput },
    options: ClearingRequest["options"],
  ): Promise<Solution> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    const result = new Promise<Solution>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    // Referenced while a book is being cleared: the run awaits the answer.
    this.worker.ref();
    const packed = packBook(book);
    const known = this.networks.has(network.key);
    this.networks.add(network.key);
    const net = known ? { key: network.key } : { key: network.key, input: network.input() };
    this.worker.postMessage(
      { id, book: packed, network: net, options } satisfies ClearingRequest,
      buffersOf(packed),
    );
    return result;
  }

  /** Ends the thread; books still being cleared are rejected. */
  async close(): Promise<void> {
    this.fail("the clearing thread was closed");
    await this.worker.terminate();
  }

  private settle(reply: ClearingReply): void {
    if (reply.id === -1 && !reply.ok) {
      this.fail(`the clearing thread could not start: ${reply.message}`);
      return;
    }
    this.busyMs += reply.busyMs;
    const p = this.pending.get(reply.id);
    if (p === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.ok) p.resolve(reply.solution);
    else p.reject(new PlurigridError(reply.code, reply.message, reply.details));
  }

  private fail(message: string): void {
    this.failure ??= new PlurigridError("SIM_CLEARING_THREAD", message);
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }
}
