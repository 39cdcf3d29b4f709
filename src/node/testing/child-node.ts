/**
 * Starts `plurigrid node` from source in a child process (node --import tsx), for the tests that kill it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { projectRoot } from "../../core/data.js";

export interface ChildNode {
  url: string;
  process: ChildProcess;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
  stdout(): string;
  stderr(): string;
}

export const RUN_CLI = resolve(projectRoot(), "src", "node", "testing", "run-cli.ts");

export function runCliArgs(args: string[]): string[] {
  return ["--import", "tsx", RUN_CLI, ...args];
}

export function startChildNode(
  dataDir: string,
  extraArgs: string[] = [],
  startTimeoutMs = 30_000,
): Promise<ChildNode> {
  const child = spawn(
    process.execPath,
    runCliArgs(["node", "--data", dataDir, "--port", "0", "--rate-limit", "0", ...extraArgs]),
    { cwd: projectRoot(), stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    err += d;
  });
  const exited = new Promise<number | string>((resolveExit) => {
    child.once("exit", (code, signal) => resolveExit(code ?? signal ?? -1));
  });
  return new Promise((resolveStart, rejectStart) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      rejectStart(new Error(`the node did not start within ${startTimeoutMs} ms:\n${out}\n${err}`));
    }, startTimeoutMs);
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      resolveStart({ url: m[1], process: child, exited, stdout: () => out, stderr: () => err });
    };
    child.stdout?.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      rejectStart(new Error(`the node exited (${code}) before listening:\n${out}\n${err}`));
    });
  });
}
