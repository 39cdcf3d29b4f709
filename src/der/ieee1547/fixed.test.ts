import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mulDiv } from "../../core/units.js";
import { fromFixed, MICRO, MILLI, mulDivExact, toFixedExact } from "./fixed.js";

describe("fixed point", () => {
  it("mulDivExact equals core's bigint mulDiv (round half to even), small and large operands", () => {
    const int = fc.oneof(
      fc.integer({ min: -2_000_000, max: 2_000_000 }),
      fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
    );
    const den = int.filter((d) => d !== 0);
    fc.assert(
      fc.property(int, int, den, (a, b, d) => {
        let expected: number | string;
        try {
          expected = mulDiv(a, b, d);
        } catch (e) {
          expected = (e as { code: string }).code;
        }
        let got: number | string;
        try {
          got = mulDivExact(a, b, d);
        } catch (e) {
          got = (e as { code: string }).code;
        }
        expect(got).toBe(expected);
      }),
      { numRuns: 5_000 },
    );
    // ties go to the even neighbour
    expect([
      mulDivExact(1, 1, 2),
      mulDivExact(3, 1, 2),
      mulDivExact(-1, 1, 2),
      mulDivExact(-3, 1, 2),
    ]).toEqual([0, 2, 0, -2]);
  });

  it("a decimal with at most 6 (3) decimals converts exactly and back; one more decimal is refused", () => {
    fc.assert(
      fc.property(fc.integer({ min: -10_000_000, max: 10_000_000 }), (n) => {
        expect(toFixedExact(fromFixed(n, MICRO), MICRO)).toBe(n);
        expect(toFixedExact(fromFixed(n, MILLI), MILLI)).toBe(n);
        expect(toFixedExact(fromFixed(n * 10 + 1, 10 * MICRO), MICRO)).toBeNull();
      }),
    );
    expect(toFixedExact(0.917, MICRO)).toBe(917_000);
    expect(toFixedExact(0.016, MILLI)).toBe(16);
  });
});
