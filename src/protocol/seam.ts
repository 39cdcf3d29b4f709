/**
 * The seam between the deterministic protocol and the world (after CometBFT's ABCI). `node/` and `sim/`
 * are the only callers; the protocol never touches storage, clocks or the network itself.
 *
 * State is a key-value map of canonical bytes. The protocol reads it through `StateReader` and returns
 * every change it wants as a sorted `StateChange` list; the caller persists the changes of one block
 * atomically together with the block. The authenticated structure behind the state root (its tree
 * nodes) lives in the same key space, so persisting the changes persists the commitment too.
 */

/** Read access to committed state (plus, inside a block, the protocol's own uncommitted overlay). */
export interface StateReader {
  get(key: string): Uint8Array | undefined;
}

/** One write of a block: a new value, or `null` to delete the key. */
export type StateChange = readonly [key: string, value: Uint8Array | null];

/** Header of a block as ordered by the node; `time` is protocol time in ms from the proposer. */
export interface BlockHeader {
  chainId: string;
  height: number;
  /** Hex SHA-256 of the previous block header (64 zeros at height 1). */
  prevHash: string;
  /** Protocol time, integer ms since the Unix epoch, strictly increasing; never the reader's clock. */
  time: number;
  /** Hex RFC 6962 Merkle root over the transactions' bytes. */
  txRoot: string;
  /** Hex root committing to the whole state after this block. */
  stateRoot: string;
}

/** Outcome of one transaction inside a block. A rejected transaction changes nothing. */
export type TxResult =
  | { txHash: string; ok: true; events: ProtocolEvent[] }
  | { txHash: string; ok: false; code: string; message: string };

export interface ProtocolEvent {
  type: string;
  attributes: Record<string, string | number | boolean>;
}

export interface BlockResult {
  results: TxResult[];
  /** Sorted by key; each key at most once. */
  changes: StateChange[];
  stateRoot: string;
  /** RFC 6962 root over the block's transaction bytes (the header's txRoot), computed once here. */
  txRoot: string;
}

/** Options of applyBlock. */
export interface ApplyBlockOptions {
  /**
   * Signature verdicts computed beforehand (e.g. in worker threads with `verifyTxSignature`), one per
   * transaction in block order. When given, applyBlock trusts them instead of verifying; when absent it
   * verifies itself. The results are the same either way if the verdicts are right.
   */
  signaturesVerified?: readonly boolean[];
}

/**
 * Proof that a key holds a value, or is absent, in the state committed to by a state root. JSON as it is:
 * hashes are lowercase hex. `siblings` run from the root down; `leaf` is the leaf where the key's path ends
 * (the key's own leaf for inclusion, another key's leaf or null for non-inclusion). Check it with
 * verifyStateProof(root, key, value | undefined, proof).
 */
export interface StateProof {
  siblings: string[];
  leaf: { keyHash: string; valueHash: string } | null;
}

/** Answer of query(): the committed value (undefined when absent) and its proof against `stateRoot`. */
export interface QueryResult {
  key: string;
  value: Uint8Array | undefined;
  proof: StateProof;
  stateRoot: string;
}

/** Result of the admission check at the API door (signature, chain id, nonce, fees/balance where cheap). */
export type CheckResult =
  | { ok: true; txHash: string; sender: string; nonce: number }
  | { ok: false; code: string; message: string };
