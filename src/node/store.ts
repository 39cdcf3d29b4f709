/**
 * The node's one durable store: a SQLite file through better-sqlite3, in WAL mode with synchronous=FULL so
 * that a commit that has returned survives a crash or power loss (SQLite "WAL mode ... FULL": the WAL is
 * synced at every commit). Each block is written in ONE SQLite transaction together with its transactions,
 * their results and every state change it made, so a reader (or a restart after SIGKILL) sees either the
 * whole block or none of it.
 *
 * Tables: meta (chain id, genesis document, format), blocks (height, hash, header JSON, tx count),
 * txs (height, index, hash, bytes, result JSON), state (key, value). The state table holds the protocol's
 * key space, including the nodes of its authenticated tree, so the state root is persisted with the state.
 */
import Database from "better-sqlite3";
import { assert, PlurigridError } from "../core/errors.js";
import type { BlockHeader, ProtocolEvent, StateChange, TxResult } from "../protocol/seam.js";
import { canonicalJson } from "./protocol-adapter.js";

/** Bumped when the layout of the file changes; a node refuses a file of another format. */
export const STORE_FORMAT = "plurigrid-sqlite-1";
/** The `prevHash` of block 1 (seam.ts). */
export const ZERO_HASH = "0".repeat(64);

export interface ChainMeta {
  chainId: string;
  /** The genesis document exactly as given to the protocol, canonical JSON. */
  genesisJson: string;
  genesisStateRoot: string;
  /** Protocol time of the genesis, ms; block 1's time is strictly greater. */
  genesisTimeMs: number;
}

export interface StoredBlock {
  height: number;
  hash: string;
  header: BlockHeader;
  txCount: number;
}

export interface StoredTx {
  height: number;
  index: number;
  hash: string;
  bytes: Uint8Array;
  result: StoredTxResult;
}

/** A TxResult without its hash (the row has it). */
export type StoredTxResult =
  | { ok: true; events: ProtocolEvent[] }
  | { ok: false; code: string; message: string };

/** The tip of the chain: the last block, or the genesis as height 0. */
export interface Head {
  height: number;
  hash: string;
  stateRoot: string;
  timeMs: number;
}

export interface BlockToCommit {
  header: BlockHeader;
  hash: string;
  txs: readonly Uint8Array[];
  txHashes: readonly string[];
  results: readonly TxResult[];
  changes: readonly StateChange[];
}

export interface StoreOptions {
  readonly?: boolean;
}

/** WAL pages between automatic checkpoints (SQLite's default is 1,000). */
const WAL_AUTOCHECKPOINT_PAGES = 8192;

/** Rows per multi-row INSERT when a block is written (SQLite allows 32,766 parameters per statement). */
const ROWS_PER_INSERT = 64;

/** "(?, ?), (?, ?), …": ROWS_PER_INSERT rows of `columns` parameters. */
function rows(columns: number): string {
  const row = `(${new Array(columns).fill("?").join(", ")})`;
  return new Array(ROWS_PER_INSERT).fill(row).join(", ");
}

function storeError(code: string, message: string, details: Record<string, unknown> = {}): PlurigridError {
  return new PlurigridError(code, message, details);
}

export function resultOf(r: TxResult): StoredTxResult {
  return r.ok ? { ok: true, events: r.events } : { ok: false, code: r.code, message: r.message };
}

