import { assert, PlurigridError } from "../core/errors.js";
import { GenerationalCache } from "../core/generational-cache.js";
import { canonicalBytes } from "./hashing.js";
import type { StateChange, StateReader } from "./seam.js";
import { SMT_KEY_PREFIX } from "./smt/tree.js";

/**
 * The state as one block sees it: committed rows underneath, the block's own writes on top, and on top of
 * those the writes of the transaction being applied, which are merged on success and dropped on rejection
 * (so a rejected transaction changes nothing). Values are plain JSON objects here and become canonical bytes
 * once per key at the end of the block.
 *
 * Objects handed out by `get` are frozen and shared: a module builds a new object to change a value, never
 * mutates one (a mutation could outlive a rejected transaction).
 */

type Value = Readonly<Record<string, unknown>>;
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

export class StateOverlay {
  private readonly block = new Map<string, Value | null>();
  private tx: Map<string, Value | null> | null = null;

  constructor(private readonly base: StateReader) {}

  get<T extends object>(key: string): T | undefined {
    if (this.tx !== null) {
      const v = this.tx.get(key);
      if (v !== undefined) return v === null ? undefined : (v as T);
    }
    const b = this.block.get(key);
    if (b !== undefined) return b === null ? undefined : (b as T);
    // Committed rows do not change during a block; their decoded values are shared by the bytes' identity.
    const bytes = this.base.get(key);
    return bytes === undefined ? undefined : (decodeShared(key, bytes) as T);
  }

  /**
   * Where `get(key)` reads from, as an object whose identity stays the same while the value does: this
   * block's (or transaction's) own write, or the committed row's bytes (a store that keeps its rows in
   * memory hands out the same bytes until the row changes; one that reads afresh gives new bytes each time,
   * and a memo keyed on them simply misses). undefined when the key is absent.
   */
  source(key: string): object | undefined {
    if (this.tx !== null) {
      const v = this.tx.get(key);
      if (v !== undefined) return v ?? undefined;
    }
    const b = this.block.get(key);
    if (b !== undefined) return b ?? undefined;
    return this.base.get(key);
  }

  put(key: string, value: object): void {
    assert(!key.startsWith(SMT_KEY_PREFIX), `application key ${key} stays out of the tree's key space`);
    (this.tx ?? this.block).set(key, Object.freeze(value) as Value);
  }

  delete(key: string): void {
    assert(!key.startsWith(SMT_KEY_PREFIX), `application key ${key} stays out of the tree's key space`);
    (this.tx ?? this.block).set(key, null);
  }

  begin(): void {
    assert(this.tx === null, "transactions do not nest");
    this.tx = new Map();
  }

  commit(): void {
    assert(this.tx !== null, "commit follows begin");
    for (const [k, v] of this.tx) this.block.set(k, v);
    this.tx = null;
  }

  rollback(): void {
    this.tx = null;
  }

  /** A copy of the block's writes so far (for tests that compare states between transactions). */
  snapshot(): Map<string, Value | null> {
    return new Map(this.block);
  }

  /** The block's writes as canonical bytes, sorted by key. */
  changes(): StateChange[] {
    assert(this.tx === null, "no transaction is open when the block ends");
    const keys = [...this.block.keys()].sort();
    return keys.map((key): StateChange => {
      const v = this.block.get(key) as Value | null;
      if (v === null) return [key, null];
      try {
        return [key, canonicalBytes(v)];
      } catch (e) {
        throw new PlurigridError(
          "INTERNAL_INVARIANT",
          `invariant violated: state value of ${key} has no canonical form`,
          {
            key,
            cause: (e as Error).message,
          },
        );
      }
    });
  }
}

/**
 * Decoded values of the most recently read committed rows, by the identity of their bytes: a store that keeps
 * its rows in memory (MemoryState) hands out the same bytes until the row changes, so a value read again in
 * a later block (a day's intent series, read by every interval's solution and settlement) is parsed once.
 * Values are frozen and never mutated (see above), so sharing them across overlays is as safe as within one.
 * A store that returns fresh bytes on every read simply misses. Bounded: values not read for a while go first
 * (core/generational-cache.ts).
 */
const decoded = new GenerationalCache<Uint8Array, Value>(16_384);

function decodeShared(key: string, bytes: Uint8Array): Value {
  const hit = decoded.get(bytes);
  if (hit !== undefined) return hit;
  const value = decodeStateValue(key, bytes);
  decoded.set(bytes, value);
  return value;
}

/** A committed value: canonical JSON written by the protocol itself (so parsing without re-checking is safe). */
export function decodeStateValue(key: string, bytes: Uint8Array): Value {
  let value: unknown;
  try {
    value = JSON.parse(utf8Decoder.decode(bytes));
  } catch (e) {
    throw new PlurigridError("INTERNAL_INVARIANT", `invariant violated: state value of ${key} is not JSON`, {
      key,
      cause: (e as Error).message,
    });
  }
  assert(
    typeof value === "object" && value !== null && !Array.isArray(value),
    `state value of ${key} is an object`,
  );
  return Object.freeze(value as Value);
}
