/** Messages between the node and its worker threads (structured-clone types only). */
import type { CheckResult } from "../../protocol/seam.js";

export interface SignatureItem {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

export type WorkerTask =
  /** Plain Ed25519 checks; one byte per item, 1 = valid. */
  | { kind: "verifySignatures"; items: SignatureItem[] }
  /** The signature verdict of each raw signed transaction, as applyBlock's `signaturesVerified` wants it. */
  | { kind: "verifyTxs"; txs: Uint8Array[] }
  /** The same verdicts read without decoding: equal for every transaction that decodes (verify's replay). */
  | { kind: "signatureVerdicts"; txs: Uint8Array[] }
  /** The protocol's admission check against the committed state in the database. */
  | { kind: "checkTxs"; txs: Uint8Array[] };

export type WorkerTaskResult<T extends WorkerTask> = T extends { kind: "checkTxs" }
  ? CheckResult[]
  : Uint8Array;

export interface WorkerRequest {
  id: number;
  task: WorkerTask;
}

export interface WorkerReply {
  id: number;
  result?: unknown;
  error?: { code: string; message: string };
}
