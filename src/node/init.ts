/**
 * `plurigrid init`: a data folder with a chain database holding the genesis state. Without a genesis file it
 * writes a demo chain: the MATPOWER case33bw feeder (Baran & Wu 1989, 33 buses) as one microgrid, and four
 * funded participants whose key files go to DIR/keys/ (mode 0600).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalString } from "../core/canonical.js";
import { dataPath } from "../core/data.js";
import { PlurigridError } from "../core/errors.js";
import { accountIdOf, generateKeyPair, writeKeyFile } from "../core/keys.js";
import { readCase } from "../grid/matpower/index.js";
import { wallClockMs } from "./clock.js";
import { type GenesisDoc, genesisOf, refuseSimulationChain } from "./protocol-adapter.js";
import { Store } from "./store.js";

export const DB_FILE = "chain.sqlite";
export const GENESIS_FILE = "genesis.json";
export const KEYS_DIR = "keys";

export function dbPathOf(dataDir: string): string {
  return join(dataDir, DB_FILE);
}

export interface DemoAccount {
  name: string;
  account: string;
  keyFile: string;
  roles: string[];
}

export interface InitResult {
  dataDir: string;
  dbPath: string;
  chainId: string;
  stateRoot: string;
  genesisTimeMs: number;
  demoAccounts: DemoAccount[];
}

/** Starting balances of the demo accounts: 1,000,000 units of the settlement currency and of MATRIX. */
export const DEMO_BALANCE_MICROS = 1_000_000_000_000;
export const DEMO_CHAIN_ID = "plurigrid-demo-1";
const DEMO_PEOPLE: { name: string; roles: string[] }[] = [
  { name: "alice", roles: ["prosumer"] },
  { name: "bob", roles: ["consumer"] },
  { name: "carol", roles: ["producer"] },
  { name: "operator", roles: ["operator", "oracle"] },
];

function readGenesisFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new PlurigridError(
      "GENESIS_NOT_FOUND",
      `cannot read the genesis file ${path}: ${(e as Error).message}`,
      {
        path,
      },
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PlurigridError("GENESIS_INVALID", `${path} is not JSON: ${(e as Error).message}`, { path });
  }
}

/** The demo genesis document; writes the key files of its accounts into `keysDir`. */
export function demoGenesis(
  keysDir: string,
  genesisTimeMs: number,
): { doc: GenesisDoc; accounts: DemoAccount[] } {
  const casePath = dataPath("grid", "case33bw.m");
  const caseText = readFileSync(casePath, "utf8");
  const network = readCase(casePath);
  const busIds = Array.from(network.bus.id);
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  const accounts = DEMO_PEOPLE.map((p) => {
    const key = generateKeyPair();
    const keyFile = join(keysDir, `${p.name}.json`);
    writeKeyFile(keyFile, key);
    return { name: p.name, account: accountIdOf(key.publicKey), keyFile, roles: p.roles };
  });
  const doc = {
    chainId: DEMO_CHAIN_ID,
    genesisTimeMs,
    accounts: accounts.map((a) => ({
      id: a.account,
      micros: DEMO_BALANCE_MICROS,
      matrixMicros: DEMO_BALANCE_MICROS,
    })),
    participants: accounts.map((a) => ({ id: a.account, name: a.name, roles: a.roles })),
    network: { matpower: { text: caseText, name: "case33bw" } },
    microgrids: [{ id: "case33bw", name: "IEEE 33-bus feeder (Baran & Wu)", buses: busIds }],
  } as GenesisDoc;
  return { doc, accounts };
}

/** Creates the chain in `dataDir` (which may exist, but must not hold a chain already). */
export function initDataDir(
  dataDir: string,
  options: { genesisFile?: string; genesisDoc?: GenesisDoc } = {},
): InitResult {
  const dbPath = dbPathOf(dataDir);
  if (existsSync(dbPath)) {
    throw new PlurigridError(
      "NODE_DATA_EXISTS",
      `${dataDir} already holds a chain (${dbPath}); choose another folder`,
      {
        dataDir,
      },
    );
  }
  // Validate the genesis before anything is written (a demo genesis writes only its key files first).
  const given = options.genesisFile !== undefined ? readGenesisFile(options.genesisFile) : options.genesisDoc;
  if (given !== undefined) {
    genesisOf(given);
    refuseSimulationChain(given);
  }
  mkdirSync(dataDir, { recursive: true });
  const demo =
    given === undefined ? demoGenesis(join(dataDir, KEYS_DIR), Math.floor(wallClockMs())) : undefined;
  const doc = given ?? demo?.doc;
  const g = genesisOf(doc);
  const genesisJson = canonicalString(doc);
  writeFileSync(join(dataDir, GENESIS_FILE), `${JSON.stringify(doc, null, 2)}\n`);
  const store = Store.open(dbPath);
  try {
    store.initialize(
      { chainId: g.chainId, genesisJson, genesisStateRoot: g.stateRoot, genesisTimeMs: g.genesisTimeMs },
      g.changes,
    );
  } finally {
    store.close();
  }
  return {
    dataDir,
    dbPath,
    chainId: g.chainId,
    stateRoot: g.stateRoot,
    genesisTimeMs: g.genesisTimeMs,
    demoAccounts: demo?.accounts ?? [],
  };
}
