import { z } from "zod";
import { accountIdSchema, positiveIntSchema } from "../schemas.js";

/**
 * Two assets, both integers in micro-units: the settlement currency ("micros", what markets settle in) and
 * MATRIX (the network's own token). An account exists implicitly with zero balances and nonce 0.
 */
export const assetSchema = z.enum(["micros", "matrix"]);
export type Asset = z.infer<typeof assetSchema>;

export const transferBodySchema = z.strictObject({
  to: accountIdSchema,
  /** Integer micro-units of `asset`, at least 1. */
  amount: positiveIntSchema,
  asset: assetSchema,
});
export type TransferBody = z.infer<typeof transferBodySchema>;

/** State record at "acct/<id>". */
export interface Account {
  /** Settlement currency balance, micro-units. */
  micros: number;
  /** MATRIX balance, micro-MATRIX. */
  matrixMicros: number;
  /** The nonce the account's next transaction must carry (the number of its applied transactions). */
  nonce: number;
}

export const EMPTY_ACCOUNT: Account = Object.freeze({ micros: 0, matrixMicros: 0, nonce: 0 });
