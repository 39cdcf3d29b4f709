/**
 * One node per chain database: a second producer on the same file would write competing blocks. The lock
 * is a file beside the database holding the owner's process id; a lock left by a process that no longer
 * exists (a node killed with SIGKILL) is taken over, so a crash never blocks the restart.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { PlurigridError } from "../core/errors.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else; it is alive all the same.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class NodeLock {
  private held = true;

  private constructor(readonly path: string) {}

  static acquire(dbPath: string): NodeLock {
    const path = `${dbPath}.lock`;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, "wx", 0o644);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return new NodeLock(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") {
          throw new PlurigridError(
            "NODE_LOCK",
            `cannot create the lock file ${path}: ${(e as Error).message}`,
            { path },
          );
        }
      }
      let owner = Number.NaN;
      try {
        owner = Number.parseInt(readFileSync(path, "utf8"), 10);
      } catch {
        // vanished meanwhile: try again
      }
      if (Number.isSafeInteger(owner) && owner > 0 && alive(owner)) {
        throw new PlurigridError(
          "NODE_LOCKED",
          `another node (process ${owner}) runs on ${dbPath}; stop it first (or remove ${path} if that process is not a node)`,
          { path, pid: owner },
        );
      }
      try {
        unlinkSync(path); // stale: its owner is gone
      } catch {
        // someone else removed it first
      }
    }
    throw new PlurigridError("NODE_LOCKED", `could not take the lock ${path}`, { path });
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}
