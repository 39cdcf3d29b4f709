import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeData } from "../test-support/data.js";
import { FILES } from "./output.js";
import { type SimulateResult, simulateScenario, verifyRunDir } from "./simulate.js";
import { testScenario } from "./test-scenario.js";

const short = {
  durationHours: 3,
  events: [
    { at: "2016-07-06T13:00:00Z", kind: "branch_outage" as const, from: 6, to: 26 },
    { at: "2016-07-06T14:00:00Z", kind: "branch_restoration" as const, from: 6, to: 26 },
    { at: "2016-07-06T12:00:00Z", kind: "meter_tamper" as const, participant: "hh-1", attack: "h3" as const },
  ],
};

describeData("reproducible runs: manifest, result hash, sim verify", () => {
  let dir: string;
  let first: SimulateResult;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "plurigrid-simrun-"));
    const { scenario, text } = testScenario(short);
    first = await simulateScenario(scenario, text, {
      outDir: join(dir, "a"),
      progress: false,
      report: false,
    });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("the same scenario and seed give a byte-identical summary and the same result hash", async () => {
    const { scenario, text } = testScenario(short);
    const second = await simulateScenario(scenario, text, {
      outDir: join(dir, "b"),
      progress: false,
      report: false,
      ledger: false,
    });
    const a = readFileSync(join(dir, "a", FILES.summary));
    const b = readFileSync(join(dir, "b", FILES.summary));
    expect(Buffer.compare(a, b)).toBe(0);
    expect(readFileSync(join(dir, "b", FILES.intervals), "utf8")).toBe(
      readFileSync(join(dir, "a", FILES.intervals), "utf8"),
    );
    expect(second.manifest.resultHash).toBe(first.manifest.resultHash);
  }, 120_000);

  it("a different seed gives a different result hash", async () => {
    const { scenario, text } = testScenario({ ...short, seed: 12 });
    const other = await simulateScenario(scenario, text, {
      outDir: join(dir, "c"),
      progress: false,
      report: false,
      ledger: false,
    });
    expect(other.manifest.resultHash).not.toBe(first.manifest.resultHash);
    expect(other.manifest.scenarioHash).not.toBe(first.manifest.scenarioHash);
  }, 120_000);

  it("the manifest names scenario hash, code version, seed and the hashes of the outputs", () => {
    const m = JSON.parse(readFileSync(join(dir, "a", FILES.manifest), "utf8"));
    expect(m.seed).toBe(11);
    expect(m.scenarioHash).toMatch(/^[0-9a-f]{64}$/);
    expect(m.resultHash).toMatch(/^[0-9a-f]{64}$/);
    expect(typeof m.codeVersion.package).toBe("string");
    expect(Object.keys(m.files).sort()).toEqual([FILES.intervals, FILES.participants, FILES.summary].sort());
  });

  it("sim verify re-runs the folder and matches; a changed manifest does not", async () => {
    const ok = await verifyRunDir(join(dir, "a"), { progress: false });
    expect(ok.ok).toBe(true);
    expect(ok.actual).toBe(first.manifest.resultHash);
    const path = join(dir, "a", FILES.manifest);
    const m = JSON.parse(readFileSync(path, "utf8"));
    writeFileSync(path, JSON.stringify({ ...m, resultHash: "0".repeat(64) }));
    const bad = await verifyRunDir(join(dir, "a"), { progress: false });
    expect(bad.ok).toBe(false);
    expect(bad.actual).toBe(first.manifest.resultHash);
  }, 120_000);
});
