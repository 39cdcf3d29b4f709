/**
 * The run's chain: the same protocol as a live node (genesis, applyBlock, the state root), one block per
 * market interval at the interval's end, written with the node's own store so that `plurigrid verify --data`
 * replays it. applyBlock runs in its two halves: this thread executes each block on the application's rows
 * (executeBlock), and the writer's thread seals it (sealer.ts: the chain record and the state tree) and
 * writes it, while the run goes on with the next interval; without a store, it is sealed here. Transactions
 * are signed by the simulated participants' keys in the chain's scheme (Ed25519, or
 * the simulation-only sim-digest chosen in the scenario and fixed in genesis); the signatures are verified
 * again by `verify`, so the run passes the verdicts it produced itself to applyBlock, as the node passes the
 * verdicts of its admission workers.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalString } from "../core/canonical.js";
import { PlurigridError } from "../core/errors.js";
import type { KeyPair } from "../core/keys.js";
import { accountIdOf } from "../core/keys.js";
import { DB_FILE, GENESIS_FILE } from "../node/init.js";
import { ZERO_HASH_HEX } from "../protocol/chain.js";
import {
  accountKey,
  createSignedTx,
  executeBlock,
  type GenesisDoc,
  genesis,
  isSealKey,
  MemoryState,
  readStateValue,
  type SignatureScheme,
  type TxBodyInputs,
  type TxType,
} from "../protocol/index.js";
import type { TxResult } from "../protocol/seam.js";
import { LedgerWriter } from "./ledger-writer.js";
import { type ChainHead, ChainSealer } from "./sealer.js";

export interface LedgerTiming {
  signMs: number;
  /** Executing blocks, and sealing them when there is no writer thread, ms. */
  applyMs: number;
  /** Time the run waited for the ledger's writer thread (handing blocks over, the final flush), ms. */
  storeMs: number;
  /** Time the writer thread spent sealing and writing the ledger (alongside the run), ms; known once closed. */
  writerMs: number;
}

export interface AppliedTx {
  type: TxType;
  sender: string;
  result: TxResult;
}

export class SimLedger {
  /** The application's rows (everything but the seal keys: the chain record and the state tree). */
  readonly state: MemoryState;
  readonly chainId: string;
  /** The chain's signature scheme, from its genesis. */
  readonly scheme: SignatureScheme;
  readonly genesisRoot: string;
  height = 0;
  lastTimeMs: number;
  /** Seals blocks on this thread when there is no store; the writer's thread seals them otherwise. */
  private readonly sealer: ChainSealer | undefined;
  /** The head as sealed here, or as the writer reported it at close (genesis until then). */
  private head: ChainHead;
  private readonly committedNonce = new Map<string, number>();
  private readonly pendingNonce = new Map<string, number>();
  private pending: { bytes: Uint8Array; type: TxType; sender: string }[] = [];
  private readonly writer: LedgerWriter | undefined;
  readonly timing: LedgerTiming = { signMs: 0, applyMs: 0, storeMs: 0, writerMs: 0 };
  txCount = 0;

  constructor(doc: GenesisDoc, dataDirOut?: string) {
    const g = genesis(doc);
    this.state = new MemoryState(g.changes.filter(([k]) => !isSealKey(k)));
    this.chainId = doc.chainId;
    this.scheme = doc.params?.signatureScheme ?? "ed25519";
    this.genesisRoot = g.stateRoot;
    this.head = { height: 0, stateRoot: g.stateRoot, headHash: ZERO_HASH_HEX };
    this.lastTimeMs = doc.genesisTimeMs;
    if (dataDirOut !== undefined) {
      rmSync(dataDirOut, { recursive: true, force: true });
      mkdirSync(dataDirOut, { recursive: true });
      writeFileSync(join(dataDirOut, GENESIS_FILE), `${JSON.stringify(doc, null, 2)}\n`);
      // Written on a second thread (ledger-writer.ts), one SQLite transaction per simulated day.
      this.writer = new LedgerWriter(
        join(dataDirOut, DB_FILE),
        {
          chainId: doc.chainId,
          genesisJson: canonicalString(doc),
          genesisStateRoot: g.stateRoot,
          genesisTimeMs: doc.genesisTimeMs,
        },
        g.changes,
      );
    } else {
      this.sealer = new ChainSealer(g.changes, g.stateRoot);
    }
  }

  private nonceOf(account: string): number {
    const pending = this.pendingNonce.get(account);
    if (pending !== undefined) return pending;
    const committed = this.committedNonce.get(account);
    if (committed !== undefined) return committed;
    const bytes = this.state.get(accountKey(account));
    const n = bytes === undefined ? 0 : Number(readStateValue(accountKey(account), bytes).nonce ?? 0);
    this.committedNonce.set(account, n);
    return n;
  }

