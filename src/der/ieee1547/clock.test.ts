import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExcursionClock } from "./clock.js";

describe("ride-through clocks", () => {
  it("voltage: only the current excursion counts", () => {
    const c = new ExcursionClock(null);
    c.update(true, 1_000);
    expect(c.elapsedMs(3_000)).toBe(2_000);
    c.update(false, 3_000);
    expect(c.elapsedMs(3_500)).toBe(0);
    c.update(true, 4_000);
    expect(c.elapsedMs(4_500)).toBe(500);
  });

  it("frequency: the time inside within the window equals a brute-force count per millisecond", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ dt: fc.integer({ min: 1, max: 300 }), inside: fc.boolean() }), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.integer({ min: 50, max: 2_000 }),
        (steps, windowMs) => {
          const c = new ExcursionClock(windowMs);
          const insideAt: boolean[] = [];
          let t = 0;
          for (const s of steps) {
            c.update(s.inside, t);
            for (let k = 0; k < s.dt; k++) insideAt.push(s.inside);
            t += s.dt;
            // brute force: milliseconds m in [t - window, t) that were inside
            let count = 0;
            for (let m = Math.max(0, t - windowMs); m < t; m++) if (insideAt[m]) count++;
            const expected = s.inside || count > 0 ? count : 0;
            expect(c.elapsedMs(t)).toBe(expected);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
