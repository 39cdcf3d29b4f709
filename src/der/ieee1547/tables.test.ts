import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, it } from "vitest";
import { dataDir } from "../../core/data.js";
import { describeData } from "../../test-support/data.js";
import { parseSettingsShape, resolveSettings } from "./resolve.js";
import {
  CATEGORIES,
  ENTER_SERVICE_DEFAULT,
  FREQ_DROOP_DEFAULT,
  FREQ_DROOP_RANGE,
  FREQUENCY_TRIP,
  VOLT_VAR_DEFAULT,
  VOLT_WATT_DEFAULT,
  VOLTAGE_TRIP,
} from "./tables.js";

/**
 * The encoded tables against ../shared/docs/ieee1547-2018.md, read and parsed here independently of the code:
 * every number of the trip tables, Table 18, the default curves, Table 24 and enter service.
 */

const docPath = () => resolve(dataDir(), "..", "docs", "ieee1547-2018.md");
const numbers = (cell: string) =>
  [...cell.replaceAll("−", "-").matchAll(/[-+]?\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
const micro = (x: number) => Math.round(x * 1_000_000);
const milli = (x: number) => Math.round(x * 1_000);

function row(doc: string, first: string): string[] {
  const line = doc.split("\n").find((l) => l.startsWith(`| ${first} |`));
  if (line === undefined) throw new Error(`no row "${first}" in the doc`);
  return line
    .split("|")
    .slice(2, -1)
    .map((c) => c.trim());
}

describeData("IEEE 1547 tables match ../shared/docs/ieee1547-2018.md", () => {
  const doc = readFileSync(docPath(), "utf8");

  it("voltage trip settings, Tables 11-13: defaults and ranges per category", () => {
    for (const name of ["OV2", "OV1", "UV1", "UV2"] as const) {
      const cells = row(doc, name);
      CATEGORIES.forEach((cat, i) => {
        const n = numbers(cells[i]);
        const spec = VOLTAGE_TRIP[cat][name.toLowerCase() as "ov1"];
        const [pu, s] = n;
        const [pMin, pMax, tMin, tMax] = n.length === 2 ? [pu, pu, s, s] : n.slice(2);
        expect(spec, `${name} Category ${cat}`).toMatchObject({
          pickup: micro(pu),
          clearingMs: milli(s),
          pickupRange: { min: micro(pMin), max: micro(pMax) },
          clearingRange: { min: milli(tMin), max: milli(tMax) },
          table: `Table ${11 + i}`,
        });
      });
    }
  });

  it("frequency trip settings, Table 18", () => {
    for (const name of ["OF2", "OF1", "UF1", "UF2"] as const) {
      const [hz, s, fMin, fMax, tMin, tMax] = [...numbers(row(doc, name)[0]), ...numbers(row(doc, name)[1])];
      expect(FREQUENCY_TRIP[name.toLowerCase() as "of1"]).toMatchObject({
        pickup: milli(hz),
        clearingMs: milli(s),
        pickupRange: { min: milli(fMin), max: milli(fMax) },
        clearingRange: { min: milli(tMin), max: milli(tMax) },
      });
    }
  });

  it("default volt-var curves, Table 8", () => {
    for (const rc of ["A", "B"] as const) {
      const n = row(doc, `Category ${rc}`).flatMap(numbers);
      const [vRef, v1, q1, v2, q2, v3, q3, v4, q4, tr] = n;
      expect(VOLT_VAR_DEFAULT[rc]).toEqual({
        vRef: micro(vRef),
        points: [
          [micro(v1), micro(q1)],
          [micro(v2), micro(q2)],
          [micro(v3), micro(q3)],
          [micro(v4), micro(q4)],
        ],
        responseMs: milli(tr),
      });
    }
  });

  it("volt-watt, frequency droop and enter service defaults", () => {
    const vw = doc.match(/\(V1 = ([\d.]+), P1 = Prated\), \(V2 = ([\d.]+), P2 = min\(([\d.]+)·Prated/);
    expect(vw).not.toBeNull();
    const [, v1, v2, p2] = (vw as RegExpMatchArray).map(Number);
    expect(VOLT_WATT_DEFAULT.points).toEqual([
      [micro(v1), 1_000_000],
      [micro(v2), micro(p2)],
    ]);
    const fd = doc.match(/dbOF = dbUF = ([\d.]+) Hz, kOF = kUF = ([\d.]+), open-loop response (\d+) s/);
    expect(fd).not.toBeNull();
    const [, db, k, tr] = (fd as RegExpMatchArray).map(Number);
    expect(FREQ_DROOP_DEFAULT).toEqual({
      dbOfMilliHz: milli(db),
      dbUfMilliHz: milli(db),
      kOfMicro: micro(k),
      kUfMicro: micro(k),
      responseMs: milli(tr),
    });
    const most = doc.match(
      /Cat I and II: db ([\d.]+) Hz, k ([\d.]+), response ([\d.]+) s; Cat III: db ([\d.]+) Hz,\s+k ([\d.]+), response ([\d.]+) s\. Largest: db ([\d.]+) Hz, k ([\d.]+), response ([\d.]+) s/,
    );
    expect(most).not.toBeNull();
    const [, db12, k12, t12, db3, k3, t3, dbMax, kMax, tMax] = (most as RegExpMatchArray).map(Number);
    for (const cat of ["I", "II"] as const) {
      expect(FREQ_DROOP_RANGE[cat]).toEqual({
        db: { min: milli(db12), max: milli(dbMax) },
        k: { min: micro(k12), max: micro(kMax) },
        responseMs: { min: milli(t12), max: milli(tMax) },
      });
    }
    expect(FREQ_DROOP_RANGE.III).toEqual({
      db: { min: milli(db3), max: milli(dbMax) },
      k: { min: micro(k3), max: micro(kMax) },
      responseMs: { min: milli(t3), max: milli(tMax) },
    });
    const es = doc.match(
      /Voltage within ([\d.]+)–([\d.]+) p\.u\. and frequency within ([\d.]+)–([\d.]+) Hz, for a delay of (\d+) s, then ramp up over (\d+) s/,
    );
    expect(es).not.toBeNull();
    const [, vMin, vMax, fMin, fMax, delay, ramp] = (es as RegExpMatchArray).map(Number);
    expect(ENTER_SERVICE_DEFAULT).toEqual({
      vMin: micro(vMin),
      vMax: micro(vMax),
      fMin: milli(fMin),
      fMax: milli(fMax),
      delayMs: milli(delay),
      rampMs: milli(ramp),
    });
  });

  it("the example settings file of the doc is valid and equals the Category II / B defaults", () => {
    const block = doc.split("```json")[1]?.split("```")[0];
    expect(block).toBeDefined();
    const shape = parseSettingsShape(JSON.parse(block as string));
    expect(shape.ok).toBe(true);
    if (!shape.ok) return;
    const r = resolveSettings(shape.file, { category: "II" });
    expect(r.violations).toEqual([]);
    const defaults = resolveSettings({ voltVar: {}, voltWatt: {} }, { category: "II" }).settings;
    expect(r.settings).toEqual(defaults);
  });
});