  /** Signs a transaction with the sender's next nonce and queues it for the next block. */
  submit<T extends TxType>(key: KeyPair, type: T, body: TxBodyInputs[T], nonceOverride?: number): number {
    const sender = accountIdOf(key.publicKey);
    const nonce = nonceOverride ?? this.nonceOf(sender);
    const t0 = performance.now();
    const signed = createSignedTx(key, { chainId: this.chainId, type, nonce, body }, this.scheme);
    this.timing.signMs += performance.now() - t0;
    if (nonceOverride === undefined) this.pendingNonce.set(sender, nonce + 1);
    this.pending.push({ bytes: signed.bytes, type, sender });
    return this.pending.length - 1;
  }

  /** Transactions waiting for a protocol time (readings after their interval, settlements after the delay). */
  private readonly later: { notBeforeMs: number; submit: () => void; touchesBooks: boolean }[] = [];

  /**
   * Queues `submit` for the first release at or after `notBeforeMs`. `touchesBooks: false` says that what it
   * submits (meter readings, settlements) changes nothing an interval's book is loaded from.
   */
  defer(notBeforeMs: number, submit: () => void, touchesBooks = true): void {
    this.later.push({ notBeforeMs, submit, touchesBooks });
  }

  /** The earliest time of a deferred transaction that may change a book (+∞: none). */
  get nextBookTouchMs(): number {
    let first = Number.POSITIVE_INFINITY;
    for (const d of this.later) if (d.touchesBooks && d.notBeforeMs < first) first = d.notBeforeMs;
    return first;
  }

  /** Signs and queues every deferred transaction whose time has come by `timeMs`, in the order deferred. */
  release(timeMs: number): void {
    const keep: typeof this.later = [];
    for (const d of this.later) {
      if (d.notBeforeMs <= timeMs) d.submit();
      else keep.push(d);
    }
    this.later.length = 0;
    for (const d of keep) this.later.push(d);
  }

  get deferred(): number {
    return this.later.length;
  }

  get queued(): number {
    return this.pending.length;
  }

  /** Applies the queued transactions as the next block at protocol time `timeMs`, and persists it. */
  commit(timeMs: number): AppliedTx[] {
    if (timeMs <= this.lastTimeMs) {
      throw new PlurigridError("SIM_INTERNAL", `block time ${timeMs} is not after ${this.lastTimeMs}`);
    }
    const txs = this.pending.map((p) => p.bytes);
    const header = { chainId: this.chainId, height: this.height + 1, time: timeMs };
    let t0 = performance.now();
    const executed = executeBlock(this.state, header, txs, { signaturesVerified: txs.map(() => true) });
    this.state.apply(executed.appChanges);
    if (this.sealer !== undefined) {
      this.sealer.seal(header, executed);
      this.head = this.sealer.head;
    }
    this.timing.applyMs += performance.now() - t0;
    if (this.writer) {
      t0 = performance.now();
      this.writer.write(Math.floor(timeMs / 86_400_000), {
        header,
        txs,
        txHashes: executed.results.map((x) => x.txHash),
        executed,
      });
      this.timing.storeMs += performance.now() - t0;
    }
    const applied = this.pending.map((p, i) => ({
      type: p.type,
      sender: p.sender,
      result: executed.results[i],
    }));
    // The next nonce is the committed one: re-read for every sender of this block.
    for (const sender of new Set(applied.map((a) => a.sender))) {
      const bytes = this.state.get(accountKey(sender));
      const n = bytes === undefined ? 0 : Number(readStateValue(accountKey(sender), bytes).nonce ?? 0);
      this.committedNonce.set(sender, n);
    }
    this.pendingNonce.clear();
    this.pending = [];
    this.height = header.height;
    this.lastTimeMs = timeMs;
    this.txCount += txs.length;
    return applied;
  }

  /** Balance of an account in micro-units. */
  balance(account: string): number {
    const bytes = this.state.get(accountKey(account));
    return bytes === undefined ? 0 : Number(readStateValue(accountKey(account), bytes).micros ?? 0);
  }

  /** The state root after the last block; with a writer thread, known once the ledger is closed. */
  get stateRoot(): string {
    return this.sealedHead().stateRoot;
  }

  /** The hash of the last block; with a writer thread, known once the ledger is closed. */
  get headHash(): string {
    return this.sealedHead().headHash;
  }

  private sealedHead(): ChainHead {
    if (this.head.height !== this.height) {
      throw new PlurigridError("SIM_INTERNAL", "the chain's head is known once the ledger is closed");
    }
    return this.head;
  }

  close(): void {
    if (this.writer) {
      const t0 = performance.now();
      this.head = this.writer.close();
      this.timing.storeMs += performance.now() - t0;
      this.timing.writerMs = this.writer.busyMs;
    }
  }
}
