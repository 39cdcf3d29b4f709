import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PlurigridError } from "./errors.js";

/**
 * The reference data sets live beside the project in `../shared/data` and are never copied into it.
 * `PLURIGRID_DATA` overrides the location. This is the one place that decides where data comes from.
 */
export function projectRoot(): string {
  // This file is src/core/data.ts (or dist/core/data.js): the project root is two levels up.
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
}

export function dataDir(): string {
  const fromEnv = process.env.PLURIGRID_DATA;
  return fromEnv && fromEnv.length > 0 ? resolve(fromEnv) : resolve(projectRoot(), "..", "shared", "data");
}

export function hasData(): boolean {
  const dir = dataDir();
  return existsSync(dir) && statSync(dir).isDirectory();
}

/** Path of a file under the data folder; throws DATA_MISSING naming where it looked. */
export function dataPath(...parts: string[]): string {
  const dir = dataDir();
  const path = resolve(dir, ...parts);
  if (!existsSync(path)) {
    throw new PlurigridError(
      "DATA_MISSING",
      `reference data not found: ${path} (the data folder is ${dir}; set PLURIGRID_DATA or place shared/data beside the project)`,
      { path, dataDir: dir },
    );
  }
  return path;
}
