import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dataPath } from "../../core/data.js";
import { runCli } from "../../test-support/cli.js";
import { describeData } from "../../test-support/data.js";

const dir = mkdtempSync(join(tmpdir(), "plurigrid-sun-"));
let files = 0;
function pointsFile(content: unknown): string {
  const path = join(dir, `points-${files++}.json`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

// biome-ignore lint/suspicious/noExplicitAny: reference JSON read from the shared data
const readJson = (name: string): any => JSON.parse(readFileSync(dataPath("solar", name), "utf8"));
const utc = (iso: string) => new Date(Date.parse(iso)).toISOString();

const GOLDEN = {
  utc: "2003-10-17T19:30:30Z",
  latitude: 39.742476,
  longitude: -105.1786,
  elevationM: 1830.14,
  pressureMbar: 820,
  temperatureC: 11,
  deltaT: 67,
};

describeData("plurigrid sun against the SPA reference data", () => {
  const spa = readJson("spa_reference_nrel_2003-10-17.json");
  const pvlib = readJson("solar_position_reference_pvlib.json");
  const cases = pvlib.cases.filter((c: { id: string }) => c.id.startsWith("golden_"));

  it("--format json answers NREL's example and pvlib's Golden cases within 1e-4 degrees, in order", async () => {
    const i = spa.inputs;
    const points = [
      {
        utc: i.utc_datetime,
        latitude: i.latitude_deg,
        longitude: i.longitude_deg,
        elevationM: i.elevation_m,
        pressureMbar: i.pressure_mbar,
        temperatureC: i.temperature_C,
        deltaT: i.delta_t_s,
      },
      ...cases.map((c: { inputs: Record<string, number & string> }) => ({
        utc: utc(c.inputs.datetime),
        latitude: c.inputs.latitude,
        longitude: c.inputs.longitude,
        elevationM: c.inputs.elevation_m,
        pressureMbar: c.inputs.pressure_Pa / 100,
        temperatureC: c.inputs.temperature_C,
        deltaT: c.inputs.delta_t_s,
      })),
    ];
    const r = await runCli(["sun", "--input", pointsFile(points), "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { zenith: number; apparentZenith: number; azimuth: number }[];
    expect(out).toHaveLength(points.length);
    for (const a of out) expect(Object.keys(a).sort()).toEqual(["apparentZenith", "azimuth", "zenith"]);
    const iv = spa.intermediate_values_pvlib_test_spa;
    expect(Math.abs(out[0].zenith - iv.theta0_zenith_without_refraction_deg)).toBeLessThan(1e-4);
    expect(Math.abs(out[0].apparentZenith - spa.expected_outputs.topocentric_zenith_deg)).toBeLessThan(1e-4);
    expect(
      Math.abs(out[0].azimuth - spa.expected_outputs.topocentric_azimuth_deg_eastward_from_north),
    ).toBeLessThan(1e-4);
    cases.forEach((c: { expected: Record<string, number> }, k: number) => {
      const a = out[k + 1];
      expect(Math.abs(a.zenith - (90 - c.expected.elevation))).toBeLessThan(1e-4);
      expect(Math.abs(a.apparentZenith - c.expected.apparent_zenith)).toBeLessThan(1e-4);
      expect(Math.abs(a.azimuth - c.expected.azimuth)).toBeLessThan(1e-4);
    });
  });

  it("text format prints one row per point with the same angles to 6 decimals", async () => {
    const r = await runCli(["sun", "--input", pointsFile([GOLDEN, { ...GOLDEN, deltaT: 0 }])]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/utc\s+latitude\s+longitude\s+zenith\s+apparent zenith\s+azimuth/);
    expect(lines[2]).toContain(spa.expected_outputs.topocentric_azimuth_deg_eastward_from_north.toFixed(6));
    expect(lines[2]).toContain(spa.expected_outputs.topocentric_zenith_deg.toFixed(6));
  });
});

describe("plurigrid sun input errors", () => {
  async function fails(content: unknown) {
    const r = await runCli(["sun", "--input", pointsFile(content), "--format", "json"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    return r.stderr;
  }

  it("names the point and the field of a bad value", async () => {
    expect(await fails([GOLDEN, { ...GOLDEN, latitude: 91 }])).toMatch(
      /^error SUN_INPUT_INVALID: point 1, field "latitude"/,
    );
    expect(await fails([{ ...GOLDEN, deltaT: "67" }])).toMatch(/point 0, field "deltaT"/);
    expect(await fails([{ ...GOLDEN, pressureMbar: undefined }])).toMatch(/point 0, field "pressureMbar"/);
    expect(await fails([GOLDEN, GOLDEN, { ...GOLDEN, utc: "2003-10-17 19:30:30" }])).toMatch(
      /point 2, field "utc"/,
    );
    expect(await fails([{ ...GOLDEN, utc: "2003-02-30T00:00:00Z" }])).toMatch(/point 0, field "utc"/);
    expect(await fails([{ ...GOLDEN, longitud: 1 }])).toMatch(/point 0, field "longitud"/);
    expect(await fails([{ ...GOLDEN, utc: "6002-01-01T00:00:00Z" }])).toMatch(
      /point 0, field "utc".*outside/,
    );
    expect(await fails([null])).toMatch(/point 0/);
  });

  it("refuses a file that is not a JSON array", async () => {
    expect(await fails(GOLDEN)).toMatch(/^error SUN_INPUT_INVALID: the input: expected a JSON array/);
    expect(await fails("[{")).toMatch(/^error SUN_INPUT_INVALID: .* is not JSON/);
  });

  it("a missing file is SUN_INPUT_NOT_FOUND; a missing --input is a usage error", async () => {
    const r = await runCli(["sun", "--input", join(dir, "nope.json")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error SUN_INPUT_NOT_FOUND: /);
    expect((await runCli(["sun"])).code).toBe(2);
  });

  it("an empty array gives an empty answer", async () => {
    const r = await runCli(["sun", "--input", pointsFile([]), "--format", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });
});
