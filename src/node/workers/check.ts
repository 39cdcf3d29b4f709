/** The admission check of a batch, as a worker runs it (exported for the benchmark of one worker's work). */
import type { CheckResult, StateReader } from "../../protocol/seam.js";
import { checkTxBytes } from "../protocol-adapter.js";
import type { Store } from "../store.js";

/**
 * Checks a batch against one snapshot of the committed state (one read transaction), reading each key once:
 * a batch holds many transactions of the same senders, and every check reads the chain parameters.
 */
export function checkBatch(store: Store, txs: readonly Uint8Array[]): CheckResult[] {
  const seen = new Map<string, Uint8Array | undefined>();
  const state: StateReader = {
    get(key) {
      if (seen.has(key)) return seen.get(key);
      const value = store.getState(key);
      seen.set(key, value);
      return value;
    },
  };
  return store.reading(() => txs.map((bytes) => checkTxBytes(state, bytes)));
}
