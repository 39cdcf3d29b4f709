/**
 * A cluster node: the embedded node's store, admission check and protocol, with the order of transactions
 * and the cut of blocks taken from a NATS JetStream stream shared by every node (rules.ts says how).
 *
 * - Submit: checkTx at the door (worker threads, as the embedded node), then the transaction goes to the
 *   stream. The client is told "committed" only once the block holding it is committed locally (SQLite,
 *   synchronous=FULL), as in embedded mode.
 * - Apply: every entry is read in stream order; an accepted marker cuts a block that is applied with the
 *   protocol's applyBlock and committed with its stream position in one SQLite transaction.
 * - Propose: the holder of the lease (a JetStream KV entry with a TTL, taken and renewed with revision
 *   checks) publishes markers; its term is the KV revision at which it took the lease.
 * - Attest: after each commit the node signs (height, block hash, state root) and publishes it; a block is
 *   final once a quorum of operators attested the same; a node outvoted by a quorum stops applying.
 */
import { EventEmitter } from "node:events";
import { PlurigridError } from "../../core/errors.js";
import { toHex } from "../../core/hash.js";
import type { KeyPair } from "../../core/keys.js";
import type { BlockHeader, CheckResult } from "../../protocol/seam.js";
import { nextBlockTimeMs, wallClockMs } from "../clock.js";
import { NodeLock } from "../lock.js";
import type { CommittedBlock, NodeStatus, TxStatus } from "../node.js";
import {
  accountNextNonce,
  applyBlockTxs,
  blockHashOf,
  checkTxBytes,
  MAX_BLOCK_BYTES,
  MAX_TX_BYTES,
  MAX_TXS_PER_BLOCK,
  queryState,
  refuseSimulationChain,
  txHashOf,
  txRootOf,
} from "../protocol-adapter.js";
import { CommittedState } from "../state-view.js";
import { type Head, Store, type StoredBlock, type StoredTx } from "../store.js";
import { WorkerPool } from "../workers/pool.js";
import { type AckPolicy, JetStreamLog, type LogEntry } from "./log.js";
import { PositionTable } from "./positions.js";
import { type ChainPosition, inNonceOrder, judgeMarker } from "./rules.js";
import {
  type BlockMarker,
  decodeAttestation,
  decodeMarker,
  encodeAttestation,
  encodeMarker,
} from "./signed.js";
import { AttestationTally, type Claim, type Divergence, type TallyOutcome } from "./tally.js";

export interface ClusterFaults {
  /** Test only: from this height on, the node leaves the last transaction of each block out (a wrong transition). */
  dropLastTxFromHeight?: number;
}

export interface ClusterNodeOptions {
  dbPath: string;
  /** NATS client URLs (any of them; the client fails over). */
  servers: string[];
  /** This node's operator key: signs its markers and attestations. */
  nodeKey: KeyPair;
  /** Public keys (hex) of the operators whose markers and attestations count. */
  operators: string[];
  /** Attestations of the same root needed for finality. */
  quorum: number;
  /** Stream and lease bucket replicas (default 3). */
  replicas?: number;
  /** Proposer lease TTL (default 2000 ms). */
  leaseMs?: number;
  /** Whether a submission waits for the stream's acknowledgement (log.ts; default "stored"). */
  ackPolicy?: AckPolicy;
  /** Longest wait of the proposer before it cuts a block of what is waiting (default 20 ms). */
  blockIntervalMs?: number;
  txsPerBlockMax?: number;
  /** Take part in the proposer lease (default true). */
  propose?: boolean;
  /** Worker threads for admission and stream checks. */
  threads?: number;
  name?: string;
  faults?: ClusterFaults;
  log?: (line: string) => void;
  clockMs?: () => number;
}

export interface Alarm {
  kind: "divergence" | "outvoted";
  height: number;
  operator?: string;
  theirs: Claim;
  ours: Claim;
}

export interface ClusterStatus {
  node: string;
  operators: string[];
  quorum: number;
  height: number;
  finalHeight: number;
  /** The last stream sequence read. */
  streamSeq: number;
  /** Stream position of the last block. */
  upToSeq: number;
  term: number;
  proposer: boolean;
  leaseHolder: string | null;
  applying: boolean;
  alarms: Alarm[];
}

interface Entry {
  seq: number;
  bytes: Uint8Array;
  hash: string;
  check: Promise<CheckResult | undefined>;
}

