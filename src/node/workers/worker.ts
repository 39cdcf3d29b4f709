/** The worker thread's side of pool.ts: answers one task per message. */
import { parentPort, workerData } from "node:worker_threads";
import { isPlurigridError } from "../../core/errors.js";
import { verify } from "../../core/keys.js";
import { signatureVerdictOf, txSignatureValid } from "../protocol-adapter.js";
import { Store } from "../store.js";
import { checkBatch } from "./check.js";
import type { WorkerReply, WorkerRequest, WorkerTask } from "./messages.js";

const data = workerData as { dbPath: string | null };
let store: Store | undefined;

function openStore(): Store {
  if (data.dbPath === null) throw new Error("this worker has no database for admission checks");
  store ??= Store.open(data.dbPath, { readonly: true });
  return store;
}

function runTask(task: WorkerTask): unknown {
  switch (task.kind) {
    case "verifySignatures": {
      const out = new Uint8Array(task.items.length);
      for (let i = 0; i < task.items.length; i++) {
        const it = task.items[i];
        out[i] = verify(it.publicKey, it.message, it.signature) ? 1 : 0;
      }
      return out;
    }
    case "verifyTxs": {
      const out = new Uint8Array(task.txs.length);
      for (let i = 0; i < task.txs.length; i++) out[i] = txSignatureValid(task.txs[i]) ? 1 : 0;
      return out;
    }
    case "signatureVerdicts": {
      const out = new Uint8Array(task.txs.length);
      for (let i = 0; i < task.txs.length; i++) out[i] = signatureVerdictOf(task.txs[i]) ? 1 : 0;
      return out;
    }
    case "checkTxs":
      return checkBatch(openStore(), task.txs);
  }
}

parentPort?.on("message", (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { id: request.id, result: runTask(request.task) };
  } catch (e) {
    reply = {
      id: request.id,
      error: isPlurigridError(e)
        ? { code: e.code, message: e.message }
        : { code: "NODE_WORKER_ERROR", message: e instanceof Error ? e.message : String(e) },
    };
  }
  parentPort?.postMessage(reply);
});
parentPort?.postMessage({ ready: true });
