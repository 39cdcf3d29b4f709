import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { dataPath } from "../../core/data.js";
import { isPlurigridError } from "../../core/errors.js";
import { hashObject, sha256, toHex } from "../../core/hash.js";
import { parseMatpower } from "../../grid/matpower/parse.js";
import { describeData } from "../../test-support/data.js";
import { accountKey } from "../accounts/state.js";
import { CHAIN_KEY, PARAMS_KEY } from "../chain.js";
import { branchKey, busKey, NETWORK_KEY } from "../grid/state.js";
import { MemoryState } from "../memory-state.js";
import { stateRoot } from "../query.js";
import { derKey, microgridKey } from "../registry/state.js";
import {
  GENESIS_TIME_MS,
  genesisPv,
  idOf,
  TestChain,
  testGenesis,
  testKeys,
} from "../test-support/fixtures.js";
import { genesis } from "./genesis.js";
import type { GenesisDoc } from "./types.js";

const [operator, alice, meter1, meter2] = testKeys(4);
const utf8 = new TextDecoder();

function value(state: MemoryState, key: string): unknown {
  const bytes = state.get(key);
  return bytes === undefined ? undefined : JSON.parse(utf8.decode(bytes));
}

function invalidReason(doc: unknown): string {
  try {
    genesis(doc as GenesisDoc);
  } catch (e) {
    if (isPlurigridError(e, "GENESIS_INVALID")) return e.message;
    throw e;
  }
  throw new Error("genesis accepted the document");
}

const full = (): GenesisDoc =>
  testGenesis([operator, alice], 5_000, {
    participants: [
      { id: idOf(operator), name: "operator", roles: ["operator"] },
      { id: idOf(alice), name: "Alice", roles: ["prosumer"] },
    ],
    microgrids: [{ id: "mg-1", name: "west", buses: [1, 2, 3] }],
    ders: [genesisPv("pv-1", alice, meter1, 3)],
  });

describe("genesis", () => {
  it("writes params, the chain record, accounts, network, registry, and commits to them", () => {
    const doc = full();
    const g = genesis(doc);
    const state = new MemoryState(g.changes);
    expect(value(state, PARAMS_KEY)).toEqual({
      chainId: "plurigrid-test",
      genesisTimeMs: GENESIS_TIME_MS,
      genesisHash: toHex(hashObject("plurigrid/genesis", doc)),
      intervalMinutes: 15,
      meterReadingMaxAgeIntervals: 96,
    });
    expect(value(state, CHAIN_KEY)).toMatchObject({ height: 0, timeMs: GENESIS_TIME_MS });
    expect(value(state, accountKey(idOf(alice)))).toEqual({ micros: 5_000, matrixMicros: 5_000, nonce: 0 });
    expect(value(state, NETWORK_KEY)).toMatchObject({
      source: "list",
      busCount: 6,
      branchCount: 5,
      switchCount: 1,
    });
    expect(value(state, busKey(3))).toEqual({ index: 2, microgrid: "mg-1" });
    expect(value(state, microgridKey("mg-1"))).toMatchObject({ registeredBy: null, buses: [1, 2, 3] });
    expect(value(state, derKey("pv-1"))).toMatchObject({ owner: idOf(alice), deviceAccount: idOf(meter1) });
    expect(stateRoot(state)).toBe(g.stateRoot);
    // Sorted, each key once.
    const keys = g.changes.map(([k]) => k);
    expect(keys).toEqual([...new Set(keys)].sort());
  });

  it("is deterministic: the same document gives the same bytes; any change gives another root", () => {
    expect(genesis(full())).toEqual(genesis(full()));
    const other = { ...full(), genesisTimeMs: GENESIS_TIME_MS + 1 };
    expect(genesis(other).stateRoot).not.toBe(genesis(full()).stateRoot);
  });

  it("refuses broken documents with GENESIS_INVALID, naming what is wrong", () => {
    const doc = full();
    expect(invalidReason({ ...doc, chainId: "Has Spaces" })).toMatch(/chainId/);
    expect(
      invalidReason({ ...doc, accounts: [...(doc.accounts ?? []), { id: idOf(alice), micros: 1 }] }),
    ).toMatch(/twice/);
    expect(
      invalidReason({
        ...doc,
        accounts: [
          { id: idOf(operator), micros: Number.MAX_SAFE_INTEGER },
          { id: idOf(alice), micros: 1 },
        ],
      }),
    ).toMatch(/total supply/);
    expect(invalidReason({ ...doc, params: { intervalMinutes: 7 } })).toMatch(/1440/);
    expect(invalidReason({ ...doc, microgrids: [{ id: "m", name: "", buses: [1, 99] }] })).toMatch(/bus 99/);
    expect(
      invalidReason({
        ...doc,
        microgrids: [
          { id: "a", name: "", buses: [1, 2] },
          { id: "b", name: "", buses: [2, 3] },
        ],
      }),
    ).toMatch(/already belongs/);
    expect(invalidReason({ ...doc, ders: [genesisPv("pv-1", meter2, meter1, 3)] })).toMatch(
      /not a participant/,
    );
    expect(
      invalidReason({
        ...doc,
        ders: [genesisPv("pv-1", alice, meter1, 3), genesisPv("pv-2", alice, meter1, 4)],
      }),
    ).toMatch(/device key/);
    expect(invalidReason({ ...doc, network: { buses: [1, 1], branches: [] } })).toMatch(/twice/);
    expect(invalidReason({ ...doc, network: { buses: [1, 2], branches: [{ from: 1, to: 3 }] } })).toMatch(
      /bus 3/,
    );
    expect(
      invalidReason({ ...doc, network: { matpower: { text: "function mpc = x\nmpc.bus = [" } } }),
    ).toMatch(/MATPOWER/);
    expect(invalidReason({ ...doc, extra: true })).toBeTruthy();
  });
});

describeData("genesis from a MATPOWER case (case33bw)", () => {
  it("keeps the case's hash, every bus and every branch with its status", () => {
    const text = readFileSync(dataPath("grid", "case33bw.m"), "utf8");
    const net = parseMatpower(text);
    const doc: GenesisDoc = { ...testGenesis([operator]), network: { matpower: { text } } };
    const state = new MemoryState(genesis(doc).changes);
    expect(value(state, NETWORK_KEY)).toEqual({
      source: "matpower",
      name: net.name,
      caseSha256: toHex(sha256(new TextEncoder().encode(text))),
      busCount: net.bus.count,
      branchCount: net.branch.count,
      switchCount: net.switches.count,
    });
    for (let k = 0; k < net.branch.count; k++) {
      expect(value(state, branchKey(k))).toEqual({
        fromBus: net.bus.id[net.branch.from[k]],
        toBus: net.bus.id[net.branch.to[k]],
        inService: net.branch.status[k] === 1,
      });
    }
    for (let i = 0; i < net.bus.count; i++)
      expect(value(state, busKey(net.bus.id[i]))).toEqual({ index: i, microgrid: null });
    // Some tie lines of this feeder are open in the case: they start out of service.
    expect([...net.branch.status].some((s) => s === 0)).toBe(true);
    // A chain on it runs like any other.
    const chain = new TestChain(doc);
    expect(chain.block([]).results).toEqual([]);
  });
});
