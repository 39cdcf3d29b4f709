import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GenerationalCache } from "./generational-cache.js";

describe("GenerationalCache", () => {
  it("keeps every entry set or read within the last max/2 insertions, and never more than max (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 40 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 60 })), { maxLength: 400 }),
        (max, ops) => {
          const cache = new GenerationalCache<number, string>(max);
          const half = Math.floor(max / 2);
          // The reference: the last time each key was set or read with a hit, counted in insertions so far.
          const touched = new Map<number, number>();
          const value = new Map<number, string>();
          let insertions = 0;
          for (const [isSet, key] of ops) {
            if (isSet) {
              const v = `${key}@${insertions}`;
              cache.set(key, v);
              value.set(key, v);
              insertions++;
              touched.set(key, insertions);
            } else {
              const got = cache.get(key);
              const last = touched.get(key);
              // A hit is always the value last set; a recent entry is always a hit.
              if (got !== undefined) expect(got).toBe(value.get(key));
              if (last !== undefined && insertions - last < half) expect(got).toBe(value.get(key));
              if (got !== undefined) {
                insertions++;
                touched.set(key, insertions);
              }
            }
            expect(cache.size).toBeLessThanOrEqual(2 * half);
          }
        },
      ),
    );
  });

  it("refuses a bound below 2", () => {
    expect(() => new GenerationalCache(1)).toThrow(RangeError);
    expect(() => new GenerationalCache(Number.NaN)).toThrow(RangeError);
  });
});
