import { isPlurigridError, PlurigridError } from "../core/errors.js";
import type { AccountId } from "../core/keys.js";
import { bumpNonce, getAccount } from "./accounts/state.js";
import { type ChainParams, readParams } from "./chain.js";
import { isTxRejectionCode } from "./codes.js";
import { type DecodedTx, decodeTxDetailed, txHash } from "./envelope.js";
import { StateOverlay } from "./overlay.js";
import type { StateChange, StateReader, TxResult } from "./seam.js";
import { treeUpdates, updateTree } from "./smt/update.js";
import { txDefinition } from "./tx-types.js";
import type { TxContext } from "./txdef.js";
import { senderOf, signatureValid } from "./verify.js";

/** The part of a block header that the transactions of the block can see. */
export interface BlockTime {
  height: number;
  time: number;
}

function rejected(txHashHex: string, code: string, message: string): TxResult {
  return { txHash: txHashHex, ok: false, code, message };
}

/**
 * Applies the transactions of one block, one at a time, on top of committed state, and at the end turns the
 * block's writes into state changes and a state root. applyBlock drives it; tests and the simulator may
 * drive it directly to look at the state between transactions.
 *
 * Per transaction, in this order: decode (form and schema), chain id, sender = account of the public key,
 * signature, nonce, then the module's own checks and writes. The first failure rejects the transaction and
 * nothing it wrote is kept. An error that is not a rejection is a bug: INTERNAL_INVARIANT, and the block
 * is not finished.
 */
export class BlockExecutor {
  readonly state: StateOverlay;
  readonly params: ChainParams;

  constructor(
    private readonly base: StateReader,
    private readonly block: BlockTime,
  ) {
    this.state = new StateOverlay(base);
    this.params = readParams(this.state);
  }

  /** Applies one transaction. `signatureVerified`, when given, replaces the signature check. */
  applyTx(bytes: Uint8Array, signatureVerified?: boolean): TxResult {
    const id = txHash(bytes);
    let decoded: DecodedTx;
    try {
      decoded = decodeTxDetailed(bytes);
    } catch (e) {
      if (isPlurigridError(e) && isTxRejectionCode(e.code)) return rejected(id, e.code, e.message);
      throw invariant(e);
    }
    const { tx } = decoded.signed;
    if (tx.chainId !== this.params.chainId) {
      return rejected(
        id,
        "TX_WRONG_CHAIN",
        `transaction is for chain ${tx.chainId}, this is ${this.params.chainId}`,
      );
    }
    if (senderOf(decoded.signed.publicKey) !== tx.from) {
      return rejected(id, "TX_SENDER_MISMATCH", `tx.from ${tx.from} is not the account of the signing key`);
    }
    if (!(signatureVerified ?? signatureValid(decoded, this.params.signatureScheme))) {
      return rejected(id, "TX_BAD_SIGNATURE", "the signature does not verify under the public key");
    }
    const expected = getAccount(this.state, tx.from).nonce;
    if (tx.nonce !== expected) {
      const why = tx.nonce < expected ? "was already used (replay)" : "leaves a gap";
      return rejected(
        id,
        "TX_BAD_NONCE",
        `nonce ${tx.nonce} ${why}; the account's next nonce is ${expected}`,
      );
    }
    const definition = txDefinition(tx.type);
    if (definition === undefined) throw invariant(new Error(`decoded type ${tx.type} has no definition`));
    const ctx: TxContext = {
      state: this.state,
      sender: tx.from as AccountId,
      timeMs: this.block.time,
      height: this.block.height,
      params: this.params,
      txHash: id,
    };
    this.state.begin();
    try {
      const events = definition.apply(ctx, tx.body);
      bumpNonce(this.state, tx.from);
      this.state.commit();
      return { txHash: id, ok: true, events };
    } catch (e) {
      this.state.rollback();
      if (isPlurigridError(e) && isTxRejectionCode(e.code)) return rejected(id, e.code, e.message);
      throw invariant(e);
    }
  }

  /** Root the state would have if the block ended now (for tests; it writes nothing). */
  currentRoot(): string {
    return updateTree(this.base, treeUpdates(this.state.changes())).root;
  }

  /** The block's application writes so far, as canonical bytes sorted by key (no chain record, no tree). */
  appChanges(): StateChange[] {
    return this.state.changes();
  }
}

/** Adds the tree's node writes to a batch of application writes; all changes sorted by key, and the root. */
export function commitChanges(
  base: StateReader,
  appChanges: StateChange[],
): { changes: StateChange[]; stateRoot: string } {
  const tree = updateTree(base, treeUpdates(appChanges));
  const changes: StateChange[] = [...appChanges, ...tree.changes];
  changes.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { changes, stateRoot: tree.root };
}

function invariant(e: unknown): PlurigridError {
  if (isPlurigridError(e, "INTERNAL_INVARIANT")) return e;
  const code = isPlurigridError(e) ? e.code : (e as Error)?.name;
  return new PlurigridError(
    "INTERNAL_INVARIANT",
    `invariant violated: unexpected ${code} while applying a transaction: ${(e as Error)?.message}`,
    { cause: code },
  );
}