export class Store {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly stmt: {
    getState: Database.Statement<[string], Buffer>;
    putState: Database.Statement<[string, Uint8Array]>;
    delState: Database.Statement<[string]>;
    putBlock: Database.Statement<[number, string, string, number]>;
    putTx: Database.Statement<[number, number, string, Uint8Array, string]>;
    putStateMany: Database.Statement<unknown[]>;
    putTxMany: Database.Statement<unknown[]>;
    getBlock: Database.Statement<[number], { height: number; hash: string; header: string; txCount: number }>;
    lastBlock: Database.Statement<[], { height: number; hash: string; header: string; txCount: number }>;
    txsOf: Database.Statement<
      [number],
      { height: number; idx: number; hash: string; bytes: Buffer; result: string }
    >;
    txByHash: Database.Statement<
      [string],
      { height: number; idx: number; hash: string; bytes: Buffer; result: string }
    >;
  };
  private readonly commitTx: (block: BlockToCommit) => void;
  private metaCache: ChainMeta | undefined;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.db = db;
    this.stmt = {
      getState: db.prepare<[string], Buffer>("SELECT value FROM state WHERE key = ?").pluck(),
      putState: db.prepare(
        "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      ),
      delState: db.prepare("DELETE FROM state WHERE key = ?"),
      putBlock: db.prepare("INSERT INTO blocks (height, hash, header, txCount) VALUES (?, ?, ?, ?)"),
      putTx: db.prepare("INSERT INTO txs (height, idx, hash, bytes, result) VALUES (?, ?, ?, ?, ?)"),
      putStateMany: db.prepare(
        `INSERT INTO state (key, value) VALUES ${rows(2)} ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      ),
      putTxMany: db.prepare(`INSERT INTO txs (height, idx, hash, bytes, result) VALUES ${rows(5)}`),
      getBlock: db.prepare("SELECT height, hash, header, txCount FROM blocks WHERE height = ?"),
      lastBlock: db.prepare("SELECT height, hash, header, txCount FROM blocks ORDER BY height DESC LIMIT 1"),
      txsOf: db.prepare("SELECT height, idx, hash, bytes, result FROM txs WHERE height = ? ORDER BY idx"),
      txByHash: db.prepare(
        "SELECT height, idx, hash, bytes, result FROM txs WHERE hash = ? ORDER BY height DESC LIMIT 1",
      ),
    };
    this.commitTx = db.transaction((block: BlockToCommit) => this.writeBlock(block));
  }

  /** Opens (creating when absent, unless read-only) the store file at `path`. */
  static open(path: string, options: StoreOptions = {}): Store {
    let db: Database.Database;
    try {
      db = new Database(path, {
        readonly: options.readonly ?? false,
        fileMustExist: options.readonly ?? false,
      });
    } catch (e) {
      throw storeError("STORE_OPEN", `cannot open the chain database ${path}: ${(e as Error).message}`, {
        path,
      });
    }
    try {
      if (!options.readonly) {
        db.pragma("journal_mode = WAL");
        db.pragma("synchronous = FULL");
        // Checkpoint about every 32 MiB of WAL instead of SQLite's 4 MiB: the pages a block rewrites (accounts,
        // upper tree nodes) are mostly the last blocks' pages, so fewer checkpoints copy each page fewer times.
        db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
      }
      db.pragma("busy_timeout = 5000");
      if (!options.readonly) {
        db.exec(`
          CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
          CREATE TABLE IF NOT EXISTS blocks (
            height INTEGER PRIMARY KEY, hash TEXT NOT NULL, header TEXT NOT NULL, txCount INTEGER NOT NULL);
          CREATE TABLE IF NOT EXISTS txs (
            height INTEGER NOT NULL, idx INTEGER NOT NULL, hash TEXT NOT NULL, bytes BLOB NOT NULL,
            result TEXT NOT NULL, PRIMARY KEY (height, idx)) WITHOUT ROWID;
          CREATE INDEX IF NOT EXISTS txs_by_hash ON txs (hash);
          CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
        `);
      }
      return new Store(path, db);
    } catch (e) {
      db.close();
      if (e instanceof PlurigridError) throw e;
      throw storeError("STORE_OPEN", `${path} is not a Plurigrid chain database: ${(e as Error).message}`, {
        path,
      });
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  /** True once `initialize` has committed. */
  isInitialized(): boolean {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'format'").pluck().get() as
      | string
      | undefined;
    if (row !== undefined && row !== STORE_FORMAT) {
      throw storeError("STORE_FORMAT", `${this.path} has format ${row}; this version reads ${STORE_FORMAT}`, {
        path: this.path,
        format: row,
      });
    }
    return row === STORE_FORMAT;
  }

  /** Writes the chain's identity and the genesis state in one transaction. */
  initialize(meta: ChainMeta, changes: readonly StateChange[]): void {
    if (this.isInitialized()) {
      throw storeError("STORE_EXISTS", `${this.path} already holds a chain (${this.meta().chainId})`, {
        path: this.path,
      });
    }
    const put = this.db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
    this.db.transaction(() => {
      put.run("chainId", meta.chainId);
      put.run("genesis", meta.genesisJson);
      put.run("genesisStateRoot", meta.genesisStateRoot);
      put.run("genesisTimeMs", String(meta.genesisTimeMs));
      for (const [key, value] of changes) {
        if (value !== null) this.stmt.putState.run(key, value);
      }
      put.run("format", STORE_FORMAT); // last: a file without it is an interrupted init
    })();
    this.metaCache = undefined;
  }

  meta(): ChainMeta {
    if (this.metaCache) return this.metaCache;
    if (!this.isInitialized()) {
      throw storeError("STORE_EMPTY", `${this.path} holds no chain: run plurigrid init first`, {
        path: this.path,
      });
    }
    const rows = this.db.prepare("SELECT key, value FROM meta").all() as { key: string; value: string }[];
    const m = new Map(rows.map((r) => [r.key, r.value]));
    const genesisTimeMs = Number(m.get("genesisTimeMs"));
    this.metaCache = {
      chainId: m.get("chainId") ?? "",
      genesisJson: m.get("genesis") ?? "",
      genesisStateRoot: m.get("genesisStateRoot") ?? "",
      genesisTimeMs: Number.isSafeInteger(genesisTimeMs) ? genesisTimeMs : 0,
    };
    return this.metaCache;
  }

  head(): Head {
    const row = this.stmt.lastBlock.get();
    if (row === undefined) {
      const m = this.meta();
      return { height: 0, hash: ZERO_HASH, stateRoot: m.genesisStateRoot, timeMs: m.genesisTimeMs };
    }
    const header = parseHeader(row.header, row.height);
    return { height: row.height, hash: row.hash, stateRoot: header.stateRoot, timeMs: header.time };
  }

  getState(key: string): Uint8Array | undefined {
    const v = this.stmt.getState.get(key);
    return v === undefined ? undefined : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }

  /** Runs `read` in one read transaction: every read sees the same committed state (a snapshot). */
  reading<T>(read: () => T): T {
    if (this.db.inTransaction) return read();
    this.db.exec("BEGIN");
    try {
      return read();
    } finally {
      if (this.db.inTransaction) this.db.exec("COMMIT");
    }
  }

  /** Appends one block: block row, tx rows and state changes in one SQLite transaction, synced on return. */
  commitBlock(block: BlockToCommit): void {
    this.commitTx(block);
  }

  private writeBlock(b: BlockToCommit): void {
    const h = b.header.height;
    assert(b.txs.length === b.results.length && b.txs.length === b.txHashes.length, "one result per tx");
    this.stmt.putBlock.run(h, b.hash, canonicalJson(b.header), b.txs.length);
    // Rows go ROWS_PER_INSERT at a time: one statement per row costs more in the binding than in SQLite.
    const txRow = (i: number) => [h, i, b.txHashes[i], b.txs[i], canonicalJson(resultOf(b.results[i]))];
    let i = 0;
    for (; i + ROWS_PER_INSERT <= b.txs.length; i += ROWS_PER_INSERT) {
      const args: unknown[] = [];
      for (let j = i; j < i + ROWS_PER_INSERT; j++) args.push(...txRow(j));
      this.stmt.putTxMany.run(args);
    }
    for (; i < b.txs.length; i++)
      this.stmt.putTx.run(...(txRow(i) as [number, number, string, Uint8Array, string]));
    this.writeStateRows(b.changes);
  }

  /**
   * Writes state changes (a value, or null to delete) without a block, inside the caller's open transaction:
   * for a writer that commits many blocks in one transaction and writes each changed row once, with the
   * value of its last block (only the latest state is kept, so the rows end up the same).
   */
  writeState(changes: readonly StateChange[]): void {
    assert(this.db.inTransaction, "state rows are written inside a transaction");
    this.writeStateRows(changes);
  }

  private writeStateRows(changes: readonly StateChange[]): void {
    let puts: unknown[] = [];
    for (const [key, value] of changes) {
      if (value === null) this.stmt.delState.run(key);
      else {
        puts.push(key, value);
        if (puts.length === 2 * ROWS_PER_INSERT) {
          this.stmt.putStateMany.run(puts);
          puts = [];
        }
      }
    }
    for (let j = 0; j < puts.length; j += 2)
      this.stmt.putState.run(puts[j] as string, puts[j + 1] as Uint8Array);
  }

  block(height: number): StoredBlock | undefined {
    const row = this.stmt.getBlock.get(height);
    if (row === undefined) return undefined;
    return {
      height: row.height,
      hash: row.hash,
      header: parseHeader(row.header, row.height),
      txCount: row.txCount,
    };
  }

  /** The raw header text of a block, exactly as stored (verify hashes what it parses from this). */
  blockRow(height: number): { height: number; hash: string; header: string; txCount: number } | undefined {
    return this.stmt.getBlock.get(height);
  }

  txsOf(height: number): StoredTx[] {
    return this.stmt.txsOf.all(height).map(toStoredTx);
  }

  /** Raw tx rows of a block (result as stored text). */
  txRowsOf(height: number): { height: number; idx: number; hash: string; bytes: Buffer; result: string }[] {
    return this.stmt.txsOf.all(height);
  }

  tx(hash: string): StoredTx | undefined {
    const row = this.stmt.txByHash.get(hash);
    return row === undefined ? undefined : toStoredTx(row);
  }

  /** Every block row in height order, without parsing (for verify). */
  *blockRows(): IterableIterator<{ height: number; hash: string; header: string; txCount: number }> {
    yield* this.db
      .prepare("SELECT height, hash, header, txCount FROM blocks ORDER BY height")
      .iterate() as IterableIterator<{ height: number; hash: string; header: string; txCount: number }>;
  }

  /** Every tx row in (height, index) order. */
  *txRows(): IterableIterator<{ height: number; idx: number; hash: string; bytes: Buffer; result: string }> {
    yield* this.db
      .prepare("SELECT height, idx, hash, bytes, result FROM txs ORDER BY height, idx")
      .iterate() as IterableIterator<{
      height: number;
      idx: number;
      hash: string;
      bytes: Buffer;
      result: string;
    }>;
  }

  /** Every state row in key order. */
  *stateRows(): IterableIterator<{ key: string; value: Buffer }> {
    yield* this.db.prepare("SELECT key, value FROM state ORDER BY key").iterate() as IterableIterator<{
      key: string;
      value: Buffer;
    }>;
  }

  stateRowCount(): number {
    return this.db.prepare("SELECT count(*) FROM state").pluck().get() as number;
  }

  /** Raw access for maintenance tools and tests (tampering checks); not used by the node itself. */
  get database(): Database.Database {
    return this.db;
  }
}

function toStoredTx(row: {
  height: number;
  idx: number;
  hash: string;
  bytes: Buffer;
  result: string;
}): StoredTx {
  return {
    height: row.height,
    index: row.idx,
    hash: row.hash,
    bytes: new Uint8Array(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength),
    result: JSON.parse(row.result) as StoredTxResult,
  };
}

function parseHeader(text: string, height: number): BlockHeader {
  try {
    return JSON.parse(text) as BlockHeader;
  } catch {
    throw storeError("STORE_CORRUPT", `the stored header of block ${height} is not JSON`, { height });
  }
}
