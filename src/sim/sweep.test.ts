import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeData } from "../test-support/data.js";
import { grid, parseParam, setPath, sweep, type VariantResult } from "./sweep.js";
import { testScenarioInput } from "./test-scenario.js";

describe("sweep parameters", () => {
  it("parses KEY=V1,V2 as YAML scalars and refuses what is not a path", () => {
    expect(parseParam("market.kPpm=250000,750000")).toEqual({ key: "market.kPpm", values: [250000, 750000] });
    expect(parseParam("ledger=true,false").values).toEqual([true, false]);
    expect(() => parseParam("nokey")).toThrow(/KEY=V1/);
    expect(() => parseParam("a..b=1")).toThrow(/dotted path/);
  });

  it("builds every combination, first parameter slowest", () => {
    const g = grid([parseParam("a=1,2"), parseParam("b=x,y,z")]);
    expect(g).toHaveLength(6);
    expect(g[0]).toEqual({ a: 1, b: "x" });
    expect(g[3]).toEqual({ a: 2, b: "x" });
  });

  it("sets a dotted path on a copy", () => {
    const input = { market: { kPpm: 1 }, participants: [{ pv: { ratingW: 5 } }] };
    expect(setPath(input, "participants.0.pv.ratingW", 7)).toEqual({
      market: { kPpm: 1 },
      participants: [{ pv: { ratingW: 7 } }],
    });
    expect(input.participants[0].pv.ratingW).toBe(5);
    expect(() => setPath(input, "network.case", "x")).toThrow(/no network/);
  });
});

describeData("a sweep over seeds and the k of k-pricing", () => {
  let dir: string;
  let results: VariantResult[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "plurigrid-sweep-"));
    const input = { ...testScenarioInput({ durationHours: 1, events: [] }), market: {} };
    results = await sweep(input, [parseParam("seed=1,2"), parseParam("market.kPpm=0,1000000")], dir, 0);
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs every variant and writes one comparison table", () => {
    expect(results.map((r) => r.params)).toEqual([
      { seed: 1, "market.kPpm": 0 },
      { seed: 1, "market.kPpm": 1000000 },
      { seed: 2, "market.kPpm": 0 },
      { seed: 2, "market.kPpm": 1000000 },
    ]);
    expect(new Set(results.map((r) => r.resultHash)).size).toBe(4);
    const csv = readFileSync(join(dir, "comparison.csv"), "utf8").trim().split("\n");
    expect(csv).toHaveLength(5);
    expect(csv[0].split(",").slice(0, 3)).toEqual(["variant", "seed", "market.kPpm"]);
    const json = JSON.parse(readFileSync(join(dir, "comparison.json"), "utf8"));
    expect(json.variants.map((v: { resultHash: string }) => v.resultHash)).toEqual(
      results.map((r) => r.resultHash),
    );
    expect(readFileSync(join(dir, "comparison.html"), "utf8")).toContain("variant-3/report.html");
  });
});
