/**
 * Why a solution is invalid: one stable code per validity predicate. A SubmitSolution carrying an invalid
 * solution is rejected with the code, and changes nothing.
 */
export const SOLUTION_CODES = [
  /** Not well formed: wrong interval, unsorted or repeated entries, a buy intent in a seller's place, a price
   *  missing for a filled intent or given for an unfilled one, a bus price for an unknown bus. */
  "SOLUTION_MALFORMED",
  /** A fill or price names an intent number that is not in the book (never submitted, or cancelled). */
  "SOLUTION_UNKNOWN_INTENT",
  /** A fill fills an intent whose expiry has passed. */
  "SOLUTION_EXPIRED",
  /** A fill breaks a value predicate of its buyer or its seller. */
  "SOLUTION_PREDICATE",
  /** An intent is filled beyond its quantity (over one fill or summed over several). */
  "SOLUTION_QUANTITY",
  /** An intent is filled, but less than its least acceptable fill. */
  "SOLUTION_MIN_FILL",
  /** A buyer's price is above its limit. */
  "SOLUTION_BUYER_LIMIT",
  /** A seller's price is below its limit. */
  "SOLUTION_SELLER_LIMIT",
  /** Payments in do not cover payments out. */
  "SOLUTION_BUDGET",
  /** A fill joins buses in different islands (or an intent without a bus, where the network needs one). */
  "SOLUTION_NO_PATH",
  /** The net injections load a branch beyond its rating (plus the tolerance). */
  "SOLUTION_LINE_LIMIT",
  /** An accepted intent is out of the money, or a rejected one strictly in the money, at the bus price. */
  "SOLUTION_NOT_COMPETITIVE",
  /** The optimality certificate does not satisfy the KKT conditions (or does not apply to this market). */
  "SOLUTION_BAD_CERTIFICATE",
  /** Lifeline parts where the lifeline does not apply, out of balance or beyond a baseline, or eligible
   *  energy kept outside the lifeline while a compatible critical or baseline buyer is short. */
  "SOLUTION_LIFELINE",
] as const;
export type SolutionCode = (typeof SOLUTION_CODES)[number];

/** A failed validity predicate: the code, a message a solver can act on, and the facts. */
export interface InvalidSolution {
  ok: false;
  code: SolutionCode;
  message: string;
  details: Record<string, number | string>;
}

export function invalidSolution(
  code: SolutionCode,
  message: string,
  details: Record<string, number | string> = {},
): InvalidSolution {
  return { ok: false, code, message, details };
}
