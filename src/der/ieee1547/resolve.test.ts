import { describe, expect, it } from "vitest";
import { MICRO, MILLI } from "./fixed.js";
import { parseSettingsShape, resolveSettings } from "./resolve.js";
import type { SettingsFile } from "./settings.js";
import {
  CATEGORIES,
  type Category,
  ENTER_SERVICE_RANGE,
  FREQ_DROOP_RANGE,
  FREQUENCY_TRIP,
  FREQUENCY_TRIPS,
  type Range,
  VOLTAGE_TRIP,
  VOLTAGE_TRIPS,
} from "./tables.js";

/**
 * Boundary tests generated from the tables: for every setting with a range, in every category, the values just
 * inside (min, min + 1 unit, max - 1 unit, max) are accepted and those just outside (min - 1 unit, max + 1 unit,
 * and 0.01 beyond) are rejected with IEEE1547_SETTING_OUT_OF_RANGE naming the setting and the table's range.
 * The expected verdict is read off the range, never from the code under test; the tables themselves are checked
 * against ../shared/docs/ieee1547-2018.md in tables.test.ts.
 */

interface Knob {
  path: string;
  /** Fixed-point units per file unit. */
  scale: number;
  range: Range;
  table: string;
  /** A settings file with this setting at `value` (file units) and every other setting at its default. */
  file(value: number): SettingsFile;
}

function tripKnobs(cat: Category): Knob[] {
  const knobs: Knob[] = [];
  for (const name of VOLTAGE_TRIPS) {
    const spec = VOLTAGE_TRIP[cat][name];
    knobs.push(
      {
        path: `trip.${name}.pu`,
        scale: MICRO,
        range: spec.pickupRange,
        table: spec.table,
        file: (pu) => ({ trip: { [name]: { pu } } }),
      },
      {
        path: `trip.${name}.s`,
        scale: MILLI,
        range: spec.clearingRange,
        table: spec.table,
        file: (s) => ({ trip: { [name]: { s } } }),
      },
    );
  }
  for (const name of FREQUENCY_TRIPS) {
    const spec = FREQUENCY_TRIP[name];
    knobs.push(
      {
        path: `trip.${name}.hz`,
        scale: MILLI,
        range: spec.pickupRange,
        table: spec.table,
        file: (hz) => ({ trip: { [name]: { hz } } }),
      },
      {
        path: `trip.${name}.s`,
        scale: MILLI,
        range: spec.clearingRange,
        table: spec.table,
        file: (s) => ({ trip: { [name]: { s } } }),
      },
    );
  }
  return knobs;
}

function droopAndEnterServiceKnobs(cat: Category): Knob[] {
  const r = FREQ_DROOP_RANGE[cat];
  const droop = (path: string, key: string, scale: number, range: Range): Knob => ({
    path: `freqDroop.${path}`,
    scale,
    range,
    table: "Table 24",
    file: (v) => ({ freqDroop: { [key]: v } }),
  });
  const e = ENTER_SERVICE_RANGE;
  const es = (key: string, scale: number, range: Range): Knob => ({
    path: `enterService.${key}`,
    scale,
    range,
    table: "Table 4",
    file: (v) => ({ enterService: { [key]: v } }),
  });
  return [
    droop("dbOfHz", "dbOfHz", MILLI, r.db),
    droop("dbUfHz", "dbUfHz", MILLI, r.db),
    droop("kOf", "kOf", MICRO, r.k),
    droop("kUf", "kUf", MICRO, r.k),
    droop("responseS", "responseS", MILLI, r.responseMs),
    es("vMinPu", MICRO, e.vMin),
    es("vMaxPu", MICRO, e.vMax),
    es("fMinHz", MILLI, e.fMin),
    es("fMaxHz", MILLI, e.fMax),
    es("delayS", MILLI, e.delayMs),
    es("rampS", MILLI, e.rampMs),
  ];
}

