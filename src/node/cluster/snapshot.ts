/**
 * Signed state snapshots: a node writes its state at its last block (height, block hash, state root, the
 * block's header, its stream position and every state row), signed with its node key; a new node starts
 * from a snapshot plus the stream after it instead of replaying the stream from the genesis.
 *
 * Before a snapshot is used: its signature must verify and its signer be an operator; its header must hash
 * to its block hash and carry its state root; the state tree rebuilt from its application rows must have
 * that root and be exactly the tree rows it carries; and a quorum of operators must have attested that
 * (block hash, state root) at its height on the attestation stream. Any failure is a coded error and
 * nothing is written.
 */
import { z } from "zod";
import { PlurigridError } from "../../core/errors.js";
import { toHex } from "../../core/hash.js";
import type { KeyPair } from "../../core/keys.js";
import type { BlockHeader } from "../../protocol/seam.js";
import { NodeLock } from "../lock.js";
import { blockHashOf, isTreeKey, stateTreeOf } from "../protocol-adapter.js";
import { Store } from "../store.js";
import { JetStreamLog } from "./log.js";
import { type BlockOrigin, PositionTable } from "./positions.js";
import { decodeAttestation, decodeSigned, encodeSigned } from "./signed.js";

export const SNAPSHOT_TAG = "plurigrid/cluster/snapshot";
export const SNAPSHOT_FORMAT = "plurigrid-snapshot-1";

const HEX64 = z.string().regex(/^[0-9a-f]{64}$/);
const UINT = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const snapshotSchema = z
  .object({
    format: z.literal(SNAPSHOT_FORMAT),
    chainId: z.string().min(1).max(64),
    height: UINT.min(1),
    blockHash: HEX64,
    stateRoot: HEX64,
    header: z
      .object({
        chainId: z.string(),
        height: UINT,
        prevHash: HEX64,
        time: UINT,
        txRoot: HEX64,
        stateRoot: HEX64,
      })
      .strict(),
    /** Where the block came from in the ordering stream: the restored node reads on from `upToSeq + 1`. */
    origin: z.object({ markerSeq: UINT, upToSeq: UINT, term: UINT, proposer: HEX64 }).strict(),
    /** Every state row in key order: [key, base64 value]. */
    rows: z.array(z.tuple([z.string().min(1), z.string()])),
    /** The signer's node key. */
    operator: HEX64,
  })
  .strict();
export type SnapshotBody = z.infer<typeof snapshotSchema>;

function snapshotError(code: string, message: string, details: Record<string, unknown> = {}): PlurigridError {
  return new PlurigridError(code, message, details);
}

/**
 * The signed snapshot of `store` at its last block (a cluster node's store: the block must have a stream
 * position). Reads in one read transaction, so a running node's commits cannot interleave.
 */
export function writeSnapshot(store: Store, nodeKey: KeyPair): Uint8Array {
  const body = store.reading((): SnapshotBody => {
    const head = store.head();
    const origin = lastOriginOf(store);
    const block = store.block(head.height);
    if (head.height === 0 || block === undefined || origin === undefined || origin.height !== head.height) {
      throw snapshotError(
        "SNAPSHOT_NOTHING",
        `${store.path} has no cluster block to snapshot (height ${head.height})`,
      );
    }
    const rows: [string, string][] = [];
    for (const r of store.stateRows()) rows.push([r.key, r.value.toString("base64")]);
    return {
      format: SNAPSHOT_FORMAT,
      chainId: store.meta().chainId,
      height: head.height,
      blockHash: block.hash,
      stateRoot: block.header.stateRoot,
      header: { ...block.header },
      origin: {
        markerSeq: origin.markerSeq,
        upToSeq: origin.upToSeq,
        term: origin.term,
        proposer: origin.proposer,
      },
      rows,
      operator: toHex(nodeKey.publicKey),
    };
  });
  return encodeSigned(SNAPSHOT_TAG, body, nodeKey);
}

/** The stream position of the last block, read only (the store may be another process's, opened read-only). */
function lastOriginOf(store: Store): BlockOrigin | undefined {
  try {
    return store.database
      .prepare(
        "SELECT height, markerSeq, upToSeq, term, proposer FROM cluster_blocks ORDER BY height DESC LIMIT 1",
      )
      .get() as BlockOrigin | undefined;
  } catch {
    return undefined; // no cluster_blocks table: not a cluster node's folder
  }
}

