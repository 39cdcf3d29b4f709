import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../core/hash.js";
import { type ChainPosition, inNonceOrder, judgeMarker } from "./rules.js";
import { type BlockMarker, decodeMarker, encodeMarker } from "./signed.js";
import { operatorTestKey } from "./testing.js";

const op = operatorTestKey(0);
const outsider = operatorTestKey(9);
const operators = new Set([toHex(op.publicKey)]);
const limits = { txsMax: 10, bytesMax: 10_000 };

function marker(over: Partial<BlockMarker> = {}): BlockMarker {
  return {
    chainId: "c",
    height: 5,
    timeMs: 1000,
    term: 3,
    upToSeq: 40,
    proposer: toHex(op.publicKey),
    ...over,
  };
}

describe("block marker rules", () => {
  const pos: ChainPosition = { chainId: "c", height: 4, term: 3, upToSeq: 30 };
  const covered = { count: 2, bytes: 500 };

  it("accepts the next height from an operator at the current or a newer term", () => {
    expect(judgeMarker(marker(), 41, pos, operators, covered, limits)).toEqual({ ok: true });
    expect(judgeMarker(marker({ term: 9 }), 41, pos, operators, covered, limits)).toEqual({ ok: true });
  });

  it("ignores stale terms, other heights, other chains, outsiders, bad ranges and oversized blocks", () => {
    const bad: [Partial<BlockMarker>, number, { count: number; bytes: number }][] = [
      [{ term: 2 }, 41, covered],
      [{ height: 4 }, 41, covered],
      [{ height: 6 }, 41, covered],
      [{ chainId: "d" }, 41, covered],
      [{ proposer: toHex(outsider.publicKey) }, 41, covered],
      [{ upToSeq: 30 }, 41, covered],
      [{ upToSeq: 41 }, 41, covered],
      [{}, 41, { count: 0, bytes: 0 }],
      [{}, 41, { count: 11, bytes: 100 }],
      [{}, 41, { count: 2, bytes: 10_001 }],
    ];
    for (const [over, seq, cov] of bad) {
      expect(judgeMarker(marker(over), seq, pos, operators, cov, limits).ok, JSON.stringify(over)).toBe(
        false,
      );
    }
    expect(judgeMarker(undefined, 41, pos, operators, covered, limits).ok).toBe(false);
  });

  it("accepts at most one marker per height, whatever the order of competing proposers", () => {
    // Any sequence of markers for heights 1..3 from two terms: replaying the acceptance rule gives strictly
    // consecutive heights and non-decreasing terms, and a replay of the same sequence gives the same result.
    const arb = fc.array(
      fc.record({ height: fc.integer({ min: 1, max: 4 }), term: fc.integer({ min: 1, max: 3 }) }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(arb, (ms) => {
        const run = () => {
          let p: ChainPosition = { chainId: "c", height: 0, term: 0, upToSeq: 0 };
          const accepted: { height: number; term: number }[] = [];
          ms.forEach((m, i) => {
            const seq = 2 * i + 2;
            const mk = marker({ height: m.height, term: m.term, upToSeq: seq - 1 });
            if (judgeMarker(mk, seq, p, operators, { count: 1, bytes: 1 }, limits).ok) {
              accepted.push(m);
              p = { chainId: "c", height: m.height, term: m.term, upToSeq: seq - 1 };
            }
          });
          return accepted;
        };
        const a = run();
        expect(run()).toEqual(a);
        a.forEach((m, i) => {
          expect(m.height).toBe(i + 1);
          if (i > 0) expect(m.term).toBeGreaterThanOrEqual(a[i - 1].term);
        });
      }),
    );
  });
});

describe("signed markers", () => {
  it("round-trip and refuse any changed byte", () => {
    const bytes = encodeMarker(marker(), op);
    expect(decodeMarker(bytes)).toEqual(marker());
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const changed = Uint8Array.from(bytes);
        changed[i] ^= x;
        expect(decodeMarker(changed)).toBeUndefined();
      }),
    );
  });

  it("refuses a marker whose proposer field names another key than the signer", () => {
    const forged = encodeMarker(marker({ proposer: toHex(outsider.publicKey) }), op);
    expect(decodeMarker(forged)).toBeUndefined();
  });
});

describe("nonce order within a block", () => {
  it("sorts each sender's transactions into that sender's places and moves nothing else", () => {
    const item = fc.record({ sender: fc.constantFrom("a", "b", "c"), nonce: fc.integer({ min: 0, max: 5 }) });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 30 }), (raw) => {
        const items = raw.map((r, i) => ({ ...r, entry: { seq: i } as never }));
        const before = items.map((t) => t.sender);
        const copy = [...items];
        inNonceOrder(copy);
        // Same sender at every place, the same items in all.
        expect(copy.map((t) => t.sender)).toEqual(before);
        expect(
          [...copy].sort((x, y) => (x.entry as { seq: number }).seq - (y.entry as { seq: number }).seq),
        ).toEqual(items);
        for (const s of ["a", "b", "c"]) {
          const mine = copy.filter((t) => t.sender === s);
          for (let i = 1; i < mine.length; i++) {
            const [p, q] = [mine[i - 1], mine[i]];
            expect(
              p.nonce < q.nonce ||
                (p.nonce === q.nonce && (p.entry as { seq: number }).seq < (q.entry as { seq: number }).seq),
            ).toBe(true);
          }
        }
      }),
    );
  });
});