interface WaitingCheck {
  bytes: Uint8Array;
  resolve(c: CheckResult | undefined): void;
}

const REJECTED_REMEMBERED_MAX = 100_000;
const ADMITTED_REMEMBERED_MAX = 200_000;
const ALARMS_KEPT = 100;
const CHECK_BATCH_MAX = 512;
/** A proposer re-proposes a height whose marker it has not seen accepted after this long. */
const REPROPOSE_AFTER_MS = 1500;

export class ClusterNode extends EventEmitter<{ block: [CommittedBlock]; halt: [Error]; final: [number] }> {
  readonly store: Store;
  readonly chainId: string;
  readonly nodeId: string;
  private readonly lock: NodeLock;
  private readonly state: CommittedState;
  private readonly pool: WorkerPool;
  private readonly positions: PositionTable;
  private readonly operators: ReadonlySet<string>;
  private readonly tally: AttestationTally;
  private readonly leaseMs: number;
  private readonly blockIntervalMs: number;
  private readonly txsPerBlockMax: number;
  private readonly clockMs: () => number;
  private readonly say: (line: string) => void;
  private log: JetStreamLog | undefined;
  private head: Head;
  private pos: ChainPosition;
  private buffer: Entry[] = [];
  private bufferHashes = new Map<string, number>();
  private streamSeq = 0;
  private readonly localPending = new Map<string, { sender: string; nonce: number }>();
  /** The nonces of localPending by sender (pendingNonce reads it per request). */
  private readonly pendingBySender = new Map<string, Set<number>>();
  private readonly admitted = new Map<string, CheckResult>();
  private readonly rejected = new Map<string, TxStatus>();
  private readonly watchers = new Map<string, Set<(s: TxStatus) => void>>();
  private checkBatch: WaitingCheck[] = [];
  private checkScheduled = false;
  private lease = { held: false, term: 0, revision: 0, renewedAtMs: 0, holder: null as string | null };
  private outstanding: { height: number; atMs: number; upToSeq: number } | undefined;
  private proposeTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private proposing = false;
  private readonly attestQueue: Uint8Array[] = [];
  private attesting = false;
  private readonly alarms: Alarm[] = [];
  private stoppedWith: PlurigridError | undefined;
  private closed = false;
  private loops: Promise<void>[] = [];

  private constructor(private readonly options: ClusterNodeOptions) {
    super();
    this.lock = NodeLock.acquire(options.dbPath);
    let store: Store | undefined;
    try {
      store = Store.open(options.dbPath);
      this.store = store;
      const meta = store.meta();
      refuseSimulationChain(JSON.parse(meta.genesisJson));
      this.chainId = meta.chainId;
      this.head = store.head();
      this.positions = new PositionTable(store);
    } catch (e) {
      store?.close();
      this.lock.release();
      throw e;
    }
    const origin = this.positions.lastOrigin();
    if ((origin?.height ?? 0) !== this.head.height) {
      this.store.close();
      this.lock.release();
      throw new PlurigridError(
        "CLUSTER_DATA_MISMATCH",
        `${options.dbPath} holds ${this.head.height} blocks that did not come from a cluster stream; start cluster mode on a fresh data folder`,
      );
    }
    this.pos = this.positions.position(this.chainId, this.head.height);
    this.nodeId = toHex(options.nodeKey.publicKey);
    this.operators = new Set(options.operators);
    if (options.quorum < 1 || options.quorum > this.operators.size) {
      this.store.close();
      this.lock.release();
      throw new PlurigridError(
        "CLUSTER_CONFIG_INVALID",
        `quorum ${options.quorum} must be between 1 and the ${this.operators.size} operators`,
      );
    }
    this.tally = new AttestationTally(this.operators, options.quorum);
    // The last blocks before a restart: their attestations, read again from the stream, make them final.
    for (let h = Math.max(1, this.head.height - 1023); h <= this.head.height; h++) {
      const b = this.store.block(h);
      if (b !== undefined) this.tally.setOwn(h, { blockHash: b.hash, stateRoot: b.header.stateRoot });
    }
    this.state = new CommittedState(this.store);
    this.pool = new WorkerPool({ threads: options.threads, dbPath: options.dbPath });
    this.leaseMs = options.leaseMs ?? 2000;
    this.blockIntervalMs = options.blockIntervalMs ?? 20;
    this.txsPerBlockMax = Math.min(options.txsPerBlockMax ?? MAX_TXS_PER_BLOCK, MAX_TXS_PER_BLOCK);
    this.clockMs = options.clockMs ?? wallClockMs;
    this.say = options.log ?? (() => {});
  }

