import { SOLUTION_CODES } from "../intents/codes.js";

/**
 * The stable error codes of the protocol. Transaction codes end up in TxResult.code (and so in blocks and
 * API answers); BLOCK_*, GENESIS_* and QUERY_* are thrown to the caller; INTERNAL_INVARIANT halts the node.
 */

/** Codes decodeTx can throw: the bytes are not a well-formed transaction. */
export const DECODE_CODES = [
  "TX_DECODE",
  "TX_NOT_CANONICAL",
  "TX_TOO_LARGE",
  "TX_INVALID",
  "TX_UNKNOWN_TYPE",
] as const;

/** Codes of the envelope checks that every transaction passes before its module sees it. */
export const ENVELOPE_CODES = [
  "TX_WRONG_CHAIN",
  "TX_SENDER_MISMATCH",
  "TX_BAD_SIGNATURE",
  "TX_BAD_NONCE",
] as const;

export const ACCOUNT_CODES = ["ACCOUNT_OVERDRAFT", "ACCOUNT_OVERFLOW", "ACCOUNT_SELF_TRANSFER"] as const;

export const REGISTRY_CODES = [
  "REGISTRY_ALREADY_REGISTERED",
  "REGISTRY_ROLE_FORBIDDEN",
  "REGISTRY_NOT_AUTHORIZED",
  "REGISTRY_NOT_PARTICIPANT",
  "REGISTRY_UNKNOWN_PARTICIPANT",
  "REGISTRY_DUPLICATE_ID",
  "REGISTRY_UNKNOWN_BUS",
  "REGISTRY_BUS_ASSIGNED",
  "REGISTRY_UNKNOWN_DER",
  "REGISTRY_NOT_OWNER",
  "REGISTRY_BAD_DEVICE_KEY",
  "REGISTRY_DEVICE_KEY_IN_USE",
  "REGISTRY_DER_SETTINGS",
] as const;

export const ORACLE_CODES = [
  "ORACLE_UNKNOWN_METER",
  "ORACLE_WRONG_KEY",
  "ORACLE_FUTURE_INTERVAL",
  "ORACLE_STALE_INTERVAL",
  "ORACLE_DUPLICATE",
  "ORACLE_SERIES_SPANS_DAYS",
] as const;

export const GRID_CODES = [
  "GRID_UNKNOWN_BRANCH",
  "GRID_UNKNOWN_SWITCH",
  "GRID_UNKNOWN_BUS",
  "GRID_UNKNOWN_MICROGRID",
  "GRID_NOT_AUTHORIZED",
  "GRID_NO_CHANGE",
  "GRID_FUTURE_EVENT",
  "GRID_UNKNOWN_DER",
] as const;

export const MARKET_CODES = [
  "MARKET_NOT_ENABLED",
  "MARKET_NOT_PARTICIPANT",
  "MARKET_INTERVAL_TOO_FAR",
  "MARKET_GATE_CLOSED",
  "MARKET_UNKNOWN_DER",
  "MARKET_NOT_DER_OWNER",
  "MARKET_EXCEEDS_RATING",
  "MARKET_SELL_NEEDS_DER",
  "MARKET_NOT_LOCATED",
  "MARKET_UNKNOWN_BUS",
  "MARKET_EXPIRED",
  "MARKET_INTERVAL_FULL",
  "MARKET_TOO_MANY_INTENTS",
  "MARKET_INSUFFICIENT_FUNDS",
  "MARKET_UNKNOWN_INTENT",
  "MARKET_NOT_INTENT_OWNER",
  "MARKET_ALREADY_CANCELLED",
  "MARKET_NOT_SOLVER",
  "MARKET_SOLUTION_EARLY",
  "MARKET_SOLUTION_LATE",
  "MARKET_DUPLICATE_SOLUTION",
  "MARKET_UPLOAD_OUT_OF_ORDER",
  "MARKET_UNKNOWN_INTERVAL",
  "MARKET_NOT_SETTLEABLE",
  "MARKET_ALREADY_SETTLED",
  "MARKET_SERIES_SPANS_DAYS",
] as const;

/** Every code a transaction can be rejected with (TxResult.code, CheckResult.code). */
export const TX_REJECTION_CODES: readonly string[] = [
  ...DECODE_CODES,
  ...ENVELOPE_CODES,
  ...ACCOUNT_CODES,
  ...REGISTRY_CODES,
  ...ORACLE_CODES,
  ...GRID_CODES,
  ...MARKET_CODES,
  ...SOLUTION_CODES,
];

/** Codes thrown by applyBlock for a block that breaks the block rules (the whole block is refused). */
export const BLOCK_CODES = [
  "BLOCK_INVALID_HEADER",
  "BLOCK_WRONG_CHAIN",
  "BLOCK_BAD_HEIGHT",
  "BLOCK_BAD_PREV_HASH",
  "BLOCK_TIME_NOT_INCREASING",
  "BLOCK_TOO_MANY_TXS",
  "BLOCK_TOO_LARGE",
  "BLOCK_BAD_OPTIONS",
] as const;

export const OTHER_CODES = [
  "GENESIS_INVALID",
  "STATE_NOT_INITIALIZED",
  "QUERY_BAD_KEY",
  "INTERNAL_INVARIANT",
] as const;

const rejection = new Set(TX_REJECTION_CODES);

/** True for a code a module may reject a transaction with; anything else escaping a module is a bug. */
export function isTxRejectionCode(code: string): boolean {
  return rejection.has(code);
}
