import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { projectRoot } from "../core/data.js";

/** The package version, read from package.json at the project root. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(resolve(projectRoot(), "package.json"), "utf8")) as { version: string };
  return pkg.version;
}
