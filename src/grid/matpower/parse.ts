import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { PlurigridError } from "../../core/errors.js";
import type { Network } from "../model.js";
import { runCaseScript } from "./script.js";
import { networkFromCase } from "./tables.js";

/**
 * Reads the text of a MATPOWER case file (case format version 2). `name` defaults to the name in the
 * `function mpc = name` line, or "case" when there is none. Errors are PlurigridError with codes
 * CASE_PARSE (with details.line and details.column), CASE_UNSUPPORTED_VERSION, CASE_BAD_TABLE,
 * CASE_BAD_VALUE, CASE_BAD_BUS and CASE_DUPLICATE_BUS.
 */
export function parseMatpower(text: string, name?: string): Network {
  const script = runCaseScript(text);
  return networkFromCase(script, name ?? script.functionName ?? "case");
}

/** Reads a case file from disk; the network is named after the file (without `.m`). */
export function readCase(path: string): Network {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new PlurigridError("CASE_READ", `cannot read the case file ${path}: ${(e as Error).message}`, {
      path,
    });
  }
  try {
    return parseMatpower(text, basename(path).replace(/\.m$/, ""));
  } catch (e) {
    if (e instanceof PlurigridError) {
      throw new PlurigridError(e.code, `${path}: ${e.message}`, { ...e.details, path });
    }
    throw e;
  }
}
