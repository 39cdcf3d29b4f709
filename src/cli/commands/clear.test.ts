import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../core/data.js";
import { readCase } from "../../grid/matpower/index.js";
import { clear } from "../../market/clear.js";
import { parseMarketFile } from "../../market/file.js";
import { runCli } from "../../test-support/cli.js";
import { describeData } from "../../test-support/data.js";
import { resolveCasePath } from "../case-arg.js";

const dir = mkdtempSync(join(tmpdir(), "plurigrid-clear-"));
function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
  return p;
}

const example = join(projectRoot(), "docs", "examples", "market.json");

describe("plurigrid clear", () => {
  it("answers with exactly the contract's fields, equal to the library's clearing", async () => {
    const r = await runCli(["clear", example, "--format", "json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).sort()).toEqual(["intents", "prices", "status", "welfare"]);
    expect(Object.keys(out.prices)).toEqual(["uniform"]);
    for (const o of out.intents) expect(Object.keys(o)).toEqual(["id", "filledWh", "price"]);
    const file = parseMarketFile(readFileSync(example, "utf8"));
    const lib = await clear(file.orders, { intervalMinutes: file.intervalMinutes });
    expect(out.status).toBe(lib.status);
    expect(out.welfare).toBe(lib.welfare);
    expect(out.intents).toEqual(lib.intents.map((o) => ({ id: o.id, filledWh: o.filledWh, price: o.price })));
  });

  it("gives pay-as-bid prices (each intent's own limit) and no uniform price", async () => {
    const r = await runCli(["clear", example, "--rule", "pay-as-bid", "--format", "json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.prices.uniform).toBeUndefined();
    const orders = parseMarketFile(readFileSync(example, "utf8")).orders;
    out.intents.forEach((o: { filledWh: number; price: number | null }, i: number) => {
      expect(o.price).toBe(o.filledWh > 0 ? orders[i].limitPrice : null);
    });
  });

  it("keeps the answer to the contract's fields when the clearing has something to say (stderr)", async () => {
    // An all-or-none buyer below the marginal seller: no uniform price covers both, so pay-as-bid.
    const path = file("aon.json", {
      intents: [
        { id: "b1", side: "buy", quantityWh: 100, limitPrice: 300 },
        { id: "b2", side: "buy", quantityWh: 100, limitPrice: 200, minFillWh: 100 },
        { id: "s1", side: "sell", quantityWh: 150, limitPrice: 100 },
        { id: "s2", side: "sell", quantityWh: 100, limitPrice: 250 },
      ],
    });
    const r = await runCli(["clear", path, "--format", "json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).sort()).toEqual(["intents", "prices", "status", "welfare"]);
    expect(r.stderr).toContain("note: no uniform price");
  });

  it("reports empty markets as a status with exit 0", async () => {
    const r = await runCli(["clear", file("empty.json", { intents: [] }), "--format", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ status: "empty", welfare: 0, prices: {}, intents: [] });
  });

  it("rejects malformed files, missing files and bad options with coded errors", async () => {
    const notJson = await runCli(["clear", file("bad.json", "{nope"), "--format", "json"]);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain("error MARKET_FILE_INVALID");
    const badField = await runCli([
      "clear",
      file("bad2.json", { intents: [{ id: "a", side: "buy", quantityWh: -5, limitPrice: 1 }] }),
    ]);
    expect(badField.code).toBe(1);
    expect(badField.stderr).toContain("error MARKET_FILE_INVALID");
    expect(badField.stderr).toContain("intents.0.quantityWh");
    const missing = await runCli(["clear", join(dir, "nothing.json")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("error MARKET_FILE_NOT_FOUND");
    const dup = await runCli([
      "clear",
      file("dup.json", {
        intents: [
          { id: "a", side: "buy", quantityWh: 5, limitPrice: 1 },
          { id: "a", side: "sell", quantityWh: 5, limitPrice: 1 },
        ],
      }),
    ]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain("error MARKET_DUPLICATE_ID");
    expect((await runCli(["clear", example, "--rule", "dutch"])).code).toBe(2);
    const k = await runCli(["clear", example, "--k", "3"]);
    expect(k.code).toBe(1);
    expect(k.stderr).toContain("error MARKET_BAD_OPTION");
  });
});

describeData("plurigrid clear --network", () => {
  it("gives one LMP per bus of the case and needs a bus of the case for every intent", async () => {
    const r = await runCli(["clear", example, "--network", "case9", "--format", "json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const net = readCase(resolveCasePath("case9"));
    expect(out.prices.buses.map((b: { id: number }) => b.id)).toEqual(Array.from(net.bus.id));
    for (const b of out.prices.buses) expect(Object.keys(b)).toEqual(["id", "lmp"]);
    const off = await runCli([
      "clear",
      file("offgrid.json", {
        intents: [
          { id: "a", side: "buy", quantityWh: 5, limitPrice: 1, bus: 999 },
          { id: "b", side: "sell", quantityWh: 5, limitPrice: 1, bus: 1 },
        ],
      }),
      "--network",
      "case9",
    ]);
    expect(off.code).toBe(1);
    expect(off.stderr).toContain("error MARKET_UNKNOWN_BUS");
  });
});
