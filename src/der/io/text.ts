/**
 * Small, strict text-table helpers shared by the weather, PV and load readers. Every failure names the
 * source, the 1-based line and the field, so a person can open the file at that place.
 */
import { PlurigridError } from "../../core/errors.js";

/** Where a value came from, for error messages. */
export interface At {
  source: string;
  line: number;
  field: string;
}

export function parseError(at: At, problem: string, value?: string): PlurigridError {
  const shown =
    value === undefined
      ? ""
      : ` (got ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  return new PlurigridError(
    "DER_DATA_PARSE",
    `${at.source} line ${at.line}, field "${at.field}": ${problem}${shown}`,
    {
      source: at.source,
      line: at.line,
      field: at.field,
      ...(value === undefined ? {} : { value: value.slice(0, 80) }),
    },
  );
}

/** Lines of a text file without the final empty line(s); CRLF accepted. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === "") lines.pop();
  return lines;
}

/** One CSV record (RFC 4180 quoting: "a,b" and "" inside quotes); no embedded newlines. */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(",");
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** A finite decimal number; DER_DATA_PARSE otherwise. */
export function numberAt(raw: string | undefined, at: At): number {
  if (raw === undefined) throw parseError(at, "missing value");
  const t = raw.trim();
  // Number("") is 0 and Number("0x1f") is 31: accept plain decimal notation only.
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) throw parseError(at, "not a number", raw);
  return Number(t);
}

/** Like numberAt, but an empty field is NaN (a missing reading, not an error). */
export function optionalNumberAt(raw: string | undefined, at: At): number {
  if (raw === undefined || raw.trim() === "") return Number.NaN;
  return numberAt(raw, at);
}

/** Index of each required column in a header row; DER_DATA_PARSE naming the first missing one. */
export function columnIndex(
  header: string[],
  required: readonly string[],
  source: string,
  line = 1,
): Map<string, number> {
  const names = header.map((h) => h.trim());
  const index = new Map<string, number>();
  for (const name of required) {
    const i = names.indexOf(name);
    if (i < 0) throw parseError({ source, line, field: name }, `column missing from the header`);
    index.set(name, i);
  }
  return index;
}