  /** Opens the data folder, connects to the cluster and starts reading the stream after the last block. */
  static async start(options: ClusterNodeOptions): Promise<ClusterNode> {
    const node = new ClusterNode(options);
    try {
      node.log = await JetStreamLog.open({
        servers: options.servers,
        chainId: node.chainId,
        replicas: options.replicas ?? 3,
        leaseMs: node.leaseMs,
        ackPolicy: options.ackPolicy,
        name: options.name,
      });
      await node.pool.ready();
    } catch (e) {
      await node.close();
      throw e;
    }
    const log = node.log;
    node.loops.push(
      log.follow(node.pos.upToSeq + 1, (e) => node.onEntry(e)).catch((e: Error) => node.fail(e)),
      log.followAttestations((d) => node.onAttestation(d)),
    );
    if (options.propose ?? true) node.loops.push(node.leaseLoop());
    node.tickTimer = setInterval(() => node.maybePropose(), Math.max(50, node.blockIntervalMs * 5));
    node.say(
      `cluster node ${node.nodeId.slice(0, 12)} on chain ${node.chainId} at height ${node.head.height}`,
    );
    return node;
  }

  // ---- the API surface shared with the embedded Node (api/routes.ts, api/stream.ts) ----

  status(): NodeStatus {
    return {
      chainId: this.chainId,
      height: this.head.height,
      stateRoot: this.head.stateRoot,
      blockHash: this.head.hash,
    };
  }

  get pendingCount(): number {
    return this.buffer.length;
  }

  /** Set when the node stopped applying (divergence, or an invariant violation). */
  get halted(): Error | undefined {
    return this.stoppedWith;
  }

  async submit(given: Uint8Array): Promise<TxStatus> {
    const bytes = given.byteOffset === 0 && given.buffer.byteLength === given.length ? given : given.slice();
    if (this.closed) throw new PlurigridError("NODE_CLOSED", "the node is shutting down");
    if (bytes.length > MAX_TX_BYTES) {
      return {
        hash: "",
        status: "rejected",
        code: "TX_TOO_LARGE",
        message: `a transaction may have at most ${MAX_TX_BYTES} bytes, this one has ${bytes.length}`,
      };
    }
    const hash = txHashOf(bytes);
    // A committed duplicate is found after checkTx refuses its nonce, which spares a lookup per submit.
    if (this.localPending.has(hash) || this.bufferHashes.has(hash)) return { hash, status: "pending" };
    const check = (await this.checkInWorkers(bytes)) ?? checkTxBytes(this.state, bytes);
    if (!check.ok) {
      const stored = check.code === "TX_BAD_NONCE" ? this.store.tx(hash) : undefined;
      if (stored !== undefined) return statusOfStored(stored);
      return this.reject(hash, check.code, check.message);
    }
    this.remember(this.admitted, hash, check, ADMITTED_REMEMBERED_MAX);
    this.rejected.delete(hash);
    const log = this.requireLog();
    // Pending from before the publication: its block may be read from the stream before the ack arrives.
    this.addPending(hash, check.sender, check.nonce);
    try {
      await log.publishTx(bytes, hash);
    } catch (e) {
      this.removePending(hash);
      throw e;
    }
    return this.txStatus(hash);
  }

  txStatus(hash: string): TxStatus {
    return this.knownStatus(hash) ?? { hash, status: "unknown" };
  }

