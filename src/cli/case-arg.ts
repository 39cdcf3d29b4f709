import { existsSync } from "node:fs";
import { basename } from "node:path";
import { dataDir, dataPath } from "../core/data.js";
import { PlurigridError } from "../core/errors.js";
import { readCase } from "../grid/matpower/index.js";
import type { Network } from "../grid/model.js";

/**
 * A CASE argument is a path to a MATPOWER file, or the bare name of a case in the reference data
 * (`case9`, `pglib_opf_case5_pjm`), so that `plurigrid pf case9` works from anywhere.
 */
export function resolveCasePath(arg: string): string {
  if (existsSync(arg)) return arg;
  const name = basename(arg).replace(/\.m$/, "");
  if (name === arg.replace(/\.m$/, "")) {
    const candidate = `${name}.m`;
    try {
      return dataPath("grid", candidate);
    } catch {
      // fall through to the error below, which names both places looked in
    }
  }
  throw new PlurigridError(
    "CASE_NOT_FOUND",
    `no case file "${arg}" (looked for the path, and for a case of that name in ${dataDir()}/grid)`,
    { arg },
  );
}

export function loadCase(arg: string): Network {
  return readCase(resolveCasePath(arg));
}