/** Table 8 ranges around the Category B default curve, written out by hand from the standard's relations. */
function voltVarKnobs(): Knob[] {
  const base: [number, number][] = [
    [0.92, 0.44],
    [0.98, 0],
    [1.02, 0],
    [1.08, -0.44],
  ];
  const point = (i: number, j: 0 | 1, min: number, max: number): Knob => ({
    path: `voltVar.points.${i}.${j}`,
    scale: MICRO,
    range: { min: Math.round(min * MICRO), max: Math.round(max * MICRO) },
    table: "Table 8",
    file: (v) => {
      const points = base.map((p) => [...p] as [number, number]);
      points[i][j] = v;
      return { reactiveCategory: "B", voltVar: { points } };
    },
  });
  return [
    // VRef 0.95-1.05 (moving VRef moves the ranges of the points: keep them valid at both ends by choosing
    // only VRef values whose ±0.03 and ±0.18 windows contain the default points: checked with a flat curve)
    {
      path: "voltVar.vRef",
      scale: MICRO,
      range: { min: 950_000, max: 1_050_000 },
      table: "Table 8",
      file: (vRef) => ({
        voltVar: {
          vRef,
          points: [
            [vRef - 0.08, 0.44],
            [vRef, 0],
            [vRef, 0],
            [vRef + 0.08, -0.44],
          ].map(([v, q]) => [Math.round(v * MICRO) / MICRO, q] as [number, number]),
        },
      }),
    },
    {
      path: "voltVar.responseS",
      scale: MILLI,
      range: { min: 1_000, max: 90_000 },
      table: "Table 8",
      file: (responseS) => ({ voltVar: { responseS } }),
    },
    point(1, 0, 0.97, 1.0), // V2 in [VRef - 0.03, VRef]
    point(2, 0, 1.0, 1.03), // V3 in [VRef, VRef + 0.03]
    point(0, 0, 0.82, 0.96), // V1 in [VRef - 0.18, V2 - 0.02]
    point(3, 0, 1.04, 1.18), // V4 in [V3 + 0.02, VRef + 0.18]
    point(0, 1, 0, 0.44), // Q1 injection within Table 7 (Category B: 44 %)
    point(1, 1, -0.44, 0.44),
    point(2, 1, -0.44, 0.44),
    point(3, 1, -0.44, 0), // Q4 absorption within Table 7
  ];
}

function voltWattKnobs(): Knob[] {
  const vw = (i: number, j: 0 | 1, min: number, max: number): Knob => ({
    path: `voltWatt.points.${i}.${j}`,
    scale: MICRO,
    range: { min: Math.round(min * MICRO), max: Math.round(max * MICRO) },
    table: "Table 10",
    file: (v) => {
      const points: [number, number][] = [
        [1.06, 1.0],
        [1.1, 0.2],
      ];
      if (i === 1 && j === 0) points[0][0] = 1.05; // V2's lower bound is V1 + 0.01: take V1 at its minimum
      points[i][j] = v;
      return { voltWatt: { points } };
    },
  });
  return [
    vw(0, 0, 1.05, 1.09), // V1 1.05-1.09
    vw(1, 0, 1.06, 1.1), // V2 from V1 + 0.01 (V1 = 1.05) to 1.10
    vw(1, 1, 0, 1.0), // P2 Pmin..Prated for generation-only DER
    {
      path: "voltWatt.responseS",
      scale: MILLI,
      range: { min: 500, max: 60_000 },
      table: "Table 10",
      file: (responseS) => ({ voltWatt: { responseS } }),
    },
  ];
}

