import { PlurigridError } from "../core/errors.js";
import { MAX_STATE_KEY_CHARS } from "./limits.js";
import { decodeStateValue } from "./overlay.js";
import type { QueryResult, StateReader } from "./seam.js";
import { proveKey } from "./smt/proof.js";
import { SMT_KEY_PREFIX } from "./smt/tree.js";
import { treeRoot } from "./smt/update.js";

/** The committed state root (hex) of `state`. */
export function stateRoot(state: StateReader): string {
  return treeRoot(state);
}

/**
 * The committed value of an application key and a proof of it (or of its absence) against the current
 * state root. Tree-node keys ("smt/…") are not part of the committed state and are refused (QUERY_BAD_KEY).
 */
export function query(state: StateReader, key: string): QueryResult {
  if (
    typeof key !== "string" ||
    key.length === 0 ||
    key.length > MAX_STATE_KEY_CHARS ||
    key.startsWith(SMT_KEY_PREFIX)
  ) {
    throw new PlurigridError(
      "QUERY_BAD_KEY",
      `not a state key: ${JSON.stringify(String(key).slice(0, 80))}`,
      {},
    );
  }
  return { key, value: state.get(key), proof: proveKey(state, key), stateRoot: stateRoot(state) };
}

/** The JSON object a committed value holds (for display; the proof is over the bytes). */
export function readStateValue(key: string, bytes: Uint8Array): Readonly<Record<string, unknown>> {
  return decodeStateValue(key, bytes);
}
