/**
 * The StateReaders the node hands to the protocol.
 *
 * `CommittedState` reads the committed state of the store through a bounded cache: the node is the only
 * writer, so the cache is updated from each committed block's changes and never goes stale. `Overlay` layers
 * uncommitted changes over any reader (a block being replayed, a pending block): reads see the newest write.
 */
import type { StateChange, StateReader } from "../protocol/seam.js";
import type { Store } from "./store.js";

/** Cached entries (values and known-absent keys); bounded so a large state never holds all of memory. */
export const STATE_CACHE_ENTRIES_MAX = 500_000;

export class CommittedState implements StateReader {
  private readonly cache = new Map<string, Uint8Array | null>();

  constructor(
    private readonly store: Store,
    private readonly entriesMax = STATE_CACHE_ENTRIES_MAX,
  ) {}

  get(key: string): Uint8Array | undefined {
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit === null ? undefined : hit;
    const value = this.store.getState(key);
    this.remember(key, value ?? null);
    return value;
  }

  /** Call after the store committed these changes. */
  applyCommitted(changes: readonly StateChange[]): void {
    for (const [key, value] of changes) this.remember(key, value);
  }

  /** Forget everything (after a failed commit, the store is the truth). */
  clear(): void {
    this.cache.clear();
  }

  private remember(key: string, value: Uint8Array | null): void {
    if (this.cache.size >= this.entriesMax && !this.cache.has(key)) {
      // Drop the oldest half: Map iterates in insertion order, so this keeps the recently added entries.
      let drop = this.cache.size >> 1;
      for (const k of this.cache.keys()) {
        if (drop-- <= 0) break;
        this.cache.delete(k);
      }
    }
    this.cache.set(key, value);
  }
}

/** Uncommitted writes over a base reader; `null` marks a deleted key. */
export class Overlay implements StateReader {
  readonly writes = new Map<string, Uint8Array | null>();

  constructor(private readonly base: StateReader) {}

  get(key: string): Uint8Array | undefined {
    const w = this.writes.get(key);
    if (w !== undefined) return w === null ? undefined : w;
    return this.base.get(key);
  }

  apply(changes: readonly StateChange[]): void {
    for (const [key, value] of changes) this.writes.set(key, value);
  }
}

/** A plain in-memory state (verify replays into one). */
export class MemoryState implements StateReader {
  readonly map = new Map<string, Uint8Array>();

  get(key: string): Uint8Array | undefined {
    return this.map.get(key);
  }

  apply(changes: readonly StateChange[]): void {
    for (const [key, value] of changes) {
      if (value === null) this.map.delete(key);
      else this.map.set(key, value);
    }
  }
}
