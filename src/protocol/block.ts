import { z } from "zod";
import { PlurigridError } from "../core/errors.js";
import { hashObject, toHex } from "../core/hash.js";
import { type ChainRecord, readChain, ZERO_HASH_HEX } from "./chain.js";
import { BlockExecutor } from "./executor.js";
import { merkleRootHex } from "./hashing.js";
import { MAX_BLOCK_BYTES, MAX_TXS_PER_BLOCK } from "./limits.js";
import { chainIdSchema, describeIssue, hex32Schema, positiveIntSchema, timeMsSchema } from "./schemas.js";
import type { ApplyBlockOptions, BlockHeader, BlockResult, StateReader, TxResult } from "./seam.js";
import { treeRoot } from "./smt/update.js";

/**
 * Block rules: a block extends the chain by one (height = last + 1, prevHash = hash of the last header,
 * 64 zeros for the first block), its protocol time is strictly later than the last block's (genesis time
 * for the first), and it holds at most MAX_TXS_PER_BLOCK transactions and MAX_BLOCK_BYTES bytes. A block
 * that breaks a rule is refused whole (a BLOCK_* error); a block that keeps them always applies, with each
 * transaction accepted or rejected on its own.
 */

export type BlockHeaderInput = Omit<BlockHeader, "stateRoot" | "txRoot">;

const headerSchema = z.object({
  chainId: chainIdSchema,
  height: positiveIntSchema,
  prevHash: hex32Schema,
  time: timeMsSchema,
});

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
  const parsed = headerSchema.safeParse(header);
  if (!parsed.success) refuse("BLOCK_INVALID_HEADER", describeIssue("header", parsed.error));
  const h = parsed.data;
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

  const executor = new BlockExecutor(state, h);
  const last = readChain(executor.state);
  checkLink(state, executor.params.chainId, last, h);

  const results: TxResult[] = new Array(txs.length);
  for (let i = 0; i < txs.length; i++) results[i] = executor.applyTx(txs[i], verdicts?.[i]);
  const root = txRoot(txs);
  const record: ChainRecord = { height: h.height, timeMs: h.time, prevHash: h.prevHash, txRoot: root };
  const { changes, stateRoot } = executor.finish(record);
  return { results, changes, stateRoot, txRoot: root };
}

function checkLink(state: StateReader, chainId: string, last: ChainRecord, h: BlockHeaderInput): void {
  if (h.chainId !== chainId) {
    refuse("BLOCK_WRONG_CHAIN", `block is for chain ${h.chainId}, this is ${chainId}`, {
      chainId: h.chainId,
    });
  }
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
          chainId,
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
