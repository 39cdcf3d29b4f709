import { z } from "zod";
import { assert, PlurigridError } from "../core/errors.js";
import { hashObject, toHex } from "../core/hash.js";
import { CHAIN_KEY, type ChainRecord, readChain, readParams, ZERO_HASH_HEX } from "./chain.js";
import { BlockExecutor, commitChanges } from "./executor.js";
import { canonicalBytes, merkleRootHex } from "./hashing.js";
import { MAX_BLOCK_BYTES, MAX_TXS_PER_BLOCK } from "./limits.js";
import { StateOverlay } from "./overlay.js";
import { chainIdSchema, describeIssue, hex32Schema, positiveIntSchema, timeMsSchema } from "./schemas.js";
import type {
  ApplyBlockOptions,
  BlockHeader,
  BlockResult,
  StateChange,
  StateReader,
  TxResult,
} from "./seam.js";
import { SMT_KEY_PREFIX } from "./smt/tree.js";
import { treeRoot } from "./smt/update.js";

/**
 * Block rules: a block extends the chain by one (height = last + 1, prevHash = hash of the last header,
 * 64 zeros for the first block), its protocol time is strictly later than the last block's (genesis time
 * for the first), and it holds at most MAX_TXS_PER_BLOCK transactions and MAX_BLOCK_BYTES bytes. A block
 * that breaks a rule is refused whole (a BLOCK_* error); a block that keeps them always applies, with each
 * transaction accepted or rejected on its own.
 */

export type BlockHeaderInput = Omit<BlockHeader, "stateRoot" | "txRoot">;
/** A header as executeBlock takes it: the previous block's hash is for sealBlock to check. */
export type ExecutionHeaderInput = Omit<BlockHeaderInput, "prevHash">;

const executionHeaderSchema = z.object({
  chainId: chainIdSchema,
  height: positiveIntSchema,
  time: timeMsSchema,
});
const headerSchema = executionHeaderSchema.extend({ prevHash: hex32Schema });

/** hex(hashObject("plurigrid/block", header)) over the six header fields. */
export function blockHash(header: BlockHeader): string {
  const { chainId, height, prevHash, time, txRoot: root, stateRoot } = header;
  return toHex(hashObject("plurigrid/block", { chainId, height, prevHash, time, txRoot: root, stateRoot }));
}

/** RFC 6962 Merkle root (hex) over the transactions' bytes, in block order (core/merkle.ts's merkleRoot). */
export function txRoot(txs: readonly Uint8Array[]): string {
  return merkleRootHex(txs);
}

function refuse(code: string, message: string, details: Record<string, unknown> = {}): never {
  throw new PlurigridError(code, message, details);
}

function parseHeader<T>(schema: z.ZodType<T>, header: unknown): T {
  const parsed = schema.safeParse(header);
  if (!parsed.success) refuse("BLOCK_INVALID_HEADER", describeIssue("header", parsed.error));
  return parsed.data;
}

/**
 * Applies a block to committed state and returns each transaction's result, the state changes (sorted, each
 * key once; persist them atomically with the block) and the new state root. Pure: the same state, header and
 * transactions give the same result on every machine.
 */
export function applyBlock(
  state: StateReader,
  header: BlockHeaderInput,
  txs: readonly Uint8Array[],
  opts: ApplyBlockOptions = {},
): BlockResult {
  const h = parseHeader(headerSchema, header);
  checkBody(txs, opts);
  checkChainId(readParams(new StateOverlay(state)).chainId, h);
  checkLink(state, h);
  const executed = execute(state, h, txs, opts);
  const { changes, stateRoot } = seal(state, h, executed);
  return { results: executed.results, changes, stateRoot, txRoot: executed.txRoot };
}

/** What a block's transactions did, before the chain record and the tree (executeBlock). */
export interface ExecutedBlock {
  results: TxResult[];
  txRoot: string;
  /** The application's writes, sorted by key, each key once: no chain record, no tree node. */
  appChanges: StateChange[];
}

/** The rows sealBlock reads and writes: the chain record and the tree's nodes; executeBlock never touches them. */
export function isSealKey(key: string): boolean {
  return key === CHAIN_KEY || key.startsWith(SMT_KEY_PREFIX);
}

/**
 * applyBlock's first half, for a caller that executes a block while the one before is still being sealed
 * elsewhere (the simulator's ledger seals on its writer's thread). It checks the header's form, the block's
 * size and chain, and applies the transactions to the application's rows; it reads no seal key (isSealKey),
 * so the link to the last block (height, time, prevHash) is unchecked until sealBlock. The results are
 * applyBlock's, and so are the changes once sealBlock adds the chain record and the tree.
 */
export function executeBlock(
  state: StateReader,
  header: ExecutionHeaderInput,
  txs: readonly Uint8Array[],
  opts: ApplyBlockOptions = {},
): ExecutedBlock {
  const h = parseHeader(executionHeaderSchema, header);
  checkBody(txs, opts);
  return execute(state, h, txs, opts);
}

