/**
 * The ordering engine behind one small interface (STYLE: adapters at the edge): a NATS JetStream stream of
 * transaction entries and block markers, a second stream of attestations, and a key-value bucket holding the
 * proposer lease. Nothing else in node/cluster/ imports NATS (but the sweep work queue, work-queue.ts).
 */

import { setTimeout as sleep } from "node:timers/promises";
import {
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  StorageType,
} from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { connect, headers, type NatsConnection, nanos } from "@nats-io/transport-node";
import { PlurigridError } from "../../core/errors.js";

export type EntryKind = "tx" | "block";
export type AckPolicy = "stored" | "none";

export interface LogEntry {
  seq: number;
  kind: EntryKind;
  data: Uint8Array;
}

export interface LogNames {
  stream: string;
  attestStream: string;
  txSubject: string;
  blockSubject: string;
  attestSubject: string;
  leaseBucket: string;
}

/** Stream, subject and bucket names of a chain (NATS names allow letters, digits, "-" and "_"). */
export function logNamesOf(chainId: string): LogNames {
  const id = chainId.replace(/[^A-Za-z0-9_-]/g, "_");
  return {
    stream: `PG-${id}`,
    attestStream: `PG-${id}-ATT`,
    txSubject: `pg.${id}.tx`,
    blockSubject: `pg.${id}.block`,
    attestSubject: `pg.${id}.att`,
    leaseBucket: `PG-${id}-lease`,
  };
}

export interface LogOptions {
  servers: string[];
  chainId: string;
  /** Replicas of the streams and the lease bucket (1 or 3 on a 3-server cluster). */
  replicas: number;
  /** Proposer lease time-to-live: an entry not renewed within it expires. */
  leaseMs: number;
  /** Window in which JetStream drops a second publication of the same transaction hash. */
  duplicateWindowMs?: number;
  /** Per publish. */
  publishTimeoutMs?: number;
  /**
   * "stored": a submission waits for JetStream's acknowledgement that the entry is stored (on a majority of
   * the replicas) before the client hears "pending"; "none": the entry is sent without waiting (faster; a
   * submission lost with a failing server is never committed and the client submits it again).
   */
  ackPolicy?: AckPolicy;
  name?: string;
  /**
   * How long opening keeps trying to set up the streams while JetStream has no leader (a server restarting,
   * an election under way) before it gives up with CLUSTER_UNAVAILABLE. Default 60 s.
   */
  setupTimeoutMs?: number;
}

const LEASE_KEY = "proposer";
/** Each pull of a consumer lasts this long (heartbeats at half of it reveal a dead server quickly). */
const PULL_EXPIRES_MS = 2000;
/** A consumer silent for this long is recreated at the next sequence. */
const CONSUMER_IDLE_MS = 5000;
/** First pause between attempts to set up the streams (grows per attempt up to 2 s). */
const SETUP_RETRY_MS = 250;

function unavailable(what: string, e: unknown): PlurigridError {
  return new PlurigridError("CLUSTER_UNAVAILABLE", `${what}: ${e instanceof Error ? e.message : String(e)}`);
}

export class JetStreamLog {
  private closed = false;

  private constructor(
    readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly names: LogNames,
    private readonly lease: KV,
    private readonly publishTimeoutMs: number,
    private readonly ackPolicy: AckPolicy,
  ) {}

