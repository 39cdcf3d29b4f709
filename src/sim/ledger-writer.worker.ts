/**
 * The thread that seals a run's chain and writes it into its SQLite store (see ledger-writer.ts). It opens
 * the store, writes genesis, then seals and writes one block per message, in order; one SQLite transaction
 * per simulated day, each changed state row written once in it. It holds the rows sealing needs (the chain
 * record and the state tree; the run holds the application's). After each block it counts it done in the
 * shared counter (the run waits on it when too far ahead); a failure is reported on the reply port and stops
 * the writing.
 */
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import { type ChainMeta, Store } from "../node/store.js";
import type { StateChange } from "../protocol/seam.js";
import type { BlockToSeal, WriterMessage, WriterReply } from "./ledger-writer.js";
import { ChainSealer } from "./sealer.js";

interface WriterData {
  path: string;
  meta: ChainMeta;
  genesisChanges: StateChange[];
  /** Int32Array over a SharedArrayBuffer: [0] blocks written, [1] 1 once closed or failed. */
  counters: SharedArrayBuffer;
  reply: MessagePort;
}

const data = workerData as WriterData;
const counters = new Int32Array(data.counters);
let store: Store | undefined;
let day: number | null = null;
let failed = false;
let busyMs = 0;
const sealer = new ChainSealer(data.genesisChanges, data.meta.genesisStateRoot);

/**
 * The day's state changes not yet written, by key (null: deleted). The store keeps only the latest state, and
 * the day's blocks commit in one SQLite transaction, so each changed row is written once, before the day
 * commits, with its last value: the tree's upper nodes change in every block, and were rewritten ~300 times
 * a day.
 */
const dayState = new Map<string, Uint8Array | null>();

/** Seals the block on the last one (the chain record and the tree), hashes it and writes it. */
function sealAndWrite(s: Store, block: BlockToSeal): void {
  const { header, hash, changes } = sealer.seal(block.header, block.executed);
  s.commitBlock({
    header,
    hash,
    txs: block.txs,
    txHashes: block.txHashes,
    results: block.executed.results,
    changes: [],
  });
  for (const [key, value] of changes) dayState.set(key, value);
}

/** Writes the day's state changes (in key order, as a block writes them) ahead of its COMMIT. */
function writeDayState(s: Store): void {
  const keys = [...dayState.keys()].sort();
  s.writeState(keys.map((k) => [k, dayState.get(k) ?? null]));
  dayState.clear();
}

function finish(reply: WriterReply): void {
  data.reply.postMessage(reply);
  Atomics.store(counters, 1, 1);
  Atomics.notify(counters, 1);
}

function fail(e: unknown): void {
  failed = true;
  const err = e as { code?: string; message?: string };
  try {
    store?.close();
  } catch {
    // the first error is the one reported
  }
  finish({ kind: "error", code: err.code ?? "STORE_WRITE", message: err.message ?? String(e) });
}

try {
  store = Store.open(data.path);
  // A run's chain is written once and checked afterwards (`plurigrid verify`); a crash mid-run means
  // re-running, so per-block fsync buys nothing here.
  store.database.pragma("synchronous = OFF");
  store.initialize(data.meta, data.genesisChanges);
  store.database.pragma("cache_size = -262144");
  store.database.exec("BEGIN");
} catch (e) {
  fail(e);
}

parentPort!.on("message", (m: WriterMessage) => {
  if (failed || store === undefined) return;
  const t0 = performance.now();
  try {
    if (m.kind === "block") {
      // One SQLite transaction per simulated day (each block a savepoint inside it): a run that stops leaves
      // a complete, verifiable prefix of its chain, and the write-ahead log is reused between days.
      if (m.day !== day) {
        if (day !== null) {
          writeDayState(store);
          store.database.exec("COMMIT; BEGIN");
        }
        day = m.day;
      }
      sealAndWrite(store, m.block);
      busyMs += performance.now() - t0;
      Atomics.add(counters, 0, 1);
      Atomics.notify(counters, 0);
    } else {
      writeDayState(store);
      store.database.exec("COMMIT");
      store.close();
      busyMs += performance.now() - t0;
      finish({ kind: "closed", busyMs, head: sealer.head });
      parentPort!.close();
    }
  } catch (e) {
    fail(e);
  }
});