export interface CheckedSnapshot {
  body: SnapshotBody;
  /** The rows as bytes, key order. */
  rows: [string, Uint8Array][];
}

/**
 * Every check that needs no cluster: form, signature, signer among `operators`, chain, header, and the root
 * rebuilt from the rows. Throws SNAPSHOT_INVALID, SNAPSHOT_BAD_SIGNATURE, SNAPSHOT_UNTRUSTED,
 * SNAPSHOT_ROOT_MISMATCH.
 */
export function checkSnapshot(
  bytes: Uint8Array,
  expect: { chainId: string; operators: readonly string[] },
): CheckedSnapshot {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw snapshotError("SNAPSHOT_INVALID", `the snapshot is not JSON: ${(e as Error).message}`);
  }
  const parsed = z.object({ body: snapshotSchema, signature: z.string() }).strict().safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw snapshotError(
      "SNAPSHOT_INVALID",
      `the snapshot is not a ${SNAPSHOT_FORMAT} document: ${issue?.path.join(".")} ${issue?.message}`,
    );
  }
  const body = decodeSigned(SNAPSHOT_TAG, snapshotSchema, (b) => b.operator, bytes);
  if (body === undefined) {
    throw snapshotError(
      "SNAPSHOT_BAD_SIGNATURE",
      `the snapshot's signature by ${parsed.data.body.operator} does not verify (or its JSON is not canonical)`,
    );
  }
  if (!expect.operators.includes(body.operator)) {
    throw snapshotError("SNAPSHOT_UNTRUSTED", `the snapshot is signed by ${body.operator}, not an operator`);
  }
  const header = body.header as BlockHeader;
  if (body.chainId !== expect.chainId || header.chainId !== body.chainId) {
    throw snapshotError(
      "SNAPSHOT_INVALID",
      `the snapshot is of chain ${body.chainId}, this node's is ${expect.chainId}`,
    );
  }
  if (
    header.height !== body.height ||
    header.stateRoot !== body.stateRoot ||
    blockHashOf(header) !== body.blockHash
  ) {
    throw snapshotError(
      "SNAPSHOT_INVALID",
      `the snapshot's header does not hash to block ${body.blockHash} at height ${body.height} with root ${body.stateRoot}`,
    );
  }
  const rows: [string, Uint8Array][] = [];
  const app: [string, Uint8Array][] = [];
  const tree = new Map<string, string>();
  let previous = "";
  for (const [key, b64] of body.rows) {
    if (key <= previous) throw snapshotError("SNAPSHOT_INVALID", `state rows out of key order at ${key}`);
    previous = key;
    const value = new Uint8Array(Buffer.from(b64, "base64"));
    rows.push([key, value]);
    if (isTreeKey(key)) tree.set(key, b64);
    else app.push([key, value]);
  }
  const rebuilt = stateTreeOf(app);
  const sameTree =
    rebuilt.nodes.length === tree.size &&
    rebuilt.nodes.every(([k, v]) => tree.get(k) === Buffer.from(v).toString("base64"));
  if (rebuilt.root !== body.stateRoot || !sameTree) {
    throw snapshotError(
      "SNAPSHOT_ROOT_MISMATCH",
      `the snapshot's rows give state root ${rebuilt.root}${sameTree ? "" : " (and other tree rows)"}; it claims ${body.stateRoot}`,
      { height: body.height },
    );
  }
  return { body, rows };
}

/**
 * Waits until a quorum of `operators` attested the snapshot's (block hash, state root) at its height on the
 * attestation stream. SNAPSHOT_NOT_ATTESTED when a quorum attested something else, or after `timeoutMs`.
 */
