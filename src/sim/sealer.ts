/**
 * The second half of applyBlock for the run's chain (protocol/block.ts sealBlock): it holds the seal keys
 * (the chain record and the state tree) and seals executed blocks one after another on them, each on the
 * hash of the one before. The ledger writer's thread runs one; a run without a store runs one itself.
 */
import { blockHash, isSealKey, sealBlock } from "../protocol/block.js";
import { ZERO_HASH_HEX } from "../protocol/chain.js";
import type { ExecutedBlock, ExecutionHeaderInput } from "../protocol/index.js";
import { MemoryState } from "../protocol/memory-state.js";
import type { BlockHeader, StateChange } from "../protocol/seam.js";

/** The chain's last block. */
export interface ChainHead {
  height: number;
  stateRoot: string;
  headHash: string;
}

export class ChainSealer {
  private readonly state: MemoryState;
  private last: ChainHead;

  /** Starts at genesis: its changes (only the seal keys are kept) and its state root. */
  constructor(genesisChanges: readonly StateChange[], genesisStateRoot: string) {
    this.state = new MemoryState(genesisChanges.filter(([k]) => isSealKey(k)));
    this.last = { height: 0, stateRoot: genesisStateRoot, headHash: ZERO_HASH_HEX };
  }

  get head(): ChainHead {
    return { ...this.last };
  }

  /** Seals the next block: its full header, its hash and every change of it (sorted), as applyBlock gives. */
  seal(
    header: ExecutionHeaderInput,
    executed: ExecutedBlock,
  ): { header: BlockHeader; hash: string; changes: StateChange[] } {
    const linked = { ...header, prevHash: this.last.headHash };
    const { changes, stateRoot } = sealBlock(this.state, linked, executed);
    this.state.apply(changes.filter(([k]) => isSealKey(k)));
    const full: BlockHeader = { ...linked, txRoot: executed.txRoot, stateRoot };
    const hash = blockHash(full);
    this.last = { height: full.height, stateRoot, headHash: hash };
    return { header: full, hash, changes };
  }
}
