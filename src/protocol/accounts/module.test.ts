import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeCanonical } from "../../core/canonical.js";
import { readStateValue } from "../query.js";
import type { BlockResult } from "../seam.js";
import { idOf, TestChain, testGenesis, testKeys, transfer } from "../test-support/fixtures.js";
import { buildWorkload, workloadArb } from "../test-support/workload.js";
import { accountKey } from "./state.js";
import type { Account } from "./types.js";

const keys = testKeys(6);

function account(chain: TestChain, i: number): Account {
  const bytes = chain.state.get(accountKey(idOf(keys[i])));
  return bytes === undefined
    ? { micros: 0, matrixMicros: 0, nonce: 0 }
    : (readStateValue("a", bytes) as unknown as Account);
}

function totals(chain: TestChain): { micros: number; matrix: number } {
  let micros = 0;
  let matrix = 0;
  for (const [key, bytes] of chain.state.entries()) {
    if (!key.startsWith("acct/")) continue;
    const a = readStateValue(key, bytes) as unknown as Account;
    expect(a.micros).toBeGreaterThanOrEqual(0);
    expect(a.matrixMicros).toBeGreaterThanOrEqual(0);
    micros += a.micros;
    matrix += a.matrixMicros;
  }
  return { micros, matrix };
}

const codes = (r: BlockResult) => r.results.map((x) => (x.ok ? "ok" : x.code));

describe("accounts", () => {
  it("moves one asset from sender to recipient, creating the recipient, and advances the sender's nonce", () => {
    const chain = new TestChain(testGenesis(keys.slice(0, 2), 1_000));
    const fresh = keys[5];
    const r = chain.block([transfer(keys[0], 0, fresh, 300), transfer(keys[0], 1, keys[1], 200, "matrix")]);
    expect(codes(r)).toEqual(["ok", "ok"]);
    expect(account(chain, 0)).toEqual({ micros: 700, matrixMicros: 800, nonce: 2 });
    expect(account(chain, 5)).toEqual({ micros: 300, matrixMicros: 0, nonce: 0 });
    expect(account(chain, 1)).toEqual({ micros: 1_000, matrixMicros: 1_200, nonce: 0 });
    expect(r.results[0]).toMatchObject({
      ok: true,
      events: [{ type: "transfer", attributes: { amount: 300, asset: "micros" } }],
    });
  });

  it("refuses overdrafts and transfers to oneself, keeping the nonce (the sender can try again)", () => {
    const chain = new TestChain(testGenesis(keys.slice(0, 2), 1_000));
    const r = chain.block([
      transfer(keys[0], 0, keys[1], 1_001),
      transfer(keys[0], 0, keys[0], 5),
      transfer(keys[0], 0, keys[1], 1_000),
    ]);
    expect(codes(r)).toEqual(["ACCOUNT_OVERDRAFT", "ACCOUNT_SELF_TRANSFER", "ok"]);
    expect(account(chain, 0)).toEqual({ micros: 0, matrixMicros: 1_000, nonce: 1 });
    // An empty account cannot pay the smallest amount.
    expect(codes(chain.block([transfer(keys[3], 0, keys[1], 1)]))).toEqual(["ACCOUNT_OVERDRAFT"]);
  });

  it("refuses a credit beyond the exact integer range with ACCOUNT_OVERFLOW", () => {
    // Unreachable from a valid genesis (total supply is bounded by 2^53 - 1), so the state is forged here.
    const chain = new TestChain(testGenesis(keys.slice(0, 2), 1_000));
    const huge = encodeCanonical({ micros: Number.MAX_SAFE_INTEGER, matrixMicros: 0, nonce: 0 });
    chain.state.apply([[accountKey(idOf(keys[1])), huge]]);
    expect(codes(chain.block([transfer(keys[0], 0, keys[1], 1)]))).toEqual(["ACCOUNT_OVERFLOW"]);
  });

  it("conserves money: the sum of balances of each asset is constant across random workloads", () => {
    fc.assert(
      fc.property(
        workloadArb(keys.length, 4, 14),
        fc.integer({ min: 1, max: 600_000 }),
        (blocks, balance) => {
          const chain = new TestChain(testGenesis(keys, balance));
          const start = totals(chain);
          expect(start).toEqual({ micros: balance * keys.length, matrix: balance * keys.length });
          let applied = 0;
          for (const txs of buildWorkload(keys, blocks)) {
            const r = chain.block(txs);
            applied += r.results.filter((x) => x.ok).length;
            expect(totals(chain)).toEqual(start);
          }
          // Every applied transaction advanced exactly one nonce.
          const nonces = keys.reduce((s, _, i) => s + account(chain, i).nonce, 0);
          expect(nonces).toBe(applied);
        },
      ),
      { numRuns: 200 },
    );
  });
});