/** Tables 7 and 9: constant var, constant power factor and watt-var, for both reactive power categories. */
function reactiveModeKnobs(): Knob[] {
  const micro = (min: number, max: number) => ({
    min: Math.round(min * MICRO),
    max: Math.round(max * MICRO),
  });
  const wattVar = (i: number, j: 0 | 1, min: number, max: number): Knob => ({
    path: `wattVar.points.${i}.${j}`,
    scale: MICRO,
    range: micro(min, max),
    table: "Table 9",
    file: (x) => {
      const points: [number, number][] = [
        [0.2, 0],
        [0.5, 0],
        [1.0, -0.44],
      ];
      points[i][j] = x;
      return { reactiveCategory: "B", wattVar: { points } };
    },
  });
  return [
    // Table 7 capability: Category A injects 0.44 and absorbs 0.25 p.u., Category B 0.44 both ways
    {
      path: "constantVar.q",
      scale: MICRO,
      range: micro(-0.25, 0.44),
      table: "Table 7",
      file: (q) => ({ reactiveCategory: "A", constantVar: { q } }),
    },
    {
      path: "constantVar.q",
      scale: MICRO,
      range: micro(-0.44, 0.44),
      table: "Table 7",
      file: (q) => ({ reactiveCategory: "B", constantVar: { q } }),
    },
    // pf >= 1 / sqrt(1 + Q^2): 0.970143 (0.25) and 0.915316 (0.44), checked against the capability in "files" below
    {
      path: "constantPf.pf",
      scale: MICRO,
      range: micro(0.970143, 1),
      table: "Table 7",
      file: (pf) => ({ reactiveCategory: "A", constantPf: { pf, excitation: "absorbing" } }),
    },
    {
      path: "constantPf.pf",
      scale: MICRO,
      range: micro(0.915316, 1),
      table: "Table 7",
      file: (pf) => ({ reactiveCategory: "B", constantPf: { pf, excitation: "injecting" } }),
    },
    // Volt-var Q4 (absorption) within the Category A capability
    {
      path: "voltVar.points.3.1",
      scale: MICRO,
      range: micro(-0.25, 0),
      table: "Table 8",
      file: (q) => ({
        reactiveCategory: "A",
        voltVar: {
          points: [
            [0.9, 0.25],
            [1, 0],
            [1, 0],
            [1.1, q],
          ],
        },
      }),
    },
    // Table 9 around the default curve (0.2, 0) (0.5, 0) (1.0, -0.44): points at least 0.1 apart, P3 <= 1
    wattVar(0, 0, 0, 0.4),
    wattVar(1, 0, 0.3, 0.9),
    wattVar(2, 0, 0.6, 1.0),
    wattVar(0, 1, -0.44, 0.44),
    wattVar(2, 1, -0.44, 0.44),
  ];
}

function expectAccepted(k: Knob, cat: Category, n: number) {
  const { violations } = resolveSettings(k.file(n / k.scale), { category: cat });
  expect(violations, `${k.path} = ${n / k.scale} (Category ${cat})`).toEqual([]);
}

function expectRejected(k: Knob, cat: Category, n: number) {
  const { violations } = resolveSettings(k.file(n / k.scale), { category: cat });
  expect(violations, `${k.path} = ${n / k.scale} (Category ${cat})`).toContainEqual(
    expect.objectContaining({
      code: "IEEE1547_SETTING_OUT_OF_RANGE",
      setting: k.path,
      value: n / k.scale,
      allowed: [k.range.min / k.scale, k.range.max / k.scale],
      table: k.table,
    }),
  );
}

for (const cat of CATEGORIES) {
  describe(`IEEE 1547 settings, Category ${cat}: every range at its boundaries`, () => {
    const knobs = [
      ...tripKnobs(cat),
      ...droopAndEnterServiceKnobs(cat),
      ...voltVarKnobs(),
      ...voltWattKnobs(),
      ...reactiveModeKnobs(),
    ];
    for (const k of knobs) {
      it(`${k.path}: [${k.range.min / k.scale}, ${k.range.max / k.scale}] (${k.table})`, () => {
        const { min, max } = k.range;
        for (const n of [min, max, Math.min(min + 1, max), Math.max(max - 1, min)]) expectAccepted(k, cat, n);
        const coarse = k.scale === MICRO ? 10_000 : 10; // 0.01 p.u. / 0.01 Hz or s
        for (const n of [min - 1, max + 1, min - coarse, max + coarse]) expectRejected(k, cat, n);
      });
    }
  });
}

