import fc from "fast-check";
import { encodeCanonical } from "../../core/canonical.js";
import type { KeyPair } from "../../core/keys.js";
import { CHAIN_ID, idOf, signed } from "./fixtures.js";

/**
 * Random transaction workloads for property tests: mostly valid transfers, mixed with the ways a
 * transaction goes wrong (overdraft, replay, nonce gap, wrong chain, forged signature, self transfer).
 * Nonces follow each sender's count of generated transactions, so a rejection early on makes that sender's
 * later transactions gap: the protocol, not the generator, decides what applies.
 */

export type Mode = "ok" | "overdraft" | "replay" | "gap" | "wrongChain" | "badSig" | "self";

export interface Op {
  from: number;
  to: number;
  amount: number;
  asset: "micros" | "matrix";
  mode: Mode;
}

export function opArb(accounts: number): fc.Arbitrary<Op> {
  return fc.record({
    from: fc.integer({ min: 0, max: accounts - 1 }),
    to: fc.integer({ min: 0, max: accounts - 1 }),
    amount: fc.integer({ min: 1, max: 400_000 }),
    asset: fc.constantFrom("micros" as const, "matrix" as const),
    mode: fc.constantFrom<Mode>(
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "overdraft",
      "replay",
      "gap",
      "wrongChain",
      "badSig",
      "self",
    ),
  });
}

/** Blocks of ops: a list of lists. */
export function workloadArb(accounts: number, maxBlocks = 4, maxTxs = 12): fc.Arbitrary<Op[][]> {
  return fc.array(fc.array(opArb(accounts), { maxLength: maxTxs }), { minLength: 1, maxLength: maxBlocks });
}

/** Signs the ops into transaction bytes, block by block. Deterministic in (keys, ops). */
export function buildWorkload(keys: KeyPair[], blocks: Op[][]): Uint8Array[][] {
  const next = new Array<number>(keys.length).fill(0);
  const sent = new Map<number, Uint8Array[]>();
  return blocks.map((ops) =>
    ops.map((op) => {
      const key = keys[op.from];
      let to = op.to === op.from ? (op.to + 1) % keys.length : op.to;
      if (op.mode === "self") to = op.from;
      const body = {
        to: idOf(keys[to]),
        amount: op.mode === "overdraft" ? 9_000_000_000 : op.amount,
        asset: op.asset,
      };
      const mine = sent.get(op.from) ?? [];
      if (op.mode === "replay" && mine.length > 0) return mine[op.amount % mine.length];
      const nonce = op.mode === "gap" ? next[op.from] + 1 + (op.amount % 3) : next[op.from];
      const chainId = op.mode === "wrongChain" ? `${CHAIN_ID}-other` : CHAIN_ID;
      let bytes = signed(key, "Transfer", nonce, body, chainId).bytes;
      if (op.mode === "badSig") {
        const tx = JSON.parse(new TextDecoder().decode(bytes));
        const sig = Buffer.from(tx.signature, "hex");
        sig[op.amount % 64] ^= 1 << (op.amount % 8);
        tx.signature = sig.toString("hex");
        bytes = encodeCanonical(tx);
      }
      if (op.mode !== "gap" && op.mode !== "wrongChain" && op.mode !== "badSig") {
        next[op.from]++;
        mine.push(bytes);
        sent.set(op.from, mine);
      }
      return bytes;
    }),
  );
}
