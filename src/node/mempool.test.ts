import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Mempool } from "./mempool.js";

const tx = (sender: string, nonce: number) => ({
  hash: `${sender}:${nonce}`,
  bytes: new Uint8Array([nonce & 255]),
  sender,
  nonce,
});

describe("Mempool", () => {
  it("holds a transaction that arrives ahead of its predecessor until the gap is filled", () => {
    const m = new Mempool();
    expect(m.add(tx("a", 1), 0)).toEqual({ ok: true, duplicate: false });
    expect(m.select(10, () => 0)).toEqual([]);
    m.add(tx("a", 0), 0);
    expect(m.select(10, () => 0).map((e) => e.nonce)).toEqual([0, 1]);
  });

  it("refuses a second transaction for a nonce that is taken, and recognizes a duplicate", () => {
    const m = new Mempool();
    m.add(tx("a", 0), 0);
    expect(m.add(tx("a", 0), 0)).toEqual({ ok: true, duplicate: true });
    const other = { ...tx("a", 0), hash: "different" };
    expect(m.add(other, 0)).toMatchObject({ ok: false, code: "MEMPOOL_NONCE_TAKEN" });
  });

  it("enforces its limits", () => {
    const m = new Mempool({ txsMax: 3, perSenderMax: 2, nonceAheadMax: 5 });
    expect(m.add(tx("a", 6), 0)).toMatchObject({ ok: false, code: "MEMPOOL_NONCE_TOO_FAR" });
    m.add(tx("a", 0), 0);
    m.add(tx("a", 1), 0);
    expect(m.add(tx("a", 2), 0)).toMatchObject({ ok: false, code: "MEMPOOL_FULL" });
    m.add(tx("b", 0), 0);
    expect(m.add(tx("c", 0), 0)).toMatchObject({ ok: false, code: "MEMPOOL_FULL" });
    expect(m.size).toBe(3);
  });

  it("prunes stale nonces and forgets removed transactions", () => {
    const m = new Mempool();
    for (let n = 0; n < 5; n++) m.add(tx("a", n), 0);
    expect(m.pruneStale("a", 3).map((e) => e.nonce)).toEqual([0, 1, 2]);
    expect(m.size).toBe(2);
    expect(m.remove("a:3")?.nonce).toBe(3);
    expect(m.has("a:3")).toBe(false);
    expect(m.select(10, () => 4).map((e) => e.hash)).toEqual(["a:4"]);
  });

  it("keeps a block under its byte budget by taking a prefix, and reports the end of a sender's run", () => {
    const m = new Mempool();
    for (let n = 0; n < 4; n++) m.add({ ...tx("a", n), bytes: new Uint8Array(100) }, 0);
    m.add({ ...tx("a", 6), bytes: new Uint8Array(100) }, 0);
    expect(m.select(10, () => 0, 250).map((e) => e.nonce)).toEqual([0, 1]);
    expect(m.runEnd("a", 0)).toBe(4);
    expect(m.runEnd("a", 6)).toBe(7);
    expect(m.runEnd("nobody", 3)).toBe(3);
  });

  it("selection: per-sender nonces consecutive from the committed nonce, senders in arrival order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom("a", "b", "c", "d"), fc.integer({ min: 0, max: 12 })), {
          maxLength: 60,
        }),
        fc.record({ a: fc.nat(3), b: fc.nat(3), c: fc.nat(3), d: fc.nat(3) }),
        fc.integer({ min: 1, max: 40 }),
        (arrivals, committed, limit) => {
          const m = new Mempool();
          const nonceOf = (s: string) => committed[s as keyof typeof committed];
          for (const [s, n] of arrivals) m.add(tx(s, n), nonceOf(s));
          const chosen = m.select(limit, nonceOf);
          expect(chosen.length).toBeLessThanOrEqual(limit);
          const next = new Map<string, number>();
          for (const e of chosen) {
            const expected = next.get(e.sender) ?? nonceOf(e.sender);
            expect(e.nonce).toBe(expected);
            next.set(e.sender, expected + 1);
          }
          // Maximal: with room left, every ready transaction was taken.
          if (chosen.length < limit) {
            for (const s of ["a", "b", "c", "d"]) {
              const n = next.get(s) ?? nonceOf(s);
              expect(m.has(`${s}:${n}`)).toBe(false);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
