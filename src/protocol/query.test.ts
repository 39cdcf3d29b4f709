import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPlurigridError } from "../core/errors.js";
import { accountKey } from "./accounts/state.js";
import { meterReadingKey } from "./oracle/state.js";
import { query, stateRoot } from "./query.js";
import { derKey } from "./registry/state.js";
import { verifyStateProof } from "./smt/proof.js";
import { idOf, TestChain, testGenesis, testKeys } from "./test-support/fixtures.js";
import { buildWorkload, workloadArb } from "./test-support/workload.js";

const keys = testKeys(8);

describe("query with proofs", () => {
  it("proves committed values and absences against the block's state root", () => {
    fc.assert(
      fc.property(
        workloadArb(keys.length, 3, 10),
        fc.integer({ min: 0, max: keys.length - 1 }),
        (ops, probe) => {
          const chain = new TestChain(testGenesis(keys.slice(0, 5), 100_000));
          const before = chain.root;
          for (const txs of buildWorkload(keys, ops)) chain.block(txs);
          expect(stateRoot(chain.state)).toBe(chain.root);
          for (const key of [
            accountKey(idOf(keys[probe])),
            "params",
            "chain",
            derKey("none"),
            meterReadingKey("x", 1),
          ]) {
            const r = query(chain.state, key);
            expect(r.stateRoot).toBe(chain.root);
            expect(r.value).toEqual(chain.state.get(key));
            expect(verifyStateProof(r.stateRoot, key, r.value, r.proof)).toBe(true);
            // Against the genesis root, the "chain" record (rewritten by every block) does not verify.
            if (key === "chain") expect(verifyStateProof(before, key, r.value, r.proof)).toBe(false);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("refuses tree-node and malformed keys with QUERY_BAD_KEY", () => {
    const chain = new TestChain(testGenesis(keys.slice(0, 1)));
    for (const bad of ["smt/", "smt/0a", "", "k".repeat(300)]) {
      try {
        query(chain.state, bad);
        expect.unreachable();
      } catch (e) {
        expect(isPlurigridError(e, "QUERY_BAD_KEY")).toBe(true);
      }
    }
  });
});
