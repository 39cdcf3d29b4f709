import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limit.js";

describe("RateLimiter", () => {
  it("allows a burst, then refills at the rate", () => {
    const r = new RateLimiter({ perSecond: 10, burst: 3 });
    expect([r.take("ip", 0), r.take("ip", 0), r.take("ip", 0), r.take("ip", 0)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(r.retryAfterMs("ip", 0)).toBe(100);
    expect(r.take("ip", 50)).toBe(false);
    expect(r.take("ip", 100)).toBe(true);
    // Other clients have their own bucket.
    expect(r.take("other", 100)).toBe(true);
  });

  it("never grants more than burst + rate x time", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 200 }),
        (perSecond, burst, gapsMs) => {
          const r = new RateLimiter({ perSecond, burst });
          let t = 0;
          let granted = 0;
          for (const g of gapsMs) {
            t += g;
            if (r.take("x", t)) granted++;
          }
          expect(granted).toBeLessThanOrEqual(burst + Math.floor((t * perSecond) / 1000));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps its table bounded", () => {
    const r = new RateLimiter({ perSecond: 1, burst: 1, clientsMax: 100 });
    for (let i = 0; i < 1000; i++) r.take(`c${i}`, i);
    expect(r.size).toBeLessThanOrEqual(100);
  });
});
