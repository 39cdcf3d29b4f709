import type { StateChange, StateReader } from "./seam.js";

/**
 * State held in memory: what the simulator and the tests run the protocol on (the node keeps the same
 * key-value rows in SQLite). Pure: nothing here reads a clock or a file.
 */
export class MemoryState implements StateReader {
  private readonly rows = new Map<string, Uint8Array>();

  constructor(changes: readonly StateChange[] = []) {
    this.apply(changes);
  }

  get(key: string): Uint8Array | undefined {
    return this.rows.get(key);
  }

  /** Applies one block's (or genesis') changes: a value writes the key, null deletes it. */
  apply(changes: readonly StateChange[]): void {
    for (const [key, value] of changes) {
      if (value === null) this.rows.delete(key);
      else this.rows.set(key, value);
    }
  }

  get size(): number {
    return this.rows.size;
  }

  /** Every row, sorted by key (a deterministic snapshot, e.g. to compare two states). */
  entries(): [string, Uint8Array][] {
    return [...this.rows.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  clone(): MemoryState {
    const copy = new MemoryState();
    for (const [k, v] of this.rows) copy.rows.set(k, v);
    return copy;
  }
}
