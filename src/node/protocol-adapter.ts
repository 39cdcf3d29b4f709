/**
 * The node's one doorway into the protocol (STYLE: narrow seams). Everything node/ needs from protocol/
 * is re-exported or derived here, so a change of the protocol's surface touches one file of the node.
 */
import { PlurigridError } from "../core/errors.js";
import { canonicalText } from "../protocol/hashing.js";
import {
  accountKey,
  applyBlock,
  blockHash,
  checkTx,
  derKey,
  type GenesisDoc,
  genesis,
  MAX_BLOCK_BYTES,
  MAX_TX_BYTES,
  MAX_TXS_PER_BLOCK,
  meterDayKey,
  meterReadingKey,
  parseGenesis,
  participantKey,
  query,
  readStateValue,
  type SignatureScheme,
  SMT_KEY_PREFIX,
  txHash,
  txRoot,
  verifyTxSignature,
} from "../protocol/index.js";
import type { BlockHeader, BlockResult, CheckResult, StateProof, StateReader } from "../protocol/seam.js";
import { treeUpdates, updateTree } from "../protocol/smt/update.js";
import { signatureVerdict } from "../protocol/verify.js";

export { type GenesisDoc, MAX_BLOCK_BYTES, MAX_TX_BYTES, MAX_TXS_PER_BLOCK };

export const txHashOf: (bytes: Uint8Array) => string = txHash;
export const txRootOf: (txs: readonly Uint8Array[]) => string = txRoot;
export const blockHashOf: (header: BlockHeader) => string = blockHash;
/** Pure, thread-safe: the signature verdict applyBlock accepts in `signaturesVerified`. */
export const txSignatureValid: (bytes: Uint8Array) => boolean = (bytes) => verifyTxSignature(bytes);
/**
 * Pure, thread-safe, and cheaper: the same verdict as txSignatureValid for every transaction that decodes,
 * read without decoding (applyBlock never reads the verdict of one that does not).
 */
export const signatureVerdictOf: (bytes: Uint8Array) => boolean = signatureVerdict;
/** RFC 8785 canonical JSON text (core's canonicalString, faster on plain values). */
export const canonicalJson: (value: unknown) => string = canonicalText;

export function applyBlockTxs(
  state: StateReader,
  header: Omit<BlockHeader, "stateRoot" | "txRoot">,
  txs: readonly Uint8Array[],
  signaturesVerified?: readonly boolean[],
): BlockResult {
  return applyBlock(state, header, txs, signaturesVerified === undefined ? {} : { signaturesVerified });
}

/** checkTx, with any exception turned into a rejection (the door never throws at a client). */
export function checkTxBytes(state: StateReader, bytes: Uint8Array): CheckResult {
  try {
    return checkTx(state, bytes);
  } catch (e) {
    if (e instanceof PlurigridError) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
}

/** The genesis changes, root, chain id and time of a genesis document (GENESIS_INVALID when broken). */
export function genesisOf(doc: unknown): {
  chainId: string;
  genesisTimeMs: number;
  signatureScheme: SignatureScheme;
  changes: ReturnType<typeof genesis>["changes"];
  stateRoot: string;
} {
  const parsed = parseGenesis(doc);
  const { changes, stateRoot } = genesis(doc as GenesisDoc);
  return {
    chainId: parsed.chainId,
    genesisTimeMs: parsed.genesisTimeMs,
    signatureScheme: parsed.params.signatureScheme ?? "ed25519",
    changes,
    stateRoot,
  };
}

/**
 * A live node serves only chains signed with Ed25519: a simulation chain (params.signatureScheme
 * "sim-digest", where anyone can sign for anyone) is refused with NODE_SIMULATION_CHAIN. `plurigrid verify`
 * still replays such a chain.
 */
export function refuseSimulationChain(genesisDoc: unknown): void {
  const scheme = parseGenesis(genesisDoc).params.signatureScheme ?? "ed25519";
  if (scheme !== "ed25519") {
    throw new PlurigridError(
      "NODE_SIMULATION_CHAIN",
      `this chain uses the ${scheme} signature scheme, which only simulations use: a node does not serve it (plurigrid verify replays it)`,
      { signatureScheme: scheme },
    );
  }
}

/** The account's next nonce in `state` (0 for an account that does not exist yet). */
export function accountNextNonce(state: StateReader, account: string): number {
  const key = accountKey(account);
  const bytes = state.get(key);
  if (bytes === undefined) return 0;
  const nonce = readStateValue(key, bytes).nonce;
  return typeof nonce === "number" ? nonce : 0;
}

export function queryState(
  state: StateReader,
  key: string,
): { value: Uint8Array | undefined; proof: StateProof } {
  const q = query(state, key);
  return { value: q.value, proof: q.proof };
}

/** State keys the API serves (the protocol's layout). */
export const STATE_KEYS = {
  account: (id: string) => accountKey(id),
  participant: (id: string) => participantKey(id),
  der: (id: string) => derKey(id),
  reading: (der: string, interval: number) => meterReadingKey(der, interval),
  readingDay: (der: string, day: number) => meterDayKey(der, day),
};

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** A stored state value as JSON (values are canonical JSON; tree nodes are never served). */
export function jsonOfValue(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch {
    return null;
  }
}

/** A proof is plain JSON already (hex strings); kept as a function so the shape is decided in one place. */
export function jsonOfProof(proof: unknown): unknown {
  return proof;
}

/** A signed transaction's bytes as JSON, for display in blocks (null if the bytes are not JSON). */
export function jsonOfTxBytes(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch {
    return null;
  }
}

/** True for the state tree's own rows ("smt/…"), which commit to the application rows. */
export function isTreeKey(key: string): boolean {
  return key.startsWith(SMT_KEY_PREFIX);
}

/**
 * The state tree rebuilt from scratch over application rows (no tree rows): every tree row and the root.
 * A state snapshot is checked with it (node/cluster/snapshot.ts): the rows it carries must be exactly
 * these plus the application rows, and the root the one it claims.
 */
export function stateTreeOf(rows: Iterable<readonly [string, Uint8Array]>): {
  nodes: [string, Uint8Array][];
  root: string;
} {
  const empty: StateReader = { get: () => undefined };
  const { changes, root } = updateTree(empty, treeUpdates(rows));
  const nodes: [string, Uint8Array][] = [];
  for (const [key, value] of changes) if (value !== null) nodes.push([key, value]);
  nodes.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { nodes, root };
}
