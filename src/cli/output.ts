/**
 * How every command prints: `--format json` gives stable machine-readable JSON on stdout, otherwise a
 * readable text table. Errors go to stderr.
 */
import { Option } from "commander";

export type Format = "text" | "json";

/** `--format text|json`; a bad value is a usage error (exit 2), checked by the option parser. */
export function formatOption(): Option {
  return new Option("--format <format>", "output format").choices(["text", "json"]).default("text");
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

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?%?$/i;

/** A plain aligned table; columns whose every cell is a number (or numeric text) are right-aligned. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = headers.map((h, i) => cells.reduce((w, r) => Math.max(w, (r[i] ?? "").length), h.length));
  const numeric = headers.map((_, i) => cells.length > 0 && cells.every((r) => NUMERIC.test(r[i] ?? "")));
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
