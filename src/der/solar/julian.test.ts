import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dataPath } from "../../core/data.js";
import { describeData } from "../../test-support/data.js";
import { deltaTSeconds, julianDayFromCalendar, julianDayFromUtcMs, utcMsFromJulianDay } from "./julian.js";

describeData("Julian day and ΔT against solar_position_reference_pvlib.json", () => {
  const ref = JSON.parse(readFileSync(dataPath("solar", "solar_position_reference_pvlib.json"), "utf8"));

  it("gives the Julian day of every example date (Julian calendar before 1582-10-15)", () => {
    for (const [text, jd] of ref.julian_day_examples.rows_UT as [string, number][]) {
      const m = /^(-?\d+)-(\d\d)-(\d\d)T(\d\d):(\d\d)$/.exec(text);
      expect(m, text).not.toBeNull();
      const [y, mo, d, h, mi] = m!.slice(1).map(Number);
      expect(Math.abs(julianDayFromCalendar(y, mo, d, h, mi) - jd), text).toBeLessThan(1e-9);
    }
  });

  it("gives ΔT of the Espenak–Meeus polynomials to 3 decimals (numpy's assert_almost_equal: < 1.5e-3)", () => {
    for (const [year, month, seconds] of ref.delta_t_polynomial_reference.rows as [
      number,
      number,
      number,
    ][]) {
      expect(Math.abs(deltaTSeconds(year, month) - seconds), `${year}-${month}`).toBeLessThan(1.5e-3);
    }
    const extra = ref.delta_t_polynomial_reference.extra;
    expect(Math.abs(deltaTSeconds(extra.year, extra.month) - extra.delta_t_s)).toBeLessThan(1e-6);
  });
});

describe("Julian day from Unix time", () => {
  it("agrees with the calendar formula for Gregorian instants (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1600, 0, 1), max: Date.UTC(2400, 0, 1) }), (ms) => {
        const d = new Date(ms);
        const cal = julianDayFromCalendar(
          d.getUTCFullYear(),
          d.getUTCMonth() + 1,
          d.getUTCDate(),
          d.getUTCHours(),
          d.getUTCMinutes(),
          d.getUTCSeconds() + d.getUTCMilliseconds() / 1000,
        );
        expect(Math.abs(julianDayFromUtcMs(ms) - cal)).toBeLessThan(1e-8);
        expect(Math.abs(utcMsFromJulianDay(julianDayFromUtcMs(ms)) - ms)).toBeLessThan(0.1);
      }),
      { numRuns: 300 },
    );
  });

  it("adds ΔUT1 in seconds", () => {
    // A Julian day near 2.44e6 resolves about 5e-10 day (40 µs) in a double.
    expect(Math.abs(julianDayFromUtcMs(0, 0.5) - julianDayFromUtcMs(0) - 0.5 / 86400)).toBeLessThan(1e-9);
  });
});
