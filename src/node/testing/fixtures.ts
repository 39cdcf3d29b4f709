/**
 * Fixtures for the node's tests and benchmarks: temporary data folders with a genesis of many funded
 * accounts whose keys are pure functions of their index (so a failure reproduces), and signed transfers.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256 } from "../../core/hash.js";
import { accountIdOf, type KeyPair, keyFromSeed } from "../../core/keys.js";
import { createSignedTx, type GenesisDoc } from "../../protocol/index.js";
import { dbPathOf, initDataDir } from "../init.js";

export const TEST_CHAIN_ID = "plurigrid-node-test";
/** 2025-01-01T00:00:00Z. */
export const TEST_GENESIS_TIME_MS = 1_735_689_600_000;
export const TEST_BALANCE = 1_000_000_000_000;

const utf8 = new TextEncoder();

export function nodeTestKey(i: number): KeyPair {
  return keyFromSeed(sha256(utf8.encode(`plurigrid node test key ${i}`)));
}

export function testGenesisDoc(keys: readonly KeyPair[], chainId = TEST_CHAIN_ID): GenesisDoc {
  return {
    chainId,
    genesisTimeMs: TEST_GENESIS_TIME_MS,
    accounts: keys.map((k) => ({
      id: accountIdOf(k.publicKey),
      micros: TEST_BALANCE,
      matrixMicros: TEST_BALANCE,
    })),
    network: { name: "two-bus", buses: [1, 2], branches: [{ from: 1, to: 2 }] },
  } as GenesisDoc;
}

export interface TestChain {
  dir: string;
  dbPath: string;
  keys: KeyPair[];
  chainId: string;
  remove(): void;
}

/** A fresh data folder (under the OS temp dir) holding a chain with `accounts` funded test accounts. */
export function makeTestChain(accounts: number, prefix = "plurigrid-node-"): TestChain {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const keys = Array.from({ length: accounts }, (_, i) => nodeTestKey(i));
  const r = initDataDir(dir, { genesisDoc: testGenesisDoc(keys) });
  return {
    dir,
    dbPath: dbPathOf(dir),
    keys,
    chainId: r.chainId,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A signed transfer of `amount` micros from `from` to `to`. */
export function transfer(from: KeyPair, to: KeyPair, nonce: number, amount = 1, chainId = TEST_CHAIN_ID) {
  return createSignedTx(from, {
    chainId,
    type: "Transfer",
    nonce,
    body: { to: accountIdOf(to.publicKey), amount, asset: "micros" },
  });
}
