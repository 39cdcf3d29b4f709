import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dataPath } from "../../core/data.js";
import { isPlurigridError } from "../../core/errors.js";
import { describeData } from "../../test-support/data.js";
import { countersToIntervals, type IntervalEnergy, knownEnergyWh } from "./energy.js";
import { kwhTextToWh, parseHourlyKwh, parseOpsdCounters } from "./readers.js";
import { resampleEnergy } from "./resample.js";

const HOUR = 3_600_000;
const read = (name: string) => readFileSync(dataPath("load", name), "utf8");
const at = { source: "t", line: 1, field: "f" };

describe("counters to interval energy", () => {
  it("kWh text to Wh is exact decimal arithmetic, ties to even beyond 1 Wh", () => {
    expect(kwhTextToWh("3847.718", at)).toBe(3_847_718);
    expect(kwhTextToWh("0.1", at)).toBe(100);
    expect(kwhTextToWh("12", at)).toBe(12_000);
    expect(kwhTextToWh("0.0005", at)).toBe(0);
    expect(kwhTextToWh("0.0015", at)).toBe(2);
    expect(kwhTextToWh("0.00151", at)).toBe(2);
    expect(kwhTextToWh("0.0014999", at)).toBe(1);
    expect(kwhTextToWh(" ", at)).toBeNull();
    expect(() => kwhTextToWh("1e3", at)).toThrow(/decimal number/);
  });

  it("reports every gap with its reason, and interval + gap energy equals the counter span (property)", () => {
    const arb = fc.array(fc.option(fc.integer({ min: 0, max: 5_000 }), { nil: null, freq: 4 }), {
      minLength: 0,
      maxLength: 80,
    });
    fc.assert(
      fc.property(arb, fc.boolean(), (steps, withReset) => {
        // A monotone counter built from increments, with holes; optionally one reset.
        const readings: (number | null)[] = [];
        let c = 1_000_000;
        steps.forEach((s, k) => {
          c += s ?? 7;
          const resetHere = withReset && k === Math.floor(steps.length / 2);
          readings.push(s === null ? null : resetHere ? 0 : c);
          if (resetHere) c = 0;
        });
        const r = countersToIntervals(0, HOUR, readings);
        expect(r.energyWh).toHaveLength(Math.max(readings.length - 1, 0));
        // Every null interval is inside exactly one gap; no known interval is.
        const covered = new Array(r.energyWh.length).fill(0);
        for (const g of r.gaps) {
          expect(g.endMs - g.startMs).toBe(g.intervals * HOUR);
          for (let k = g.startMs / HOUR; k < g.endMs / HOUR; k++) covered[k]++;
        }
        r.energyWh.forEach((e, k) => {
          expect(covered[k]).toBe(e === null ? 1 : 0);
          if (e !== null) expect(e).toBeGreaterThanOrEqual(0);
        });
        // Without a reset, known intervals plus "missing" gap energies span first to last reading exactly.
        const present = readings.filter((v): v is number => v !== null);
        if (!r.gaps.some((g) => g.reason === "counterDecrease") && present.length > 0) {
          const gapWh = r.gaps.reduce((a, g) => a + (g.energyWh ?? 0), 0);
          expect(knownEnergyWh(r) + gapWh).toBe(present[present.length - 1] - present[0]);
        }
      }),
    );
  });

  it("names leading, missing, decreasing and trailing stretches", () => {
    const r = countersToIntervals(0, HOUR, [null, 10, 15, null, null, 30, 20, 25, null]);
    expect(r.energyWh).toEqual([null, 5, null, null, null, null, 5, null]);
    expect(r.gaps.map((g) => [g.reason, g.startMs / HOUR, g.endMs / HOUR, g.energyWh])).toEqual([
      ["leading", 0, 1, null],
      ["missing", 2, 5, 15],
      ["counterDecrease", 5, 6, null],
      ["trailing", 7, 8, null],
    ]);
  });
});

describe("resampling to market intervals", () => {
  const arbSeries = fc
    .array(fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: null, freq: 6 }), { maxLength: 72 })
    .map((energyWh): IntervalEnergy => ({ startMs: 24 * HOUR, stepMs: HOUR, energyWh, gaps: [] }));

  it("hour → 15 min splits evenly and conserves every hour exactly (property)", () => {
    fc.assert(
      fc.property(arbSeries, (s) => {
        const q = resampleEnergy(s, 15);
        expect(q.energyWh).toHaveLength(4 * s.energyWh.length);
        s.energyWh.forEach((e, h) => {
          const parts = q.energyWh.slice(4 * h, 4 * h + 4);
          if (e === null) expect(parts).toEqual([null, null, null, null]);
          else {
            expect((parts as number[]).reduce((a, b) => a + b, 0)).toBe(e);
            expect(Math.max(...(parts as number[])) - Math.min(...(parts as number[]))).toBeLessThanOrEqual(
              1,
            );
          }
        });
      }),
    );
  });

  it("hour → day sums complete days only; a day with a hole is null and reported (property)", () => {
    fc.assert(
      fc.property(arbSeries, (s) => {
        const d = resampleEnergy(s, 1440);
        d.energyWh.forEach((e, k) => {
          const hours = s.energyWh.slice(24 * k, 24 * k + 24);
          if (hours.length < 24 || hours.includes(null)) expect(e).toBeNull();
          else expect(e).toBe((hours as number[]).reduce((a, b) => a + b, 0));
        });
        const nulls = d.energyWh.filter((e) => e === null).length;
        expect(d.gaps.reduce((a, g) => a + g.intervals, 0)).toBe(nulls);
      }),
    );
  });

  it("refuses lengths that do not divide each other", () => {
    const s: IntervalEnergy = { startMs: 0, stepMs: HOUR, energyWh: [1, 2], gaps: [] };
    try {
      resampleEnergy(s, 25);
      expect.unreachable();
    } catch (e) {
      expect(isPlurigridError(e, "LOAD_RESAMPLE_INVALID")).toBe(true);
    }
  });
});

