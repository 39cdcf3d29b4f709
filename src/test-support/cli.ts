import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { main } from "../cli/main.js";
import { projectRoot } from "../core/data.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output (fast; the same code path as the binary). */
export async function runCli(args: string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    out: (t) => {
      stdout += t;
    },
    err: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}

/** Runs the installed binary (bin/plurigrid.js over dist/) as a separate process. */
export function runBinary(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const r = spawnSync(process.execPath, [resolve(projectRoot(), "bin", "plurigrid.js"), ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
