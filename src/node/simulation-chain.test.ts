import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalString } from "../core/canonical.js";
import { hashTagged } from "../core/hash.js";
import { accountIdOf, type KeyPair } from "../core/keys.js";
import { createSignedTx, type GenesisDoc } from "../protocol/index.js";
import { dbPathOf, initDataDir } from "./init.js";
import { Node } from "./node.js";
import { applyBlockTxs, blockHashOf, genesisOf, txHashOf, txRootOf } from "./protocol-adapter.js";
import { CommittedState } from "./state-view.js";
import { Store } from "./store.js";
import { testGenesisDoc } from "./testing/fixtures.js";
import { verifyChain } from "./verify.js";

/**
 * A simulation chain (genesis params.signatureScheme "sim-digest", chain id "sim-…"): `plurigrid verify`
 * replays it and still catches a changed signature; a node refuses to serve it.
 */

const CHAIN = "sim-node-test";
const BLOCKS = 4;
const utf8 = new TextEncoder();

function simKey(i: number): KeyPair {
  const secretKey = hashTagged("node-test/sim-key", utf8.encode(String(i)));
  return { secretKey, publicKey: hashTagged("node-test/sim-public-key", secretKey) };
}

function simDoc(keys: KeyPair[]): GenesisDoc {
  return { ...testGenesisDoc(keys, CHAIN), params: { signatureScheme: "sim-digest" } } as GenesisDoc;
}

function transfer(from: KeyPair, to: KeyPair, nonce: number): Uint8Array {
  return createSignedTx(
    from,
    {
      chainId: CHAIN,
      type: "Transfer",
      nonce,
      body: { to: accountIdOf(to.publicKey), amount: 1, asset: "micros" },
    },
    "sim-digest",
  ).bytes;
}

/** A new store at `path` holding the simulation chain's genesis. */
function openAtGenesis(path: string, keys: KeyPair[]): Store {
  const doc = simDoc(keys);
  const g = genesisOf(doc);
  const store = Store.open(path);
  store.initialize(
    {
      chainId: CHAIN,
      genesisJson: canonicalString(doc),
      genesisStateRoot: g.stateRoot,
      genesisTimeMs: g.genesisTimeMs,
    },
    g.changes,
  );
  return store;
}

/** Appends one block of `txs` with the verdicts the producer claims (none: the protocol checks itself). */
function appendBlock(store: Store, txs: Uint8Array[], verdicts?: boolean[]): void {
  const head = store.head();
  const partial = { chainId: CHAIN, height: head.height + 1, prevHash: head.hash, time: head.timeMs + 1000 };
  const result = applyBlockTxs(new CommittedState(store), partial, txs, verdicts);
  const header = { ...partial, txRoot: txRootOf(txs), stateRoot: result.stateRoot };
  store.commitBlock({
    header,
    hash: blockHashOf(header),
    txs,
    txHashes: txs.map(txHashOf),
    results: result.results,
    changes: result.changes,
  });
}

describe("a simulation chain (sim-digest)", () => {
  let work: string;
  let dbPath: string;
  const keys = [simKey(0), simKey(1), simKey(2)];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "plurigrid-simchain-"));
    dbPath = join(work, "chain.sqlite");
    expect(genesisOf(simDoc(keys)).signatureScheme).toBe("sim-digest");
    const store = openAtGenesis(dbPath, keys);
    for (let h = 0; h < BLOCKS; h++)
      appendBlock(store, [transfer(keys[0], keys[1], h), transfer(keys[1], keys[2], h)]);
    expect(store.head().height).toBe(BLOCKS);
    store.close();
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("verifies with and without worker threads", async () => {
    for (const threads of [0, 2]) {
      expect(await verifyChain(dbPath, { threads })).toMatchObject({
        ok: true,
        height: BLOCKS,
        txCount: 2 * BLOCKS,
      });
    }
  });

  it("catches a producer that accepted a changed signature", async () => {
    const path = join(work, "forged.sqlite");
    const store = openAtGenesis(path, keys);
    appendBlock(store, [transfer(keys[0], keys[1], 0)]);
    const text = new TextDecoder().decode(transfer(keys[0], keys[1], 1));
    const at = text.indexOf('"signature":"') + 13;
    const forged = utf8.encode(text.slice(0, at) + (text[at] === "a" ? "b" : "a") + text.slice(at + 1));
    appendBlock(store, [forged], [true]);
    store.close();
    for (const threads of [0, 2]) {
      const outcome = await verifyChain(path, { threads });
      expect(outcome).toMatchObject({ ok: false, height: 2 });
      expect(outcome.ok ? "" : outcome.what).toMatch(/TX_BAD_SIGNATURE/);
    }
  });

  it("is refused by a node (NODE_SIMULATION_CHAIN), which leaves the chain as it was", () => {
    expect(() => new Node({ dbPath, autoProduce: false })).toThrow(
      expect.objectContaining({ code: "NODE_SIMULATION_CHAIN" }),
    );
    const store = Store.open(dbPath, { readonly: true });
    expect(store.head().height).toBe(BLOCKS);
    store.close();
  });

  it("is refused by init before anything is written", () => {
    const dir = join(work, "init");
    expect(() => initDataDir(dir, { genesisDoc: simDoc(keys) })).toThrow(
      expect.objectContaining({ code: "NODE_SIMULATION_CHAIN" }),
    );
    expect(existsSync(dbPathOf(dir))).toBe(false);
  });
});