export async function awaitAttested(
  log: JetStreamLog,
  body: SnapshotBody,
  operators: readonly string[],
  quorum: number,
  timeoutMs: number,
): Promise<void> {
  const firstOf = new Map<string, string>();
  const wanted = `${body.blockHash}/${body.stateRoot}`;
  let settle: (e?: Error) => void = () => {};
  const verdict = new Promise<void>((resolve, reject) => {
    settle = (e) => (e === undefined ? resolve() : reject(e));
  });
  const timer = setTimeout(
    () =>
      settle(
        snapshotError(
          "SNAPSHOT_NOT_ATTESTED",
          `no quorum of ${quorum} operators attested block ${body.blockHash} with root ${body.stateRoot} at height ${body.height} within ${timeoutMs} ms`,
          { height: body.height },
        ),
      ),
    timeoutMs,
  );
  void log.followAttestations((data) => {
    const att = decodeAttestation(data);
    if (att === undefined || att.chainId !== body.chainId || att.height !== body.height) return;
    if (!operators.includes(att.operator) || firstOf.has(att.operator)) return;
    firstOf.set(att.operator, `${att.blockHash}/${att.stateRoot}`);
    const counts = new Map<string, number>();
    for (const v of firstOf.values()) counts.set(v, (counts.get(v) ?? 0) + 1);
    if ((counts.get(wanted) ?? 0) >= quorum) settle();
    for (const [claim, n] of counts) {
      if (claim !== wanted && n >= quorum) {
        settle(
          snapshotError(
            "SNAPSHOT_NOT_ATTESTED",
            `a quorum of operators attested ${claim.replace("/", " with root ")} at height ${body.height}, not the snapshot's block ${body.blockHash} with root ${body.stateRoot}`,
            { height: body.height },
          ),
        );
      }
    }
  });
  try {
    await verdict;
  } finally {
    clearTimeout(timer);
  }
}

export interface RestoreOptions {
  /** The fresh node's chain database (`plurigrid init` with the cluster's genesis; no block yet). */
  dbPath: string;
  snapshot: Uint8Array;
  servers: string[];
  operators: string[];
  quorum: number;
  replicas?: number;
  /** How long to wait for the snapshot's height to be attested by a quorum (default 10 s). */
  attestTimeoutMs?: number;
}

/**
 * Checks `snapshot` (checkSnapshot, then the attestations) and writes it into a fresh data folder: its state
 * rows, its block (header only: the earlier blocks and the block's transactions are not in a snapshot) and
 * its stream position, in one SQLite transaction. A ClusterNode started on the folder then reads the stream
 * after the snapshot.
 */
export async function restoreSnapshot(
  options: RestoreOptions,
): Promise<{ height: number; stateRoot: string }> {
  const lock = NodeLock.acquire(options.dbPath);
  let store: Store | undefined;
  try {
    store = Store.open(options.dbPath);
    const chainId = store.meta().chainId;
    if (store.head().height !== 0) {
      throw snapshotError(
        "SNAPSHOT_TARGET_NOT_EMPTY",
        `${options.dbPath} already holds ${store.head().height} blocks; restore a snapshot into a fresh data folder`,
      );
    }
    const checked = checkSnapshot(options.snapshot, { chainId, operators: options.operators });
    const { body } = checked;
    const log = await JetStreamLog.open({
      servers: options.servers,
      chainId,
      replicas: options.replicas ?? 3,
      leaseMs: 2000,
      name: "snapshot-restore",
    });
    try {
      await awaitAttested(log, body, options.operators, options.quorum, options.attestTimeoutMs ?? 10_000);
    } finally {
      await log.close();
    }
    const positions = new PositionTable(store);
    const target = store;
    target.database.transaction(() => {
      target.database.exec("DELETE FROM state");
      target.commitBlock({
        header: body.header as BlockHeader,
        hash: body.blockHash,
        txs: [],
        txHashes: [],
        results: [],
        changes: checked.rows,
      });
      positions.putOrigin({ height: body.height, ...body.origin });
    })();
    return { height: body.height, stateRoot: body.stateRoot };
  } finally {
    store?.close();
    lock.release();
  }
}

/** The canonical bytes of a snapshot body signed by `key` (tests build tampered snapshots with it). */
export function signSnapshotBody(body: SnapshotBody, key: KeyPair): Uint8Array {
  return encodeSigned(SNAPSHOT_TAG, body, key);
}

/** The body of snapshot bytes without any check (tests tamper with it). */
export function snapshotBodyOf(bytes: Uint8Array): SnapshotBody {
  return (JSON.parse(new TextDecoder().decode(bytes)) as { body: SnapshotBody }).body;
}