describe("IEEE 1547 settings: files", () => {
  it("an empty settings object resolves to the category's defaults without violations", () => {
    for (const category of CATEGORIES) {
      const r = resolveSettings({}, { category });
      expect(r.violations).toEqual([]);
      expect(r.settings.trip.uv1).toEqual({
        pickup: VOLTAGE_TRIP[category].uv1.pickup,
        clearingMs: VOLTAGE_TRIP[category].uv1.clearingMs,
      });
      expect(r.settings.reactiveMode).toBe("constantPf");
    }
  });

  it("a value with more decimals than the fixed-point unit is refused, not rounded", () => {
    const r = resolveSettings({ trip: { ov1: { pu: 1.1000001 } } }, { category: "II" });
    expect(r.violations).toEqual([
      expect.objectContaining({ code: "IEEE1547_SETTING_NOT_REPRESENTABLE", setting: "trip.ov1.pu" }),
    ]);
  });

  it("a category in the file must match the DER's", () => {
    const r = resolveSettings({ category: "I" }, { category: "III" });
    expect(r.violations).toEqual([
      expect.objectContaining({ code: "IEEE1547_CATEGORY_MISMATCH", setting: "category" }),
    ]);
  });

  it("shape errors name the offending key", () => {
    expect(parseSettingsShape({ trip: { ov3: { pu: 1.2 } } })).toMatchObject({
      ok: false,
      setting: "trip.ov3",
    });
    expect(parseSettingsShape({ voltVar: { points: [[1, 0]] } })).toMatchObject({
      ok: false,
      setting: "voltVar.points",
    });
    expect(parseSettingsShape({ trip: { uv1: { s: "10" } } })).toMatchObject({
      ok: false,
      setting: "trip.uv1.s",
    });
    expect(parseSettingsShape([])).toMatchObject({ ok: false });
    expect(parseSettingsShape({ trip: { uv1: { s: 10 } } })).toMatchObject({ ok: true });
  });

  it("storage may set the volt-watt P2 below zero (absorbing), generation-only DER may not", () => {
    const file: SettingsFile = {
      voltWatt: {
        points: [
          [1.06, 1],
          [1.1, -0.5],
        ],
      },
    };
    expect(resolveSettings(file, { category: "II", absorbsActivePower: true }).violations).toEqual([]);
    expect(resolveSettings(file, { category: "II" }).violations).toEqual([
      expect.objectContaining({ setting: "voltWatt.points.1.1", allowed: [0, 1] }),
    ]);
  });

  it("constant power factor: down to the Table 7 capability of the reactive category", () => {
    // Category A absorbs at most 0.25 p.u.: pf >= 1/sqrt(1 + 0.25^2) = 0.97014...; 0.44 p.u.: 0.91531...
    const pf = (v: number, excitation: "injecting" | "absorbing", rc: "A" | "B") =>
      resolveSettings({ reactiveCategory: rc, constantPf: { pf: v, excitation } }, { category: "I" })
        .violations.length;
    expect(pf(0.970143, "absorbing", "A")).toBe(0);
    expect(pf(0.970142, "absorbing", "A")).toBe(1);
    expect(pf(0.915316, "absorbing", "B")).toBe(0);
    expect(pf(0.915315, "injecting", "A")).toBe(1);
    expect(pf(1.000001, "injecting", "B")).toBe(1);
    // independent check of the bound: at the accepted pf, Q/P is within the capability; just below it is not
    const q = (p: number) => Math.sqrt(1 - p * p) / p;
    expect(q(0.970143)).toBeLessThanOrEqual(0.25);
    expect(q(0.970142)).toBeGreaterThan(0.25);
    expect(q(0.915316)).toBeLessThanOrEqual(0.44);
    expect(q(0.915315)).toBeGreaterThan(0.44);
  });
});
