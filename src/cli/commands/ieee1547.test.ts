import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../test-support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "plurigrid-ieee1547-"));
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

const check = (...args: string[]) => runCli(["ieee1547", "check", ...args]);

describe("plurigrid ieee1547 check", () => {
  it("the command docs/ieee1547.md starts with works and prints the documented answer", async () => {
    const doc = readFileSync("docs/ieee1547.md", "utf8");
    const first = doc.split("```sh")[1].split("```")[0].trim().split("\n")[0];
    expect(first.startsWith("npx plurigrid ieee1547 check")).toBe(true);
    const r = await runCli(first.replace(/^npx plurigrid /, "").split(/\s+/));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const a = JSON.parse(r.stdout);
    expect(a).toMatchObject({ valid: true, violations: [], category: "II" });
    // docs/examples/ieee1547-trace.json: a Category II DER trips 2 s into a sag to 0.68 p.u. (Table 15: mandatory
    // for 3 + 8.7 * 0.03 = 3.261 s) and re-enters 60 s after the voltage returned (Table 4: 300 s)
    expect(a.trace.compliant).toBe(false);
    expect(
      a.trace.violations.map((v: { code: string; clause: string; fromS: number }) => [
        v.code,
        v.clause,
        v.fromS,
      ]),
    ).toEqual([
      ["IEEE1547_TRIPPED_IN_RIDE_THROUGH", "6.4.2 (Table 15)", 3],
      ["IEEE1547_EARLY_REENTRY", "4.10 (Table 4)", 66],
    ]);
    expect(a.trace.instants[1]).toMatchObject({
      tS: 1,
      vPu: 0.68,
      region: "mandatory",
      rideThroughUntilS: 4.261,
      shallTripByS: 11,
    });
  });

  it("the settings file of ../shared/docs/ieee1547-2018.md is valid, with defaults filled in", async () => {
    const r = await check("--settings", "docs/examples/ieee1547-settings.json", "--format", "json");
    expect(r.code).toBe(0);
    const a = JSON.parse(r.stdout);
    expect(a.valid).toBe(true);
    expect(a.trace).toBeNull();
    expect(a.settings.trip.uv1).toEqual({ pu: 0.7, s: 10 });
    expect(a.settings.constantPf).toEqual({ pf: 1, excitation: "injecting" });
  });

  it("settings out of range: the answer lists them, and the command fails with the coded error (exit 1)", async () => {
    const path = file("bad-range.json", { category: "II", trip: { uv1: { s: 25 }, ov1: { pu: 1.25 } } });
    const r = await check("--settings", path, "--format", "json");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error IEEE1547_SETTING_OUT_OF_RANGE: .*trip\.ov1\.pu = 1\.25 is outside \[1\.1, 1\.2\].*Table 12.*1 more/,
    );
    const a = JSON.parse(r.stdout);
    expect(a.valid).toBe(false);
    // Table 12: OV1 pickup 1.10-1.20 p.u.; UV1 clearing time 2.0-21.0 s
    expect(a.violations).toEqual([
      expect.objectContaining({
        code: "IEEE1547_SETTING_OUT_OF_RANGE",
        setting: "trip.ov1.pu",
        value: 1.25,
        allowed: [1.1, 1.2],
      }),
      expect.objectContaining({
        code: "IEEE1547_SETTING_OUT_OF_RANGE",
        setting: "trip.uv1.s",
        value: 25,
        allowed: [2, 21],
      }),
    ]);
    const text = await check("--settings", path);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain("trip.uv1.s");
  });

  it("a bad settings file is a coded error, exit 1: not JSON, unknown key, no category, missing file", async () => {
    const cases: [string, RegExp][] = [
      [file("not-json.json", "{category: II"), /^error IEEE1547_SETTINGS_INVALID: .*not JSON/],
      [
        file("unknown-key.json", { category: "I", trip: { ov3: { pu: 1.3 } } }),
        /^error IEEE1547_SETTINGS_INVALID: settings trip\.ov3/,
      ],
      [file("no-category.json", { trip: {} }), /^error IEEE1547_SETTINGS_INVALID: settings category/],
      [join(dir, "missing.json"), /^error IEEE1547_FILE_NOT_FOUND/],
    ];
    for (const [path, message] of cases) {
      const r = await check("--settings", path, "--format", "json");
      expect(r.code, path).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe("");
    }
  });

  it("a bad trace is a coded error, and usage errors exit 2", async () => {
    const settings = file("ok.json", { category: "III" });
    const trace = file("trace.json", {
      samples: [
        { tS: 1, vPu: 1, fHz: 60, state: "on" },
        { tS: 0.5, vPu: 1, fHz: 60, state: "on" },
      ],
    });
    const r = await check("--settings", settings, "--trace", trace);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error IEEE1547_TRACE_INVALID: trace samples\.1/);
    expect((await check()).code).toBe(2);
    expect((await check("--settings", settings, "--format", "xml")).code).toBe(2);
  });
});