describeData("household counters (OPSD, Konstanz)", () => {
  const t = parseOpsdCounters(read("opsd_household_konstanz_60min_cumulative_kwh_2016-03_2017-01.csv"));

  it("gives 8088 hourly intervals per channel from 2016-03-01T00:00Z", () => {
    expect(t.series.size).toBe(13);
    for (const s of t.series.values()) {
      expect(s.energyWh).toHaveLength(8088);
      expect(new Date(s.startMs).toISOString()).toBe("2016-03-01T00:00:00.000Z");
    }
  });

  it("residential 4 exported 8,310.9 kWh and generated 10,439.7 kWh (README facts)", () => {
    const kwh = (name: string) => knownEnergyWh(t.series.get(name)!) / 1000;
    expect(Math.abs(kwh("DE_KN_residential4_grid_export") - 8310.9)).toBeLessThan(0.05 + 1e-9);
    expect(Math.abs(kwh("DE_KN_residential4_pv") - 10439.7)).toBeLessThan(0.05 + 1e-9);
  });

  it("max hourly import per household spans 2.06-4.90 kWh (README facts); no gaps in the import channels", () => {
    const maxes: number[] = [];
    for (const [name, s] of t.series) {
      if (!name.endsWith("grid_import")) continue;
      expect(s.gaps).toEqual([]);
      maxes.push(Math.max(...(s.energyWh as number[])) / 1000);
    }
    expect(maxes).toHaveLength(6);
    expect(Math.abs(Math.min(...maxes) - 2.06)).toBeLessThan(0.005 + 1e-9);
    expect(Math.abs(Math.max(...maxes) - 4.9)).toBeLessThan(0.005 + 1e-9);
  });

  it("reports residential 6's export channel as a leading gap until 2016-05-13T13:00Z, not zeros", () => {
    const s = t.series.get("DE_KN_residential6_grid_export")!;
    expect(s.gaps).toHaveLength(1);
    expect(s.gaps[0].reason).toBe("leading");
    expect(new Date(s.gaps[0].endMs).toISOString()).toBe("2016-05-13T13:00:00.000Z");
    const q = resampleEnergy(s, 15);
    expect(q.gaps[0].endMs).toBe(s.gaps[0].endMs);
    expect(knownEnergyWh(q)).toBe(knownEnergyWh(s));
  });

  it("prosumer balance: household use = import + PV − export is never negative by more than a counter step", () => {
    for (const n of [3, 4]) {
      const get = (c: string) => t.series.get(`DE_KN_residential${n}_${c}`)!.energyWh as number[];
      const [imp, pv, exp] = [get("grid_import"), get("pv"), get("grid_export")];
      let negative = 0;
      for (let h = 0; h < imp.length; h++) if (imp[h] + pv[h] - exp[h] < -10) negative++;
      // Counters of different meters are not read at the same instant: allow a handful of hours.
      expect(negative).toBeLessThan(imp.length * 0.01);
    }
  });
});

describeData("building loads (Cambridge Estates 2019)", () => {
  const t = parseHourlyKwh(read("cambridge_estates_8_buildings_hourly_kwh_2019.csv"));
  const totals: Record<string, number> = {
    b0: 227.0,
    b8: 110.2,
    b12: 20.8,
    b57: 166.3,
    b84: 223.2,
    b33: 1635.6,
    b40: 2128.6,
    b105: 7432.8,
  };

  it("reads 8760 hours per building and the README's annual totals (MWh)", () => {
    for (const [id, mwh] of Object.entries(totals)) {
      const s = t.series.get(`UCam_Building_${id}_kWh`)!;
      expect(s.energyWh).toHaveLength(8760);
      expect(s.gaps).toEqual([]);
      expect(Math.abs(knownEnergyWh(s) / 1e6 - mwh)).toBeLessThan(0.05 + 1e-9);
    }
  });

  it("resamples to 15-minute market intervals and to days with the annual total unchanged", () => {
    for (const s of t.series.values()) {
      const q = resampleEnergy(s, 15);
      expect(q.energyWh).toHaveLength(4 * 8760);
      expect(knownEnergyWh(q)).toBe(knownEnergyWh(s));
      const d = resampleEnergy(s, 1440);
      expect(d.energyWh).toHaveLength(365);
      expect(knownEnergyWh(d)).toBe(knownEnergyWh(s));
    }
  });

  it("weekday use exceeds weekend use for every building (commercial shape)", () => {
    for (const s of t.series.values()) {
      const d = resampleEnergy(s, 1440).energyWh as number[];
      let wd = 0;
      let we = 0;
      d.forEach((e, k) => {
        const dow = new Date(s.startMs + k * 86_400_000).getUTCDay();
        if (dow === 0 || dow === 6) we += e / 104;
        else wd += e / 261;
      });
      expect(wd).toBeGreaterThan(we);
    }
  });
});
