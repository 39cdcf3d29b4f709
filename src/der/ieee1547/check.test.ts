import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkIeee1547, settingsToFile } from "./check.js";
import { bandOf, regionInBand, voltageBands } from "./regions.js";
import { resolveSettings } from "./resolve.js";
import type { Category } from "./tables.js";

describe("check answer", () => {
  it("the settings in the answer resolve to the same settings (round trip through the file form)", () => {
    const file = fc.record(
      {
        reactiveCategory: fc.constantFrom("A" as const, "B" as const),
        reactiveMode: fc.constantFrom(
          "constantPf" as const,
          "voltVar" as const,
          "wattVar" as const,
          "constantVar" as const,
        ),
        trip: fc.record({
          uv1: fc.record({ s: fc.integer({ min: 21_000, max: 50_000 }).map((ms) => ms / 1_000) }),
        }),
        freqDroop: fc.record({ kOf: fc.integer({ min: 20_000, max: 50_000 }).map((k) => k / 1_000_000) }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(file, (f) => {
        const first = resolveSettings(f, { category: "III" });
        expect(first.violations).toEqual([]);
        const again = resolveSettings(settingsToFile(first.settings), { category: "III" });
        expect(again.violations).toEqual([]);
        expect(again.settings).toEqual(first.settings);
      }),
      { numRuns: 200 },
    );
  });

  it("settings out of range give valid: false, no resolved settings and no verdict", () => {
    const a = checkIeee1547(
      { category: "I", trip: { uv2: { pu: 0.51 } } },
      { samples: [{ tS: 0, vPu: 1, fHz: 60, state: "on" }] },
    );
    expect(a).toMatchObject({ valid: false, settings: null, trace: null });
    expect(a.violations[0]).toMatchObject({ setting: "trip.uv2.pu", allowed: [0, 0.5], table: "Table 11" });
  });
});

describe("voltage regions against the doc's ride-through table, written out independently", () => {
  // ../shared/docs/ieee1547-2018.md, "Voltage ride-through, Tables 14 (Cat I), 15 (Cat II), 16 (Cat III)",
  // at the start of an excursion (so every band with a minimum time is still in force).
  function expected(cat: Category, v: number): string {
    if (v > 1.2) return "cease_to_energize";
    if (v > 1.1) return cat === "III" ? "momentary_cessation" : "permissive";
    if (v >= 0.88) return "continuous";
    if (cat === "I") return v >= 0.7 ? "mandatory" : v >= 0.5 ? "permissive" : "cease_to_energize";
    if (cat === "II") return v >= 0.65 ? "mandatory" : v >= 0.3 ? "permissive" : "cease_to_energize";
    return v >= 0.5 ? "mandatory" : "momentary_cessation";
  }
  it("every voltage from 0 to 1.4 p.u. (micro p.u. steps around the band edges, coarse elsewhere)", () => {
    const edges = [0.3, 0.45, 0.5, 0.65, 0.7, 0.88, 1.1, 1.15, 1.175, 1.2];
    const vs = new Set<number>();
    for (let v = 0; v <= 1_400_000; v += 1_000) vs.add(v);
    for (const e of edges) for (const d of [-1, 0, 1]) vs.add(Math.round(e * 1e6) + d);
    for (const cat of ["I", "II", "III"] as const) {
      for (const v of vs) {
        const r = regionInBand(bandOf(voltageBands(cat), v), v, 0, false);
        expect(r.region, `Category ${cat}, V = ${v / 1e6}`).toBe(expected(cat, v / 1e6));
      }
    }
  });
  it("minimum ride-through times: Cat I 0.7 + 4 (V - 0.70) s, Cat II 3 + 8.7 (V - 0.65) s, Cat III 20 s / 10 s", () => {
    const rt = (cat: Category, v: number) =>
      regionInBand(bandOf(voltageBands(cat), v), v, 0, false).rideThroughMs;
    expect(rt("I", 800_000)).toBe(Math.floor((0.7 + 4 * 0.1) * 1000 + 1e-9));
    expect(rt("II", 870_000)).toBe(Math.floor((3 + 8.7 * 0.22) * 1000 + 1e-9));
    expect(rt("III", 800_000)).toBe(20_000);
    expect(rt("III", 600_000)).toBe(10_000);
    expect(rt("II", 1_160_000)).toBe(500);
    expect(rt("III", 1_150_000)).toBe(12_000);
  });
});
