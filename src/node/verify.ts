/**
 * `plurigrid verify`: replays the whole chain from its genesis document with the protocol's own code and
 * checks everything the database claims: each header's fields and hash, the hash links, the transaction
 * hashes and root, every signature, every transaction result, every state root, and finally every stored
 * state row against the replayed state. It reports the first divergence (the height, or the state key).
 *
 * Signatures are checked in worker threads a few blocks ahead of the replay (the verdicts applyBlock takes,
 * read without decoding: signatureVerdictOf), so the main thread only applies blocks.
 */
import { isPlurigridError } from "../core/errors.js";
import type { BlockHeader } from "../protocol/seam.js";
import {
  applyBlockTxs,
  blockHashOf,
  canonicalJson,
  genesisOf,
  txHashOf,
  txRootOf,
} from "./protocol-adapter.js";
import { MemoryState } from "./state-view.js";
import { resultOf, Store, ZERO_HASH } from "./store.js";
import { WorkerPool } from "./workers/pool.js";

export type VerifyOutcome =
  | { ok: true; height: number; stateRoot: string; blockHash: string; txCount: number; stateKeys: number }
  | {
      ok: false;
      /** Height of the first bad block; 0 for the genesis; null when the blocks replay but a stored row differs. */
      height: number | null;
      /** What differs, for a person. */
      what: string;
      /** The state key, for a divergence found by the final state comparison. */
      key?: string;
      txCount: number;
    };

export interface VerifyOptions {
  /** Worker threads for signatures (default: the machine's parallelism); 0 verifies on the main thread. */
  threads?: number;
  /** A started pool to use instead of starting one (it is left open); `threads` is then ignored. */
  pool?: WorkerPool;
  /** Blocks whose signatures are checked ahead of the replay. */
  lookaheadBlocks?: number;
  /** Called after each replayed block (progress). */
  onBlock?: (height: number) => void;
}

interface LoadedBlock {
  height: number;
  hashColumn: string;
  headerText: string;
  txCountColumn: number;
  rows: { idx: number; hash: string; bytes: Uint8Array; result: string }[];
  verdicts: Promise<Uint8Array | undefined>;
}

class Divergence extends Error {
  constructor(
    readonly height: number | null,
    readonly what: string,
    readonly key?: string,
  ) {
    super(what);
  }
}

const HEADER_FIELDS = ["chainId", "height", "prevHash", "time", "txRoot", "stateRoot"] as const;

