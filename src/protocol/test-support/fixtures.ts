import { encodeCanonical } from "../../core/canonical.js";
import { sha256, toHex } from "../../core/hash.js";
import { type AccountId, accountIdOf, type KeyPair, keyFromSeed, sign } from "../../core/keys.js";
import { applyBlock, blockHash } from "../block.js";
import { ZERO_HASH_HEX } from "../chain.js";
import { signingHash } from "../envelope.js";
import { genesis } from "../genesis/genesis.js";
import type { GenesisDoc } from "../genesis/types.js";
import { MemoryState } from "../memory-state.js";
import type { ApplyBlockOptions, BlockHeader, BlockResult } from "../seam.js";
import { createSignedTx } from "../sign.js";
import type { TxBodyInputs, TxType } from "../tx-types.js";

/** Deterministic fixtures for the protocol's tests, the child-process determinism check and the benchmark. */

export const CHAIN_ID = "plurigrid-test";
/** 2024-06-01T00:00:00Z. */
export const GENESIS_TIME_MS = 1_717_200_000_000;
export const BLOCK_INTERVAL_MS = 1000;

const utf8 = new TextEncoder();

/** The i-th test key: a pure function of i. */
export function testKey(i: number): KeyPair {
  return keyFromSeed(sha256(utf8.encode(`plurigrid test key ${i}`)));
}

export function testKeys(n: number): KeyPair[] {
  return Array.from({ length: n }, (_, i) => testKey(i));
}

export const idOf = (key: KeyPair): AccountId => accountIdOf(key.publicKey);

/** A six-bus network with a ring closed by an open switch: buses 1..6, branches 0..4, switch 0. */
export const SMALL_NETWORK = {
  name: "six-bus",
  buses: [1, 2, 3, 4, 5, 6],
  branches: [
    { from: 1, to: 2 },
    { from: 2, to: 3 },
    { from: 3, to: 4 },
    { from: 4, to: 5 },
    { from: 5, to: 6 },
  ],
  switches: [{ from: 6, to: 1, closed: false }],
};

/** A genesis with `funded` keys holding `micros` and `matrixMicros` each; key 0 is an operator. */
export function testGenesis(
  funded: KeyPair[],
  balance = 1_000_000,
  extra: Partial<GenesisDoc> = {},
): GenesisDoc {
  return {
    chainId: CHAIN_ID,
    genesisTimeMs: GENESIS_TIME_MS,
    accounts: funded.map((k) => ({ id: idOf(k), micros: balance, matrixMicros: balance })),
    participants: funded.length > 0 ? [{ id: idOf(funded[0]), name: "operator", roles: ["operator"] }] : [],
    network: SMALL_NETWORK,
    ...extra,
  };
}

export function signed<T extends TxType>(
  key: KeyPair,
  type: T,
  nonce: number,
  body: TxBodyInputs[T],
  chainId = CHAIN_ID,
) {
  return createSignedTx(key, { chainId, type, nonce, body });
}

export function transfer(
  key: KeyPair,
  nonce: number,
  to: KeyPair | AccountId,
  amount: number,
  asset: "micros" | "matrix" = "micros",
) {
  const toId = typeof to === "string" ? to : idOf(to);
  return signed(key, "Transfer", nonce, { to: toId, amount, asset }).bytes;
}

/** A chain in memory: genesis, then blocks one second apart, each applied and committed. */
export class TestChain {
  readonly state: MemoryState;
  height = 0;
  timeMs = GENESIS_TIME_MS;
  lastHash = ZERO_HASH_HEX;
  root: string;

  constructor(doc: GenesisDoc) {
    const g = genesis(doc);
    this.state = new MemoryState(g.changes);
    this.root = g.stateRoot;
  }

  nextHeader(timeStepMs = BLOCK_INTERVAL_MS) {
    return {
      chainId: CHAIN_ID,
      height: this.height + 1,
      prevHash: this.lastHash,
      time: this.timeMs + timeStepMs,
    };
  }

  /** Applies and commits a block; returns its result. */
  block(txs: Uint8Array[], opts: ApplyBlockOptions = {}, timeStepMs = BLOCK_INTERVAL_MS): BlockResult {
    const header = this.nextHeader(timeStepMs);
    const result = applyBlock(this.state, header, txs, opts);
    this.state.apply(result.changes);
    const full: BlockHeader = { ...header, txRoot: result.txRoot, stateRoot: result.stateRoot };
    this.height = header.height;
    this.timeMs = header.time;
    this.lastHash = blockHash(full);
    this.root = result.stateRoot;
    return result;
  }
}

/** The JSON object committed at `key`, or undefined. */
export function stateValue<T = Record<string, unknown>>(chain: TestChain, key: string): T | undefined {
  const bytes = chain.state.get(key);
  return bytes === undefined ? undefined : (JSON.parse(new TextDecoder().decode(bytes)) as T);
}

/** Result codes of a block, "ok" for applied transactions. */
export function resultCodes(r: BlockResult): string[] {
  return r.results.map((x) => (x.ok ? "ok" : x.code));
}

/** Signs a transaction without checking its body, to test what the protocol does with invalid ones. */
export function signedUnchecked(
  key: KeyPair,
  type: string,
  nonce: number,
  body: unknown,
  chainId = CHAIN_ID,
): Uint8Array {
  const tx = { chainId, type, from: idOf(key), nonce, body };
  const signature = toHex(sign(key.secretKey, signingHash(encodeCanonical(tx))));
  return encodeCanonical({ tx, publicKey: toHex(key.publicKey), signature });
}

/**
 * A chain plus per-key nonce bookkeeping, for module tests: `call(key, type, body)` signs with the key's
 * next nonce and applies one block; a rejected transaction gives its nonce back.
 */
export function scenario(doc: GenesisDoc) {
  const chain = new TestChain(doc);
  const nonces = new Map<KeyPair, number>();
  const tx = <T extends TxType>(key: KeyPair, type: T, body: TxBodyInputs[T]) => {
    const n = nonces.get(key) ?? 0;
    nonces.set(key, n + 1);
    return signed(key, type, n, body).bytes;
  };
  const run = (items: [KeyPair, Uint8Array][], timeStepMs = BLOCK_INTERVAL_MS) => {
    const r = chain.block(
      items.map(([, b]) => b),
      {},
      timeStepMs,
    );
    r.results.forEach((x, i) => {
      if (!x.ok) nonces.set(items[i][0], (nonces.get(items[i][0]) ?? 1) - 1);
    });
    return resultCodes(r);
  };
  const call = <T extends TxType>(
    key: KeyPair,
    type: T,
    body: TxBodyInputs[T],
    timeStepMs = BLOCK_INTERVAL_MS,
  ) => run([[key, tx(key, type, body)]], timeStepMs);
  /** A transaction whose body the schema refuses: TX_INVALID at decode, before the nonce is looked at. */
  const invalid = (key: KeyPair, type: string, body: unknown) =>
    resultCodes(chain.block([signedUnchecked(key, type, nonces.get(key) ?? 0, body)]));
  return { chain, tx, run, call, invalid };
}

/** A PV DER entry for a genesis document. */
export function genesisPv(id: string, owner: KeyPair, device: KeyPair, bus: number) {
  return {
    id,
    owner: idOf(owner),
    kind: "pv" as const,
    bus,
    ratingW: 10_000,
    devicePublicKey: toHex(device.publicKey),
    ieee1547Category: "II" as const,
    settings: {},
  };
}
