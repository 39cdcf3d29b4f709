import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../core/data.js";
import { toHex } from "../core/hash.js";
import { intervalOf } from "../core/time.js";
import type { GenesisDoc } from "./genesis/types.js";
import { MemoryState } from "./memory-state.js";
import { treeUpdates, updateTree } from "./smt/update.js";
import { genesisPv, idOf, signed, TestChain, testGenesis, testKeys } from "./test-support/fixtures.js";
import { buildWorkload, workloadArb } from "./test-support/workload.js";

const keys = testKeys(6);
const [operator, alice, , , meter] = keys;

const doc: GenesisDoc = testGenesis(keys.slice(0, 4), 500_000, {
  participants: [
    { id: idOf(operator), name: "operator", roles: ["operator"] },
    { id: idOf(alice), name: "Alice", roles: ["prosumer"] },
  ],
  microgrids: [{ id: "mg-1", name: "west", buses: [1, 2, 3] }],
  ders: [genesisPv("pv-1", alice, meter, 2)],
});

/** A first block that touches every module, so that determinism covers more than transfers. */
function moduleBlock(): Uint8Array[] {
  return [
    signed(keys[2], "RegisterParticipant", 0, { name: "Bob", roles: ["producer"] }).bytes,
    signed(meter, "SubmitMeterReading", 0, {
      der: "pv-1",
      interval: intervalOf(doc.genesisTimeMs, 15) - 1,
      energyWh: 1_234,
    }).bytes,
    signed(operator, "ReportGridEvent", 0, { event: { kind: "branch_outage", branch: 3 }, observedAtMs: 1 })
      .bytes,
    signed(operator, "RegisterMicrogrid", 1, { id: "mg-2", name: "east", buses: [4, 5] }).bytes,
    signed(meter, "ReportGridEvent", 1, {
      event: { kind: "islanding", microgrid: "mg-1", islanded: true },
      observedAtMs: 1,
    }).bytes,
  ];
}

function run(blocks: Uint8Array[][]): { chain: TestChain; roots: string[]; codes: string[][] } {
  const chain = new TestChain(doc);
  const roots: string[] = [];
  const codes: string[][] = [];
  for (const txs of blocks) {
    const r = chain.block(txs);
    roots.push(r.stateRoot);
    codes.push(r.results.map((x) => (x.ok ? "ok" : x.code)));
  }
  return { chain, roots, codes };
}

/** The root of the application rows of a state, built from nothing. */
function rebuiltRoot(state: MemoryState): string {
  const rows = state.entries().filter(([k]) => !k.startsWith("smt/"));
  return updateTree(new MemoryState(), treeUpdates(rows)).root;
}

describe("determinism", () => {
  it("the same transactions give the same roots, results and rows; the incremental root equals a rebuild", () => {
    fc.assert(
      fc.property(workloadArb(keys.length, 4, 12), (ops) => {
        const blocks = [moduleBlock(), ...buildWorkload(keys, ops)];
        const a = run(blocks);
        const b = run(blocks);
        expect(b.roots).toEqual(a.roots);
        expect(b.codes).toEqual(a.codes);
        expect(b.chain.state.entries()).toEqual(a.chain.state.entries());
        expect(rebuiltRoot(a.chain.state)).toBe(a.chain.root);
      }),
      { numRuns: 200 },
    );
  });

  it("a freshly started process replays to the same roots (a handful of seeds)", () => {
    const tsx = resolve(projectRoot(), "node_modules", ".bin", "tsx");
    const child = resolve(fileURLToPath(new URL(".", import.meta.url)), "test-support", "replay-child.ts");
    for (const seed of [1, 7, 42, 2024]) {
      const [ops] = fc.sample(workloadArb(keys.length, 5, 15), { seed, numRuns: 1 });
      const blocks = [moduleBlock(), ...buildWorkload(keys, ops)];
      const here = run(blocks);
      expect(here.codes[0]).toEqual(["ok", "ok", "ok", "ok", "ok"]);
      const times = blocks.map((_, i) => doc.genesisTimeMs + 1000 * (i + 1));
      const input = JSON.stringify({
        doc,
        blocks: blocks.map((txs, i) => ({ time: times[i], txs: txs.map((t) => toHex(t)) })),
      });
      const out = spawnSync(tsx, [child], { input, encoding: "utf8", timeout: 60_000 });
      expect(out.status, out.stderr).toBe(0);
      const there = JSON.parse(out.stdout) as { roots: string[]; codes: string[][] };
      expect(there.roots).toEqual(here.roots);
      expect(there.codes).toEqual(here.codes);
    }
  });
});
