/**
 * Worker threads of a run (the ledger writer, the clearing thread): the module next to this one, as
 * TypeScript under tsx when the run itself is (tests, `npx tsx`), as JavaScript once built.
 */
import { type TransferListItem, Worker } from "node:worker_threads";

/**
 * Starts `name` (without extension, a sibling of this module) on a new thread. `onLoadError` is a JavaScript
 * statement run on that thread, with the error as `e` and node:worker_threads as `w`, when the module fails to
 * load: the thread must report it on the channel its parent listens to.
 *
 * `niceness` (Linux only, where a nice value belongs to one thread) lowers the thread's scheduling priority,
 * for a thread with room to lag (the ledger writer): on two cores the run's own thread, which everything
 * waits for, then gets a core first whenever three threads want two.
 */
export function spawnThread(
  name: string,
  workerData: unknown,
  transferList: TransferListItem[],
  onLoadError: string,
  niceness = 0,
): Worker {
  const fromSource = import.meta.url.endsWith(".ts");
  const target = new URL(`./${name}${fromSource ? ".ts" : ".js"}`, import.meta.url);
  const nice =
    niceness !== 0 && process.platform === "linux"
      ? `try { require("node:os").setPriority(${Number(niceness)}); } catch {}`
      : "";
  const code = `const w = require("node:worker_threads");
    ${nice}
    ${fromSource ? 'import("tsx/esm/api").then((m) => m.register())' : "Promise.resolve()"}
      .then(() => import(${JSON.stringify(target.href)}))
      .catch((e) => { ${onLoadError} });`;
  return new Worker(code, { eval: true, workerData, transferList });
}
