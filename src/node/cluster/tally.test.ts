import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AttestationTally, type Claim } from "./tally.js";

const ops = ["a", "b", "c", "d", "e"].map((x) => x.repeat(64));
const good: Claim = { blockHash: "1".repeat(64), stateRoot: "2".repeat(64) };
const bad: Claim = { blockHash: "3".repeat(64), stateRoot: "4".repeat(64) };

describe("attestation tally", () => {
  it("is final exactly when a quorum attested our claim, and outvoted when a quorum attested another", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
        (quorum, votes) => {
          const t = new AttestationTally(new Set(ops), quorum);
          t.setOwn(1, good);
          let last = { final: false, outvoted: false, divergences: 0 };
          votes.forEach((agrees, i) => {
            const o = t.add({ chainId: "c", height: 1, operator: ops[i], ...(agrees ? good : bad) });
            if (o.outvoted !== undefined) expect(o.height).toBe(1);
            last = {
              final: o.final,
              outvoted: o.outvoted !== undefined,
              divergences: last.divergences + o.divergences.length,
            };
          });
          const agreeing = votes.filter((v) => v).length;
          expect(last.final).toBe(agreeing >= quorum);
          expect(last.outvoted).toBe(5 - agreeing >= quorum);
          expect(last.divergences).toBe(5 - agreeing);
          expect(t.finalHeight).toBe(agreeing >= quorum ? 1 : 0);
        },
      ),
    );
  });

  it("ignores non-operators and counts an operator once per height", () => {
    const t = new AttestationTally(new Set(ops.slice(0, 3)), 2);
    t.setOwn(1, good);
    expect(t.add({ chainId: "c", height: 1, operator: ops[4], ...good }).final).toBe(false);
    expect(t.add({ chainId: "c", height: 1, operator: ops[0], ...good }).final).toBe(false);
    const again = t.add({ chainId: "c", height: 1, operator: ops[0], ...bad });
    expect(again.final).toBe(false);
    expect(again.divergences.length).toBe(1);
    expect(t.add({ chainId: "c", height: 1, operator: ops[1], ...good }).final).toBe(true);
  });
});