/**
 * applyBlock's second half: checks that the header extends the chain of `state` (height, time, prevHash),
 * records the block as the chain's last and updates the tree. It reads only seal keys, so `state` may hold
 * just those (the application's rows are in `executed`). Returns every change of the block, sorted, and the
 * state root: what applyBlock returns for the same block.
 */
export function sealBlock(
  state: StateReader,
  header: BlockHeaderInput,
  executed: ExecutedBlock,
): { changes: StateChange[]; stateRoot: string } {
  const h = parseHeader(headerSchema, header);
  checkLink(state, h);
  return seal(state, h, executed);
}

function checkChainId(chainId: string, h: ExecutionHeaderInput): void {
  if (h.chainId !== chainId) {
    refuse("BLOCK_WRONG_CHAIN", `block is for chain ${h.chainId}, this is ${chainId}`, {
      chainId: h.chainId,
    });
  }
}

function checkBody(txs: readonly Uint8Array[], opts: ApplyBlockOptions): void {
  if (!Array.isArray(txs) || txs.length > MAX_TXS_PER_BLOCK) {
    refuse("BLOCK_TOO_MANY_TXS", `a block holds at most ${MAX_TXS_PER_BLOCK} transactions`, {
      count: txs?.length,
    });
  }
  let totalBytes = 0;
  for (const tx of txs) {
    if (!(tx instanceof Uint8Array))
      refuse("BLOCK_INVALID_HEADER", "every transaction must be given as bytes");
    totalBytes += tx.length;
  }
  if (totalBytes > MAX_BLOCK_BYTES) {
    refuse("BLOCK_TOO_LARGE", `block is ${totalBytes} bytes; the limit is ${MAX_BLOCK_BYTES}`, {
      bytes: totalBytes,
    });
  }
  const verdicts = opts.signaturesVerified;
  if (verdicts !== undefined && (!Array.isArray(verdicts) || verdicts.length !== txs.length)) {
    refuse("BLOCK_BAD_OPTIONS", "signaturesVerified must hold one verdict per transaction", {
      verdicts: verdicts?.length,
      txs: txs.length,
    });
  }
}

function execute(
  state: StateReader,
  h: ExecutionHeaderInput,
  txs: readonly Uint8Array[],
  opts: ApplyBlockOptions,
): ExecutedBlock {
  const executor = new BlockExecutor(state, h);
  checkChainId(executor.params.chainId, h);
  const verdicts = opts.signaturesVerified;
  const results: TxResult[] = new Array(txs.length);
  for (let i = 0; i < txs.length; i++) results[i] = executor.applyTx(txs[i], verdicts?.[i]);
  const appChanges = executor.appChanges();
  assert(
    appChanges.every(([key]) => !isSealKey(key)),
    "transactions write no chain record and no tree node",
  );
  return { results, txRoot: txRoot(txs), appChanges };
}

function seal(
  state: StateReader,
  h: BlockHeaderInput,
  executed: ExecutedBlock,
): { changes: StateChange[]; stateRoot: string } {
  const record: ChainRecord = {
    height: h.height,
    timeMs: h.time,
    prevHash: h.prevHash,
    txRoot: executed.txRoot,
  };
  const writes: StateChange[] = [...executed.appChanges, [CHAIN_KEY, canonicalBytes(record)]];
  writes.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return commitChanges(state, writes);
}

/**
 * The header extends the chain of `state`: height + 1, a later time, and prevHash the hash of the last
 * block (recomputed from the chain record and the tree's root, which is that block's stateRoot). The chain
 * id is the header's: execute checks it against the chain's parameters, and a header of another chain names
 * another last block, whose hash prevHash would not match.
 */
function checkLink(state: StateReader, h: BlockHeaderInput): void {
  const last = readChain(new StateOverlay(state));
  if (h.height !== last.height + 1) {
    refuse("BLOCK_BAD_HEIGHT", `block height ${h.height} does not follow ${last.height}`, {
      height: h.height,
      expected: last.height + 1,
    });
  }
  if (h.time <= last.timeMs) {
    refuse("BLOCK_TIME_NOT_INCREASING", `block time ${h.time} is not after the last block's ${last.timeMs}`, {
      time: h.time,
      lastTime: last.timeMs,
    });
  }
  // The last header's hash is recomputed from its record and the current root, which is its stateRoot.
  const expected =
    last.height === 0
      ? ZERO_HASH_HEX
      : blockHash({
          chainId: h.chainId,
          height: last.height,
          prevHash: last.prevHash,
          time: last.timeMs,
          txRoot: last.txRoot,
          stateRoot: treeRoot(state),
        });
  if (h.prevHash !== expected) {
    refuse(
      "BLOCK_BAD_PREV_HASH",
      `prevHash ${h.prevHash} is not the hash of block ${last.height}, ${expected}`,
      {
        prevHash: h.prevHash,
        expected,
      },
    );
  }
}