  /** Connects (to any of `servers`, reconnecting forever) and creates the streams and bucket if absent. */
  static async open(options: LogOptions): Promise<JetStreamLog> {
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: options.servers,
        name: options.name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        timeout: 5000,
        // An Error object (with its stack) per request costs more than the publish itself.
        noAsyncTraces: true,
      });
    } catch (e) {
      throw unavailable(`cannot connect to NATS at ${options.servers.join(",")}`, e);
    }
    const deadline = Date.now() + (options.setupTimeoutMs ?? 60_000);
    for (let attempt = 1; ; attempt++) {
      try {
        return await JetStreamLog.setUp(nc, options, Math.max(500, Math.min(10_000, deadline - Date.now())));
      } catch (e) {
        // JetStream answers nothing while its meta group elects a leader: wait for it, up to the deadline.
        if (!(e instanceof PlurigridError) && Date.now() + SETUP_RETRY_MS < deadline) {
          await sleep(Math.min(SETUP_RETRY_MS * attempt, 2000));
          continue;
        }
        await nc.close().catch(() => {});
        if (e instanceof PlurigridError) throw e;
        throw unavailable(`cannot set up the JetStream streams (${attempt} attempts)`, e);
      }
    }
  }

  private static async setUp(
    nc: NatsConnection,
    options: LogOptions,
    timeoutMs: number,
  ): Promise<JetStreamLog> {
    const names = logNamesOf(options.chainId);
    const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
    const duplicateWindow = nanos(options.duplicateWindowMs ?? 120_000);
    await ensureStream(jsm, names.stream, [names.txSubject, names.blockSubject], options.replicas, {
      duplicate_window: duplicateWindow,
    });
    await ensureStream(jsm, names.attestStream, [names.attestSubject], options.replicas, {});
    const js = jetstream(nc, { timeout: options.publishTimeoutMs ?? 10_000 });
    const lease = await new Kvm(js).create(names.leaseBucket, {
      replicas: options.replicas,
      history: 1,
      ttl: options.leaseMs,
      storage: StorageType.File,
    });
    // The log keeps a manager with the usual request timeout (this attempt's may have been shortened).
    const manager = await jetstreamManager(nc, { timeout: 10_000, checkAPI: false });
    return new JetStreamLog(
      nc,
      js,
      manager,
      names,
      lease,
      options.publishTimeoutMs ?? 10_000,
      options.ackPolicy ?? "stored",
    );
  }

  /** Appends a signed transaction; JetStream keeps one copy per hash within the duplicate window. */
  async publishTx(bytes: Uint8Array, hash: string): Promise<void> {
    if (this.ackPolicy === "none") {
      const h = headers();
      h.set("Nats-Msg-Id", hash);
      try {
        this.nc.publish(this.names.txSubject, bytes, { headers: h });
      } catch (e) {
        throw unavailable("cannot send the transaction to NATS", e);
      }
      return;
    }
    try {
      const ack = await this.js.publish(this.names.txSubject, bytes, {
        msgID: hash,
        timeout: this.publishTimeoutMs,
      });
      if (ack.seq <= 0) throw new Error("no sequence in the acknowledgement");
    } catch (e) {
      throw unavailable("the stream did not store the transaction", e);
    }
  }

  /** Appends raw bytes on the transaction subject without a message id (tests feed tampered entries so). */
  async publishRawTx(bytes: Uint8Array): Promise<number> {
    return (await this.js.publish(this.names.txSubject, bytes)).seq;
  }

  async publishMarker(bytes: Uint8Array): Promise<number> {
    try {
      return (await this.js.publish(this.names.blockSubject, bytes, { timeout: this.publishTimeoutMs })).seq;
    } catch (e) {
      throw unavailable("the stream did not store the block marker", e);
    }
  }

  async publishAttestation(bytes: Uint8Array): Promise<void> {
    try {
      await this.js.publish(this.names.attestSubject, bytes, { timeout: this.publishTimeoutMs });
    } catch (e) {
      throw unavailable("the stream did not store the attestation", e);
    }
  }

  /**
   * Reads the stream in order from `fromSeq` (an ordered consumer: it recreates itself at the right
   * sequence after a server failure) and calls `onEntry` for each entry, awaiting it before the next.
   * Runs until `close()`; a broken consumer is recreated after the last entry handled.
   */
  async follow(fromSeq: number, onEntry: (e: LogEntry) => Promise<void> | void): Promise<void> {
    await this.consumeFrom(this.names.stream, fromSeq, 2048, async (m) => {
      const kind: EntryKind = m.subject === this.names.blockSubject ? "block" : "tx";
      try {
        await onEntry({ seq: m.seq, kind, data: m.data });
      } catch (e) {
        // The handler's failure is the node's, not the connection's: never skip the entry and go on.
        throw new HandlerFailure(e);
      }
    });
  }

  /** Every attestation from the start of its stream, then new ones as they come. */
  async followAttestations(onData: (data: Uint8Array) => void): Promise<void> {
    await this.consumeFrom(this.names.attestStream, 1, 1024, (m) => onData(m.data));
  }

  /**
   * An ordered consumer of `stream` from `fromSeq`, recreated at the next sequence whenever it fails or stays
   * silent (watch). Each message is handled before the next; a HandlerFailure ends the loop with its cause.
   */
  private async consumeFrom(
    stream: string,
    fromSeq: number,
    batch: number,
    handle: (m: { seq: number; subject: string; data: Uint8Array }) => Promise<void> | void,
  ): Promise<void> {
    let next = fromSeq;
    while (!this.closed) {
      let watch: { saw(): void; end(): void } | undefined;
      try {
        const consumer = await this.js.consumers.get(stream, {
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: Math.max(1, next),
        });
        const messages = await consumer.consume({ max_messages: batch, expires: PULL_EXPIRES_MS });
        watch = this.watch(() => messages.stop());
        for await (const m of messages) {
          watch.saw();
          if (this.closed) break;
          if (m.seq < next) continue;
          await handle(m);
          next = m.seq + 1;
        }
      } catch (e) {
        if (e instanceof HandlerFailure) throw e.cause;
        if (this.closed) return;
        await new Promise((r) => setTimeout(r, 250));
      } finally {
        watch?.end();
      }
    }
  }

  private readonly stops = new Set<() => void>();

  /**
   * Stops a consumer that delivered nothing for CONSUMER_IDLE_MS (the caller then recreates it at the next
   * sequence): a pull parked on a server that died must not stall a node for the client's own detection time.
   */
  private watch(stop: () => void): { saw(): void; end(): void } {
    let last = Date.now();
    const timer = setInterval(() => {
      if (Date.now() - last > CONSUMER_IDLE_MS) stop();
    }, CONSUMER_IDLE_MS / 2);
    const entry = () => stop();
    this.stops.add(entry);
    return {
      saw: () => {
        last = Date.now();
      },
      end: () => {
        clearInterval(timer);
        this.stops.delete(entry);
      },
    };
  }

  /** The lease entry: holder and revision, or undefined when nobody holds it (absent or expired). */
  async leaseEntry(): Promise<{ holder: string; revision: number } | undefined> {
    const e = await this.lease.get(LEASE_KEY);
    if (e === null || e.operation !== "PUT" || e.length === 0) return undefined;
    return { holder: e.string(), revision: e.revision };
  }

  /** Takes a free lease; its revision (the term) or undefined when someone else was first. */
  async leaseCreate(holder: string): Promise<number | undefined> {
    try {
      return await this.lease.create(LEASE_KEY, holder);
    } catch {
      return undefined;
    }
  }

  /** Renews (or takes over) the lease at `revision`; the new revision, or undefined if it moved on. */
  async leaseUpdate(holder: string, revision: number): Promise<number | undefined> {
    try {
      return await this.lease.update(LEASE_KEY, holder, revision);
    } catch {
      return undefined;
    }
  }

  /** Gives the lease up (a clean stop), so that another node takes it without waiting for the TTL. */
  async leaseRelease(revision: number): Promise<void> {
    await this.lease.delete(LEASE_KEY, { previousSeq: revision });
  }

  /** The last sequence of the ordering stream. */
  async lastSeq(): Promise<number> {
    const info = await this.jsm.streams.info(this.names.stream);
    return info.state.last_seq;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.stops) stop();
    await this.nc.drain().catch(() => this.nc.close());
  }
}

class HandlerFailure extends Error {
  constructor(override readonly cause: unknown) {
    super("entry handler failed");
  }
}

async function ensureStream(
  jsm: JetStreamManager,
  name: string,
  subjects: string[],
  replicas: number,
  extra: { duplicate_window?: number },
): Promise<void> {
  try {
    await jsm.streams.info(name);
    return;
  } catch {
    // absent: create below
  }
  try {
    await jsm.streams.add({
      name,
      subjects,
      num_replicas: replicas,
      storage: StorageType.File,
      ...extra,
    });
  } catch (e) {
    // Another node created it meanwhile.
    await jsm.streams.info(name).catch(() => {
      throw e;
    });
  }
}
