import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Store } from "../node/store.js";
import { LedgerWriter } from "./ledger-writer.js";

const meta = {
  chainId: "sim-writer-test",
  genesisJson: "{}",
  genesisStateRoot: "0".repeat(64),
  genesisTimeMs: 0,
};
const enc = (s: string) => new TextEncoder().encode(s);

function block(height: number) {
  return {
    header: { chainId: meta.chainId, height, prevHash: "0".repeat(64), time: height * 1000 },
    hash: height.toString(16).padStart(64, "0"),
    txs: [enc(`tx-${height}`)],
    txHashes: [height.toString(16).padStart(64, "a")],
    results: [{ ok: true as const, txHash: height.toString(16).padStart(64, "a"), events: [] }],
    changes: [[`k/${height}`, enc(`v${height}`)] as [string, Uint8Array]],
  };
}

describe("the run's ledger writer thread", () => {
  const dir = mkdtempSync(join(tmpdir(), "plurigrid-writer-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes every block handed over, in order, across days, before close returns", () => {
    const path = join(dir, "chain.sqlite");
    const w = new LedgerWriter(path, meta, [["g", enc("genesis")]]);
    // More blocks than the writer may lag behind: the hand-over waits instead of queueing without bound.
    for (let h = 1; h <= 600; h++) w.write(Math.floor(h / 100), block(h) as never);
    w.close();
    expect(w.busyMs).toBeGreaterThan(0);
    const store = Store.open(path, { readonly: true });
    try {
      expect(store.database.prepare("SELECT count(*) FROM blocks").pluck().get()).toBe(600);
      expect(store.database.prepare("SELECT max(height) FROM blocks").pluck().get()).toBe(600);
      expect(store.database.prepare("SELECT count(*) FROM state").pluck().get()).toBe(601);
    } finally {
      store.close();
    }
  });

  it("reports a store it cannot write as SIM_LEDGER_WRITE instead of losing the blocks silently", () => {
    const path = join(dir, "a-directory");
    mkdirSync(path);
    const w = new LedgerWriter(path, meta, []);
    let error: unknown;
    try {
      for (let h = 1; h <= 5; h++) w.write(0, block(h) as never);
      w.close();
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "SIM_LEDGER_WRITE" });
    expect(String((error as Error).message)).toMatch(/STORE_OPEN/);
  });
});
