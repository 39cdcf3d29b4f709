/**
 * One error type for the whole project. `code` is stable (scripts and tests match on it), the message is
 * written for a person who has to act on it, and `details` carries the facts (line, column, field, limit).
 */
export type ErrorDetails = Record<string, unknown>;

export class PlurigridError extends Error {
  readonly code: string;
  readonly details: ErrorDetails;

  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = "PlurigridError";
    this.code = code;
    this.details = details;
  }

  toJSON(): { code: string; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isPlurigridError(e: unknown, code?: string): e is PlurigridError {
  return e instanceof PlurigridError && (code === undefined || e.code === code);
}

/** Invariant check: a failure is a bug in Plurigrid, never a user error, so it halts loudly. */
export function assert(condition: unknown, what: string): asserts condition {
  if (!condition) throw new PlurigridError("INTERNAL_INVARIANT", `invariant violated: ${what}`);
}
