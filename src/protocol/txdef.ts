import type { z } from "zod";
import { PlurigridError } from "../core/errors.js";
import type { AccountId } from "../core/keys.js";
import type { ChainParams } from "./chain.js";
import type { StateOverlay } from "./overlay.js";
import type { ProtocolEvent } from "./seam.js";

/** What a module's transaction handler sees: the state (inside the transaction), who sent it, and when. */
export interface TxContext {
  readonly state: StateOverlay;
  /** The sender's account id (checked against the signing key before the handler runs). */
  readonly sender: AccountId;
  /** Protocol time of the block (ms), never a clock. */
  readonly timeMs: number;
  readonly height: number;
  readonly params: ChainParams;
  readonly txHash: string;
}

/** A transaction type: the schema of its body (checked at decode time) and its state transition. */
export interface TxDefinition<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  /** Applies the body or throws a PlurigridError with a rejection code; returns the events to report. */
  apply(ctx: TxContext, body: z.output<S>): ProtocolEvent[];
}

export function defineTx<S extends z.ZodType>(
  schema: S,
  apply: (ctx: TxContext, body: z.output<S>) => ProtocolEvent[],
): TxDefinition<S> {
  return { schema, apply };
}

/** Rejects the transaction being applied: nothing it wrote is kept. */
export function reject(code: string, message: string, details: Record<string, unknown> = {}): never {
  throw new PlurigridError(code, message, details);
}