function parseHeaderText(text: string, height: number): BlockHeader {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Divergence(height, `the stored header of block ${height} is not JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Divergence(height, `the stored header of block ${height} is not an object`);
  }
  const keys = Object.keys(value).sort();
  if (keys.join(",") !== [...HEADER_FIELDS].sort().join(",")) {
    throw new Divergence(height, `the stored header of block ${height} has fields ${keys.join(", ")}`);
  }
  // The stored text is the canonical encoding of the header, so any other spelling is a changed byte.
  if (canonicalJson(value) !== text) {
    throw new Divergence(height, `the stored header of block ${height} is not in canonical form`);
  }
  return value as BlockHeader;
}

export async function verifyChain(dbPath: string, options: VerifyOptions = {}): Promise<VerifyOutcome> {
  const store = Store.open(dbPath, { readonly: true });
  const ownPool = options.pool === undefined && options.threads !== 0;
  const pool = options.pool ?? (ownPool ? new WorkerPool({ threads: options.threads }) : undefined);
  let txCount = 0;
  try {
    // One read transaction: a consistent snapshot even while a node keeps committing to the same file.
    store.database.exec("BEGIN");
    const meta = store.meta();
    let g: ReturnType<typeof genesisOf>;
    try {
      g = genesisOf(JSON.parse(meta.genesisJson));
    } catch (e) {
      throw new Divergence(0, `the stored genesis document does not load: ${(e as Error).message}`);
    }
    if (g.chainId !== meta.chainId)
      throw new Divergence(0, `chain id ${meta.chainId} is not the genesis's ${g.chainId}`);
    if (g.stateRoot !== meta.genesisStateRoot) {
      throw new Divergence(
        0,
        `genesis state root ${g.stateRoot} differs from the stored ${meta.genesisStateRoot}`,
      );
    }
    if (g.genesisTimeMs !== meta.genesisTimeMs)
      throw new Divergence(0, "the stored genesis time differs from the document");
    const state = new MemoryState();
    state.apply(g.changes);

    const lookahead = Math.max(1, options.lookaheadBlocks ?? 8);
    const blocks = store.blockRows();
    const queue: LoadedBlock[] = [];
    let exhausted = false;
    const fill = () => {
      while (!exhausted && queue.length < lookahead) {
        const next = blocks.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        const row = next.value;
        const rows = store.txRowsOf(row.height).map((r) => ({
          idx: r.idx,
          hash: r.hash,
          bytes: Uint8Array.prototype.slice.call(r.bytes), // owned: sent to worker threads
          result: r.result,
        }));
        const txs = rows.map((r) => r.bytes);
        const verdicts =
          // Simulation chains' digests cost less to check inline than to ship to a worker.
          pool === undefined || g.signatureScheme !== "ed25519"
            ? Promise.resolve(undefined)
            : pool
                .mapBySender<number>(txs, (chunk) => ({ kind: "signatureVerdicts", txs: chunk }), 64)
                .then((v) => Uint8Array.from(v));
        verdicts.catch(() => {}); // awaited below; never an unhandled rejection while queued
        queue.push({
          height: row.height,
          hashColumn: row.hash,
          headerText: row.header,
          txCountColumn: row.txCount,
          rows,
          verdicts,
        });
      }
    };

    let prev = { height: 0, hash: ZERO_HASH, stateRoot: g.stateRoot, timeMs: g.genesisTimeMs };
    fill();
    while (queue.length > 0) {
      const b = queue.shift() as LoadedBlock;
      fill();
      const h = prev.height + 1;
      if (b.height !== h)
        throw new Divergence(h, `block ${h} is missing (the next stored block is ${b.height})`);
      const header = parseHeaderText(b.headerText, h);
      if (header.height !== h) throw new Divergence(h, `block ${h}'s header says height ${header.height}`);
      if (header.chainId !== meta.chainId)
        throw new Divergence(h, `block ${h} is for chain ${header.chainId}`);
      if (header.prevHash !== prev.hash) {
        throw new Divergence(
          h,
          `block ${h}'s prevHash ${header.prevHash} is not block ${prev.height}'s hash ${prev.hash}`,
        );
      }
      if (!(header.time > prev.timeMs)) throw new Divergence(h, `block ${h}'s time does not increase`);
      const hash = blockHashOf(header);
      if (hash !== b.hashColumn)
        throw new Divergence(h, `block ${h}'s stored hash ${b.hashColumn} is not its header's ${hash}`);
      if (b.rows.length !== b.txCountColumn) {
        throw new Divergence(
          h,
          `block ${h} says ${b.txCountColumn} transactions, ${b.rows.length} are stored`,
        );
      }
      const txs: Uint8Array[] = [];
      for (let i = 0; i < b.rows.length; i++) {
        const r = b.rows[i];
        if (r.idx !== i) throw new Divergence(h, `block ${h} has no transaction at index ${i}`);
        txs.push(r.bytes);
      }
      const verdicts = await b.verdicts;
      // The block is applied first because it computes each transaction's hash and the root anyway; the
      // checks are reported in the order a reader expects: tx hashes, tx root, block rules, results, state.
      let result: ReturnType<typeof applyBlockTxs> | undefined;
      let refused: Divergence | undefined;
      try {
        result = applyBlockTxs(
          state,
          { chainId: header.chainId, height: header.height, prevHash: header.prevHash, time: header.time },
          txs,
          verdicts === undefined ? undefined : Array.from(verdicts, (v) => v === 1),
        );
      } catch (e) {
        if (isPlurigridError(e) && e.code.startsWith("BLOCK_")) {
          refused = new Divergence(h, `block ${h} breaks a block rule: ${e.code}: ${e.message}`);
        } else throw e;
      }
      for (let i = 0; i < txs.length; i++) {
        const id = result === undefined ? txHashOf(txs[i]) : result.results[i].txHash;
        const stored = b.rows[i].hash;
        if (id !== stored)
          throw new Divergence(h, `transaction ${i} of block ${h}: stored hash ${stored} is not ${id}`);
      }
      const root = result === undefined ? txRootOf(txs) : result.txRoot;
      if (root !== header.txRoot)
        throw new Divergence(h, `block ${h}'s txRoot ${header.txRoot} is not ${root}`);
      if (result === undefined) throw refused;
      for (let i = 0; i < txs.length; i++) {
        const replayed = canonicalJson(resultOf(result.results[i]));
        if (replayed !== b.rows[i].result) {
          throw new Divergence(
            h,
            `transaction ${i} of block ${h}: stored result ${b.rows[i].result} but replay gives ${replayed}`,
          );
        }
      }
      if (result.stateRoot !== header.stateRoot) {
        throw new Divergence(
          h,
          `block ${h}'s stateRoot ${header.stateRoot} but replay gives ${result.stateRoot}`,
        );
      }
      state.apply(result.changes);
      txCount += txs.length;
      prev = { height: h, hash, stateRoot: header.stateRoot, timeMs: header.time };
      options.onBlock?.(h);
    }

    compareState(store, state);
    return {
      ok: true,
      height: prev.height,
      stateRoot: prev.stateRoot,
      blockHash: prev.hash,
      txCount,
      stateKeys: state.map.size,
    };
  } catch (e) {
    if (e instanceof Divergence) {
      return {
        ok: false,
        height: e.height,
        what: e.what,
        ...(e.key !== undefined ? { key: e.key } : {}),
        txCount,
      };
    }
    throw e;
  } finally {
    if (ownPool) await pool?.close();
    store.close();
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/** Every stored row must be a replayed row with the same bytes, and every replayed row must be stored. */
function compareState(store: Store, state: MemoryState): void {
  const seen = new Set<string>();
  let firstBad: { key: string; what: string } | undefined;
  const note = (key: string, what: string) => {
    if (firstBad === undefined || key < firstBad.key) firstBad = { key, what };
  };
  for (const row of store.stateRows()) {
    seen.add(row.key);
    const replayed = state.map.get(row.key);
    if (replayed === undefined)
      note(row.key, `stored state key ${JSON.stringify(row.key)} does not exist in the replayed state`);
    else if (!sameBytes(replayed, row.value))
      note(row.key, `stored value of state key ${JSON.stringify(row.key)} differs from the replayed value`);
  }
  for (const key of state.map.keys()) {
    if (!seen.has(key))
      note(key, `replayed state key ${JSON.stringify(key)} is missing from the stored state`);
  }
  if (firstBad !== undefined) throw new Divergence(null, firstBad.what, firstBad.key);
}