  waitForTx(hash: string, timeoutMs: number): Promise<TxStatus> {
    const now = this.txStatus(hash);
    if (now.status !== "pending" || timeoutMs <= 0) return Promise.resolve(now);
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
    });
  }

  pendingNonce(account: string): { nonce: number; pendingNonce: number } {
    const nonce = accountNextNonce(this.state, account);
    let pendingNonce = nonce;
    const mine = this.pendingBySender.get(account);
    if (mine !== undefined) while (mine.has(pendingNonce)) pendingNonce++;
    return { nonce, pendingNonce };
  }

  block(height: number): StoredBlock | undefined {
    return this.store.block(height);
  }

  blockTxs(height: number): StoredTx[] {
    return this.store.txsOf(height);
  }

  query(key: string): { height: number; stateRoot: string; value: Uint8Array | undefined; proof: unknown } {
    const { value, proof } = queryState(this.state, key);
    return { height: this.head.height, stateRoot: this.head.stateRoot, value, proof };
  }

  // ---- cluster ----

  clusterStatus(): ClusterStatus {
    return {
      node: this.nodeId,
      operators: [...this.operators].sort(),
      quorum: this.tally.quorum,
      height: this.head.height,
      finalHeight: this.tally.finalHeight,
      streamSeq: this.streamSeq,
      upToSeq: this.pos.upToSeq,
      term: this.pos.term,
      proposer: this.leaseHeld(),
      leaseHolder: this.lease.holder,
      applying: this.stoppedWith === undefined,
      alarms: [...this.alarms],
    };
  }

  get finalHeight(): number {
    return this.tally.finalHeight;
  }

  /** True while this node holds the proposer lease. */
  leaseHeld(): boolean {
    return this.lease.held && this.clockMs() - this.lease.renewedAtMs < this.leaseMs * 0.75;
  }

  /** The ordering log (tests publish tampered entries through it). */
  get orderingLog(): JetStreamLog {
    return this.requireLog();
  }

  private requireLog(): JetStreamLog {
    if (this.log === undefined) throw new PlurigridError("NODE_CLOSED", "the node is not connected");
    return this.log;
  }

  // ---- statuses ----

  private addPending(hash: string, sender: string, nonce: number): void {
    this.localPending.set(hash, { sender, nonce });
    let set = this.pendingBySender.get(sender);
    if (set === undefined) {
      set = new Set();
      this.pendingBySender.set(sender, set);
    }
    set.add(nonce);
  }

  private removePending(hash: string): void {
    const p = this.localPending.get(hash);
    if (p === undefined) return;
    this.localPending.delete(hash);
    const set = this.pendingBySender.get(p.sender);
    set?.delete(p.nonce);
    if (set?.size === 0) this.pendingBySender.delete(p.sender);
  }

  private knownStatus(hash: string): TxStatus | undefined {
    if (this.localPending.has(hash) || this.bufferHashes.has(hash)) return { hash, status: "pending" };
    const stored = this.store.tx(hash);
    if (stored !== undefined) return statusOfStored(stored);
    return this.rejected.get(hash);
  }

  private reject(hash: string, code: string, message: string): TxStatus {
    const status: TxStatus = { hash, status: "rejected", code, message };
    this.remember(this.rejected, hash, status, REJECTED_REMEMBERED_MAX);
    return status;
  }

  private remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
    if (map.size >= max) map.delete(map.keys().next().value as string);
    map.set(key, value);
  }

  private settle(status: TxStatus): void {
    this.removePending(status.hash);
    const set = this.watchers.get(status.hash);
    if (set !== undefined) for (const done of [...set]) done(status);
  }

  // ---- checks ----

  /** checkTx in the worker threads (batched); undefined if the workers failed (checked later in-thread). */
  private checkInWorkers(bytes: Uint8Array): Promise<CheckResult | undefined> {
    return new Promise((resolve) => {
      this.checkBatch.push({ bytes, resolve });
      if (this.checkBatch.length >= CHECK_BATCH_MAX) this.flushChecks();
      else if (!this.checkScheduled) {
        this.checkScheduled = true;
        setImmediate(() => this.flushChecks());
      }
    });
  }

  private flushChecks(): void {
    this.checkScheduled = false;
    const batch = this.checkBatch;
    this.checkBatch = [];
    if (batch.length === 0) return;
    this.pool
      .mapBySender<CheckResult>(
        batch.map((w) => w.bytes),
        (txs) => ({ kind: "checkTxs", txs }),
        4,
      )
      .then(
        (checks) => {
          for (let i = 0; i < batch.length; i++) batch[i].resolve(checks[i]);
        },
        () => {
          for (const w of batch) w.resolve(undefined);
        },
      );
  }

  // ---- the stream ----

  private async onEntry(e: LogEntry): Promise<void> {
    this.streamSeq = e.seq;
    if (this.stoppedWith !== undefined || this.closed) return;
    if (e.kind === "tx") {
      if (e.seq <= this.pos.upToSeq) return;
      const bytes =
        e.data.byteOffset === 0 && e.data.buffer.byteLength === e.data.length ? e.data : e.data.slice();
      const hash = txHashOf(bytes);
      const admitted = this.admitted.get(hash);
      const check = admitted !== undefined ? Promise.resolve(admitted) : this.checkInWorkers(bytes);
      this.buffer.push({ seq: e.seq, bytes, hash, check });
      this.bufferHashes.set(hash, (this.bufferHashes.get(hash) ?? 0) + 1);
      this.maybePropose();
      return;
    }
    const marker = decodeMarker(e.data);
    let count = 0;
    let bytes = 0;
    if (marker !== undefined) {
      for (const b of this.buffer) {
        if (b.seq > marker.upToSeq) break;
        count++;
        bytes += b.bytes.length;
      }
    }
    const verdict = judgeMarker(
      marker,
      e.seq,
      this.pos,
      this.operators,
      { count, bytes },
      {
        txsMax: MAX_TXS_PER_BLOCK,
        bytesMax: MAX_BLOCK_BYTES,
      },
    );
    if (!verdict.ok) {
      if (marker?.proposer === this.nodeId && this.outstanding?.height === marker.height) {
        this.outstanding = undefined;
        this.maybePropose();
      }
      return;
    }
    try {
      await this.applyMarker(marker as BlockMarker, e.seq, count);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  /** Rule 3 of rules.ts: the block of an accepted marker, applied and committed with its stream position. */
  private async applyMarker(marker: BlockMarker, markerSeq: number, count: number): Promise<void> {
    const take = this.buffer.slice(0, count);
    this.buffer = this.buffer.slice(count);
    for (const t of take) {
      this.admitted.delete(t.hash);
      const n = (this.bufferHashes.get(t.hash) ?? 1) - 1;
      if (n <= 0) this.bufferHashes.delete(t.hash);
      else this.bufferHashes.set(t.hash, n);
    }
    const checks = await Promise.all(take.map((t) => t.check));
    if (this.closed) return;
    const included: Ordered[] = [];
    const dropped: TxStatus[] = [];
    const inBlock = new Set<string>();
    const nonces = new Map<string, number>();
    for (let i = 0; i < take.length; i++) {
      const t = take[i];
      // A failed worker leaves the check to this thread, against the same pre-block state.
      const c = checks[i] ?? checkTxBytes(this.state, t.bytes);
      if (!c.ok) {
        dropped.push({ hash: t.hash, status: "rejected", code: c.code, message: c.message });
        continue;
      }
      if (inBlock.has(t.hash)) continue;
      // The worker may have read an older state; nonces only grow, so re-check against the pre-block state.
      let next = nonces.get(c.sender);
      if (next === undefined) {
        next = accountNextNonce(this.state, c.sender);
        nonces.set(c.sender, next);
      }
      if (c.nonce < next) {
        dropped.push({
          hash: t.hash,
          status: "rejected",
          code: "TX_BAD_NONCE",
          message: `nonce ${c.nonce} was already used; the account's next nonce is ${next}`,
        });
        continue;
      }
      inBlock.add(t.hash);
      included.push({ entry: t, sender: c.sender, nonce: c.nonce });
    }
    inNonceOrder(included);
    let txs = included.map((t) => t.entry.bytes);
    let hashes = included.map((t) => t.entry.hash);
    const height = this.pos.height + 1;
    const faultFrom = this.options.faults?.dropLastTxFromHeight;
    if (faultFrom !== undefined && height >= faultFrom && txs.length > 0) {
      txs = txs.slice(0, -1);
      hashes = hashes.slice(0, -1);
    }
    const partial = {
      chainId: this.chainId,
      height,
      prevHash: this.head.hash,
      time: nextBlockTimeMs(this.head.timeMs, marker.timeMs),
    };
    // Every transaction passed checkTx (signature included) in a worker or just above.
    const result = applyBlockTxs(this.state, partial, txs, new Array<boolean>(txs.length).fill(true));
    const header: BlockHeader = { ...partial, txRoot: txRootOf(txs), stateRoot: result.stateRoot };
    const hash = blockHashOf(header);
    this.positions.commitWithOrigin(
      { header, hash, txs, txHashes: hashes, results: result.results, changes: result.changes },
      { height, markerSeq, upToSeq: marker.upToSeq, term: marker.term, proposer: marker.proposer },
    );
    // Committed and durable from here on.
    this.state.applyCommitted(result.changes);
    this.head = { height, hash, stateRoot: header.stateRoot, timeMs: header.time };
    this.pos = { chainId: this.chainId, height, term: marker.term, upToSeq: marker.upToSeq };
    if (this.outstanding !== undefined && this.outstanding.height <= height) this.outstanding = undefined;
    const block: CommittedBlock = {
      header,
      hash,
      txs: result.results.map((r, i) => ({ hash: hashes[i], result: r })),
    };
    for (let i = 0; i < hashes.length; i++) {
      const r = result.results[i];
      this.settle(
        r.ok
          ? { hash: hashes[i], status: "committed", height, index: i }
          : { hash: hashes[i], status: "rejected", code: r.code, message: r.message, height, index: i },
      );
    }
    for (const d of dropped) {
      if (this.store.tx(d.hash) !== undefined || this.bufferHashes.has(d.hash)) continue;
      this.reject(d.hash, d.status === "rejected" ? d.code : "", d.status === "rejected" ? d.message : "");
      this.settle(d);
    }
    this.emit("block", block);
    this.attest(height, hash, header.stateRoot);
    this.onTally(this.tally.setOwn(height, { blockHash: hash, stateRoot: header.stateRoot }));
    this.maybePropose();
  }

  private fail(e: Error): void {
    if (this.stoppedWith !== undefined) return;
    this.stoppedWith =
      e instanceof PlurigridError ? e : new PlurigridError("INTERNAL_INVARIANT", e.message ?? String(e));
    this.say(`halted: ${e.message}`);
    this.emit("halt", this.stoppedWith);
  }

  // ---- attestations ----

  private attest(height: number, blockHash: string, stateRoot: string): void {
    this.attestQueue.push(
      encodeAttestation(
        { chainId: this.chainId, height, blockHash, stateRoot, operator: this.nodeId },
        this.options.nodeKey,
      ),
    );
    void this.flushAttestations();
  }

  private async flushAttestations(): Promise<void> {
    if (this.attesting) return;
    this.attesting = true;
    try {
      while (this.attestQueue.length > 0 && !this.closed) {
        try {
          await this.requireLog().publishAttestation(this.attestQueue[0]);
          this.attestQueue.shift();
        } catch {
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    } finally {
      this.attesting = false;
    }
  }

  private onAttestation(data: Uint8Array): void {
    const att = decodeAttestation(data);
    if (att === undefined || att.chainId !== this.chainId) return;
    this.onTally(this.tally.add(att));
  }

  private onTally(outcome: TallyOutcome): void {
    if (outcome.final) this.emit("final", this.tally.finalHeight);
    for (const d of outcome.divergences) this.alarm("divergence", d);
    if (outcome.outvoted !== undefined && this.stoppedWith === undefined) {
      const height = outcome.height ?? this.head.height;
      const own = this.store.block(height);
      const ours =
        own !== undefined
          ? { blockHash: own.hash, stateRoot: own.header.stateRoot }
          : { blockHash: this.head.hash, stateRoot: this.head.stateRoot };
      this.alarm("outvoted", { height, operator: "", theirs: outcome.outvoted, ours });
      this.stoppedWith = new PlurigridError(
        "CLUSTER_DIVERGED",
        `a quorum of operators attested state root ${outcome.outvoted.stateRoot} at height ${height}, this node has ${ours.stateRoot}; it stopped applying until an operator acts (plurigrid verify --data names the first divergent height)`,
        { height },
      );
      this.say(`halted: ${this.stoppedWith.message}`);
    }
  }

  private alarm(kind: Alarm["kind"], d: Divergence): void {
    const a: Alarm = {
      kind,
      height: d.height,
      ...(d.operator !== "" ? { operator: d.operator } : {}),
      theirs: d.theirs,
      ours: d.ours,
    };
    if (this.alarms.length >= ALARMS_KEPT) this.alarms.shift();
    this.alarms.push(a);
    this.say(
      `ALARM ${kind} at height ${d.height}: ${d.operator === "" ? "a quorum" : `operator ${d.operator.slice(0, 12)}`} attested root ${d.theirs.stateRoot}, ours is ${d.ours.stateRoot}`,
    );
  }

  /** Resolves once this node's block at `height` is final (quorum of matching attestations). */
  whenFinal(height: number): Promise<void> {
    if (this.tally.finalHeight >= height) return Promise.resolve();
    return new Promise((resolve) => {
      const on = (h: number) => {
        if (h >= height) {
          this.off("final", on);
          resolve();
        }
      };
      this.on("final", on);
    });
  }

  // ---- the proposer ----

  private async leaseLoop(): Promise<void> {
    while (!this.closed) {
      const log = this.log;
      if (log === undefined) return;
      try {
        if (this.lease.held) {
          const rev = await log.leaseUpdate(this.nodeId, this.lease.revision);
          if (rev === undefined) {
            this.lease.held = false;
            this.say(`lost the proposer lease (term ${this.lease.term})`);
          } else {
            this.lease.revision = rev;
            this.lease.renewedAtMs = this.clockMs();
          }
        } else if (this.stoppedWith === undefined) {
          const cur = await log.leaseEntry();
          let rev: number | undefined;
          if (cur === undefined) rev = await log.leaseCreate(this.nodeId);
          else if (cur.holder === this.nodeId) rev = await log.leaseUpdate(this.nodeId, cur.revision);
          else this.lease.holder = cur.holder;
          if (rev !== undefined) {
            this.lease = {
              held: true,
              term: rev,
              revision: rev,
              renewedAtMs: this.clockMs(),
              holder: this.nodeId,
            };
            this.say(`took the proposer lease, term ${rev}`);
            this.maybePropose();
          }
        }
      } catch {
        // NATS unreachable for now: try again at the next turn
      }
      await new Promise((r) => setTimeout(r, this.lease.held ? this.leaseMs / 4 : this.leaseMs / 8));
    }
  }

  private maybePropose(): void {
    if (this.closed || this.stoppedWith !== undefined || this.proposeTimer !== undefined || this.proposing)
      return;
    if (!this.leaseHeld() || this.buffer.length === 0) return;
    const o = this.outstanding;
    if (o !== undefined && o.height > this.pos.height && this.clockMs() - o.atMs < REPROPOSE_AFTER_MS) return;
    const delay = this.buffer.length >= this.txsPerBlockMax ? 0 : this.blockIntervalMs;
    this.proposeTimer = setTimeout(() => {
      this.proposeTimer = undefined;
      void this.propose();
    }, delay);
  }

  private async propose(): Promise<void> {
    if (this.closed || this.stoppedWith !== undefined || !this.leaseHeld() || this.buffer.length === 0)
      return;
    let count = 0;
    let bytes = 0;
    let upToSeq = this.pos.upToSeq;
    for (const b of this.buffer) {
      if (count + 1 > this.txsPerBlockMax || bytes + b.bytes.length > MAX_BLOCK_BYTES) break;
      count++;
      bytes += b.bytes.length;
      upToSeq = b.seq;
    }
    if (count === 0) return;
    const marker: BlockMarker = {
      chainId: this.chainId,
      height: this.pos.height + 1,
      timeMs: Math.floor(this.clockMs()),
      term: this.lease.term,
      upToSeq,
      proposer: this.nodeId,
    };
    this.outstanding = { height: marker.height, atMs: this.clockMs(), upToSeq };
    this.proposing = true;
    try {
      await this.requireLog().publishMarker(encodeMarker(marker, this.options.nodeKey));
    } catch {
      this.outstanding = undefined;
    } finally {
      this.proposing = false;
    }
  }

  /**
   * Stops proposing, reading and serving; releases the lease so that another node takes over at once
   * (`releaseLease: false` leaves it to expire, as after a crash: the benchmark of a proposer change uses it).
   */
  async close(options: { releaseLease?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.proposeTimer) clearTimeout(this.proposeTimer);
    if (this.tickTimer) clearInterval(this.tickTimer);
    const log = this.log;
    if (log !== undefined && this.lease.held && (options.releaseLease ?? true))
      await log.leaseRelease(this.lease.revision).catch(() => {});
    for (const [hash, set] of this.watchers) {
      const status = this.txStatus(hash);
      for (const done of [...set]) done(status);
    }
    await log?.close();
    await Promise.allSettled(this.loops);
    await this.pool.close();
    this.store.close();
    this.lock.release();
  }
}

interface Ordered {
  entry: Entry;
  sender: string;
  nonce: number;
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
