import { PlurigridError } from "../core/errors.js";
import type { StateOverlay } from "./overlay.js";
import type { SignatureScheme } from "./scheme.js";

/** Chain-wide records every module may read: the parameters fixed at genesis, and the last block. */

export const PARAMS_KEY = "params";
export const CHAIN_KEY = "chain";

export interface ChainParams {
  chainId: string;
  genesisTimeMs: number;
  /** Hex hash of the genesis document (hashObject("plurigrid/genesis", doc)). */
  genesisHash: string;
  /** Market interval length in minutes (divides 1440; core/time.ts). */
  intervalMinutes: number;
  /** Meter readings older than this many intervals before the current one are refused. */
  meterReadingMaxAgeIntervals: number;
  /** The chain's signature scheme (scheme.ts); absent = ed25519, so that ed25519 chains keep their roots. */
  signatureScheme?: SignatureScheme;
}

/** The last applied block (height 0: genesis). Enough to recompute its hash for the next block's prevHash. */
export interface ChainRecord {
  height: number;
  timeMs: number;
  prevHash: string;
  txRoot: string;
}

export const ZERO_HASH_HEX = "0".repeat(64);

export function readParams(state: StateOverlay): ChainParams {
  const params = state.get<ChainParams>(PARAMS_KEY);
  if (params === undefined) {
    throw new PlurigridError(
      "STATE_NOT_INITIALIZED",
      "the state has no chain parameters: apply genesis first",
      {},
    );
  }
  return params;
}

export function readChain(state: StateOverlay): ChainRecord {
  const chain = state.get<ChainRecord>(CHAIN_KEY);
  if (chain === undefined) {
    throw new PlurigridError(
      "STATE_NOT_INITIALIZED",
      "the state has no chain record: apply genesis first",
      {},
    );
  }
  return chain;
}
