import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { testScenario } from "../../sim/test-scenario.js";
import { runCli } from "../../test-support/cli.js";
import { describeData } from "../../test-support/data.js";

describeData("plurigrid sim", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "plurigrid-simcli-"));
    const { text } = testScenario({ durationHours: 2, events: [] });
    writeFileSync(join(dir, "s.yaml"), text);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("sim run writes every output, and verify and sim verify accept them", async () => {
    const out = join(dir, "out");
    const r = await runCli(["sim", "run", join(dir, "s.yaml"), "--out", out, "--quiet", "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout);
    expect(answer.manifest.resultHash).toMatch(/^[0-9a-f]{64}$/);
    for (const f of [
      "summary.json",
      "intervals.csv",
      "participants.csv",
      "manifest.json",
      "report.html",
      "scenario.yaml",
    ]) {
      expect(readFileSync(join(out, f)).length).toBeGreaterThan(0);
    }
    expect(readFileSync(join(out, "intervals.csv"), "utf8").trim().split("\n")).toHaveLength(1 + 8);
    const v = await runCli(["verify", "--data", join(out, "ledger"), "--threads", "0"]);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain(`verified ${answer.manifest.ledger.height} blocks`);
    const s = await runCli(["sim", "verify", out, "--quiet"]);
    expect(s.code).toBe(0);
    expect(s.stdout).toContain(`match: result ${answer.manifest.resultHash}`);
  }, 120_000);

  it("a bad scenario fails before the run with the field and exit code 1", async () => {
    writeFileSync(
      join(dir, "bad.yaml"),
      readFileSync(join(dir, "s.yaml"), "utf8").replace("bus: 15", "bus: 150"),
    );
    const r = await runCli(["sim", "run", join(dir, "bad.yaml"), "--out", join(dir, "bad"), "--quiet"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("SIM_UNKNOWN_BUS");
    expect(r.stderr).toContain("participants[4].bus");
  });

  it("without the data folder it stops at once and says where it looked", async () => {
    const before = process.env.PLURIGRID_DATA;
    process.env.PLURIGRID_DATA = join(dir, "no-data-here");
    try {
      const r = await runCli(["sim", "run", "--quiet", "--out", join(dir, "never")]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("DATA_MISSING");
      expect(r.stderr).toContain(join(dir, "no-data-here"));
    } finally {
      if (before === undefined) delete process.env.PLURIGRID_DATA;
      else process.env.PLURIGRID_DATA = before;
    }
  });
});
