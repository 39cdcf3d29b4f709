import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPlurigridError } from "./errors.js";
import {
  formatUtcMs,
  intervalEndMs,
  intervalLengthMs,
  intervalOf,
  intervalStartMs,
  MS_PER_DAY,
  parseUtcMs,
} from "./time.js";

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isPlurigridError(e)) return e.code;
    throw e;
  }
  return undefined;
}

const DIVISORS_OF_DAY = Array.from({ length: 1440 }, (_, i) => i + 1).filter((m) => 1440 % m === 0);
const MIN_MS = -62_167_219_200_000; // 0000-01-01T00:00:00Z
const MAX_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
const instant = fc.integer({ min: MIN_MS, max: MAX_MS });

describe("intervals", () => {
  it("index 15-minute intervals from the epoch by default", () => {
    const t = Date.UTC(2024, 5, 1, 12, 15);
    expect(intervalOf(t)).toBe(t / 900_000);
    expect(intervalOf(t + 899_999)).toBe(t / 900_000);
    expect(intervalOf(t - 1)).toBe(t / 900_000 - 1);
    expect(intervalStartMs(intervalOf(t))).toBe(t);
    expect(intervalEndMs(intervalOf(t))).toBe(t + 900_000);
    expect(intervalOf(0)).toBe(0);
    expect(intervalOf(-1)).toBe(-1);
    expect(intervalLengthMs()).toBe(900_000);
    expect(intervalOf(t, 60)).toBe(t / 3_600_000 - 0.25);
  });

  it("contain their instants: start <= t < end, for every length dividing a day", () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...DIVISORS_OF_DAY), (t, minutes) => {
        const k = intervalOf(t, minutes);
        expect(Number.isSafeInteger(k)).toBe(true);
        expect(intervalStartMs(k, minutes) <= t && t < intervalEndMs(k, minutes)).toBe(true);
        expect(intervalEndMs(k, minutes)).toBe(intervalStartMs(k + 1, minutes));
        expect(intervalOf(intervalStartMs(k, minutes), minutes)).toBe(k);
      }),
      { numRuns: 500 },
    );
  });

  it("start every UTC day on an interval boundary", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -700_000, max: 2_900_000 }),
        fc.constantFrom(...DIVISORS_OF_DAY),
        (day, m) => {
          const midnight = day * MS_PER_DAY;
          expect(intervalStartMs(intervalOf(midnight, m), m)).toBe(midnight);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reject lengths that do not divide a day with TIME_BAD_INTERVAL", () => {
    for (const bad of [0, -15, 7, 14, 25, 1441, 2880, 7.5, Number.NaN]) {
      expect(
        codeOf(() => intervalOf(0, bad)),
        String(bad),
      ).toBe("TIME_BAD_INTERVAL");
      expect(codeOf(() => intervalStartMs(0, bad))).toBe("TIME_BAD_INTERVAL");
      expect(codeOf(() => intervalEndMs(0, bad))).toBe("TIME_BAD_INTERVAL");
    }
    expect(DIVISORS_OF_DAY).toHaveLength(36);
  });

  it("reject instants and indices that are not safe integers with TIME_INVALID", () => {
    for (const bad of [0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(codeOf(() => intervalOf(bad))).toBe("TIME_INVALID");
      expect(codeOf(() => intervalStartMs(bad))).toBe("TIME_INVALID");
    }
    expect(codeOf(() => intervalEndMs(Math.floor(Number.MAX_SAFE_INTEGER / 900_000)))).toBe("TIME_INVALID");
  });
});

describe("ISO 8601 UTC", () => {
  it("parses and formats the canonical form", () => {
    expect(parseUtcMs("2024-06-01T12:15:00Z")).toBe(Date.UTC(2024, 5, 1, 12, 15));
    expect(formatUtcMs(Date.UTC(2024, 5, 1, 12, 15))).toBe("2024-06-01T12:15:00Z");
    expect(parseUtcMs("1970-01-01T00:00:00Z")).toBe(0);
    expect(parseUtcMs("1969-12-31T23:59:59.999Z")).toBe(-1);
    expect(formatUtcMs(-1)).toBe("1969-12-31T23:59:59.999Z");
    expect(parseUtcMs("2024-02-29T00:00:00Z")).toBe(Date.UTC(2024, 1, 29));
    expect(parseUtcMs("2000-02-29T23:59:59Z")).toBe(Date.UTC(2000, 1, 29, 23, 59, 59));
    expect(parseUtcMs("2024-06-01T12:15:00.5Z")).toBe(Date.UTC(2024, 5, 1, 12, 15, 0, 500));
    expect(parseUtcMs("2024-06-01T12:15:00.000Z")).toBe(Date.UTC(2024, 5, 1, 12, 15));
    expect(formatUtcMs(Date.UTC(2024, 5, 1, 12, 15, 0, 250))).toBe("2024-06-01T12:15:00.250Z");
    expect(formatUtcMs(MIN_MS)).toBe("0000-01-01T00:00:00Z");
    expect(formatUtcMs(MAX_MS)).toBe("9999-12-31T23:59:59.999Z");
    expect(parseUtcMs("0000-01-01T00:00:00Z")).toBe(MIN_MS);
  });

  it("agrees with Date for every instant with a four-digit year", () => {
    fc.assert(
      fc.property(instant, (t) => {
        const viaDate = new Date(t).toISOString(); // always has .sss; years 0000-9999 print with 4 digits
        expect(parseUtcMs(viaDate)).toBe(t);
        expect(formatUtcMs(t)).toBe(t % 1000 === 0 ? viaDate.replace(".000Z", "Z") : viaDate);
      }),
      { numRuns: 1000 },
    );
  });

  it("round-trips: parse(format(t)) = t and format(parse(s)) = s for canonical s", () => {
    fc.assert(
      fc.property(instant, (t) => {
        const s = formatUtcMs(t);
        expect(parseUtcMs(s)).toBe(t);
        expect(formatUtcMs(parseUtcMs(s))).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  it("rejects anything else with TIME_INVALID", () => {
    const bad = [
      "",
      "2024-06-01",
      "2024-06-01T12:15Z",
      "2024-06-01T12:15:00",
      "2024-06-01T12:15:00+00:00",
      "2024-06-01T12:15:00.1234Z",
      "2024-06-01 12:15:00Z",
      "2024-06-01t12:15:00z",
      " 2024-06-01T12:15:00Z",
      "2024-6-1T12:15:00Z",
      "+02024-06-01T12:15:00Z",
      "2024-13-01T00:00:00Z",
      "2024-00-01T00:00:00Z",
      "2023-02-29T00:00:00Z",
      "1900-02-29T00:00:00Z",
      "2024-04-31T00:00:00Z",
      "2024-06-00T00:00:00Z",
      "2024-06-01T24:00:00Z",
      "2024-06-01T12:60:00Z",
      "2016-12-31T23:59:60Z",
    ];
    for (const s of bad)
      expect(
        codeOf(() => parseUtcMs(s)),
        s,
      ).toBe("TIME_INVALID");
    expect(codeOf(() => parseUtcMs(42 as unknown as string))).toBe("TIME_INVALID");
    for (const t of [MIN_MS - 1, MAX_MS + 1, 0.5, Number.NaN]) {
      expect(
        codeOf(() => formatUtcMs(t)),
        String(t),
      ).toBe("TIME_INVALID");
    }
  });
});
