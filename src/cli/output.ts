/**
 * How every command prints: `--format json` gives stable machine-readable JSON on stdout, otherwise a
 * readable text table. Errors go to stderr.
 */
import { PlurigridError } from "../core/errors.js";

export type Format = "text" | "json";

export function parseFormat(value: string): Format {
  if (value === "json" || value === "text") return value;
  throw new PlurigridError("CLI_BAD_FORMAT", `--format must be "json" or "text", not "${value}"`, { value });
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export function printJson(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** A plain left/right aligned table; numbers are right-aligned. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number"));
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

/** Fixed decimals for display only (never used for anything hashed or compared). */
export function fixed(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}
