/**
 * Where each block came from in the stream: a table `cluster_blocks` in the node's own SQLite file, written
 * in the same SQLite transaction as the block (so after a crash the block and its stream position are
 * either both there or both absent). A restarted node resumes reading the stream after the last block's
 * `upToSeq`. `plurigrid verify` ignores this table: it is the orderer's bookkeeping, not chain data.
 */
import type Database from "better-sqlite3";
import type { BlockToCommit, Store } from "../store.js";
import type { ChainPosition } from "./rules.js";

export interface BlockOrigin {
  height: number;
  markerSeq: number;
  upToSeq: number;
  term: number;
  proposer: string;
}

export class PositionTable {
  private readonly put: Database.Statement<[number, number, number, number, string]>;
  private readonly last: Database.Statement<[], BlockOrigin>;
  private readonly commit: (block: BlockToCommit, origin: BlockOrigin) => void;

  constructor(private readonly store: Store) {
    const db = store.database;
    db.exec(`CREATE TABLE IF NOT EXISTS cluster_blocks (
      height INTEGER PRIMARY KEY, markerSeq INTEGER NOT NULL, upToSeq INTEGER NOT NULL,
      term INTEGER NOT NULL, proposer TEXT NOT NULL)`);
    this.put = db.prepare(
      "INSERT INTO cluster_blocks (height, markerSeq, upToSeq, term, proposer) VALUES (?, ?, ?, ?, ?)",
    );
    this.last = db.prepare(
      "SELECT height, markerSeq, upToSeq, term, proposer FROM cluster_blocks ORDER BY height DESC LIMIT 1",
    );
    // better-sqlite3 nests Store's own transaction as a savepoint: one commit (and one sync) for both.
    this.commit = db.transaction((block: BlockToCommit, origin: BlockOrigin) => {
      this.store.commitBlock(block);
      this.put.run(origin.height, origin.markerSeq, origin.upToSeq, origin.term, origin.proposer);
    });
  }

  commitWithOrigin(block: BlockToCommit, origin: BlockOrigin): void {
    this.commit(block, origin);
  }

  /** The position after the last block (genesis: zeros). */
  position(chainId: string, height: number): ChainPosition {
    const row = this.last.get();
    if (row === undefined) return { chainId, height, term: 0, upToSeq: 0 };
    return { chainId, height, term: row.term, upToSeq: row.upToSeq };
  }

  /** Records the origin of a block written outside `commitWithOrigin` (a state snapshot's block). */
  putOrigin(origin: BlockOrigin): void {
    this.put.run(origin.height, origin.markerSeq, origin.upToSeq, origin.term, origin.proposer);
  }

  lastOrigin(): BlockOrigin | undefined {
    return this.last.get();
  }
}
