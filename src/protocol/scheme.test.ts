import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashTagged } from "../core/hash.js";
import type { KeyPair } from "../core/keys.js";
import { applyBlock } from "./block.js";
import { PARAMS_KEY, ZERO_HASH_HEX } from "./chain.js";
import { checkTx } from "./check.js";
import { genesis } from "./genesis/genesis.js";
import type { GenesisDoc } from "./genesis/types.js";
import { MemoryState } from "./memory-state.js";
import { simDigestHex } from "./scheme.js";
import { createSignedTx, encodeSignedTx } from "./sign.js";
import { GENESIS_TIME_MS, idOf, testGenesis, testKeys } from "./test-support/fixtures.js";
import { signatureVerdict, verifyTxSignature } from "./verify.js";

const SIM_CHAIN = "sim-test";
const utf8 = new TextEncoder();

/** A key pair as a simulation makes one for sim-digest: the public key is a hash of the secret. */
function simKeyPair(i: number): KeyPair {
  const secretKey = hashTagged("test/sim-key", utf8.encode(String(i)));
  return { secretKey, publicKey: hashTagged("test/sim-public-key", secretKey) };
}

function chainOf(doc: GenesisDoc) {
  const g = genesis(doc);
  return new MemoryState(g.changes);
}

function simGenesis(keys: KeyPair[]): GenesisDoc {
  return testGenesis(keys, 1_000_000, {
    chainId: SIM_CHAIN,
    params: { signatureScheme: "sim-digest" },
  } as Partial<GenesisDoc>);
}

const header = (height = 1) => ({
  chainId: SIM_CHAIN,
  height,
  prevHash: ZERO_HASH_HEX,
  time: GENESIS_TIME_MS + 1000 * height,
});

function transfer(key: KeyPair, to: KeyPair, nonce: number, scheme: "ed25519" | "sim-digest", amount = 5) {
  return createSignedTx(
    key,
    { chainId: SIM_CHAIN, type: "Transfer", nonce, body: { to: idOf(to), amount, asset: "micros" } },
    scheme,
  ).bytes;
}

const codes = (state: MemoryState, txs: Uint8Array[]) =>
  applyBlock(state, header(), txs).results.map((r) => (r.ok ? "ok" : r.code));

describe("the sim-digest signature scheme", () => {
  it("is refused in genesis on a chain id that is not a simulation's, naming the field", () => {
    const keys = testKeys(2);
    const doc = testGenesis(keys, 1_000_000, {
      params: { signatureScheme: "sim-digest" },
    } as Partial<GenesisDoc>);
    expect(() => genesis(doc)).toThrow(expect.objectContaining({ code: "GENESIS_INVALID" }));
    expect(() => genesis(doc)).toThrow(/params\.signatureScheme/);
  });

  it("leaves the params record of an ed25519 chain as it was (no scheme field), and records sim-digest", () => {
    const keys = testKeys(2);
    const plain = chainOf(testGenesis(keys));
    const params = JSON.parse(new TextDecoder().decode(plain.get(PARAMS_KEY)));
    expect(Object.keys(params).sort()).toEqual([
      "chainId",
      "genesisHash",
      "genesisTimeMs",
      "intervalMinutes",
      "meterReadingMaxAgeIntervals",
    ]);
    const sim = chainOf(simGenesis(keys.map((_, i) => simKeyPair(i))));
    expect(JSON.parse(new TextDecoder().decode(sim.get(PARAMS_KEY))).signatureScheme).toBe("sim-digest");
  });

  it("is refused when signing for a chain id that is not a simulation's", () => {
    const [a, b] = testKeys(2);
    expect(() =>
      createSignedTx(
        a,
        {
          chainId: "plurigrid-live",
          type: "Transfer",
          nonce: 0,
          body: { to: idOf(b), amount: 1, asset: "micros" },
        },
        "sim-digest",
      ),
    ).toThrow(expect.objectContaining({ code: "TX_INVALID" }));
  });

  it("applies sim-digest transactions; ed25519 ones, replays and other keys' digests are refused", () => {
    const [a, b] = [simKeyPair(0), simKeyPair(1)];
    const state = chainOf(simGenesis([a, b]));
    const good = transfer(a, b, 0, "sim-digest");
    expect(checkTx(state, good)).toMatchObject({ ok: true });
    // An Ed25519 signature is not a digest: refused on a sim-digest chain, at the door and in a block.
    const edKeys = testKeys(2);
    const edState = chainOf(simGenesis(edKeys));
    const ed = transfer(edKeys[0], edKeys[1], 0, "ed25519");
    expect(checkTx(edState, ed)).toMatchObject({ ok: false, code: "TX_BAD_SIGNATURE" });
    expect(codes(edState, [ed])).toEqual(["TX_BAD_SIGNATURE"]);
    // A digest made with another public key, put under a's key.
    const text = new TextDecoder().decode(good);
    const other = simDigestHex(b.publicKey, hashTagged("anything", utf8.encode("x")));
    const sigAt = text.indexOf('"signature":"') + '"signature":"'.length;
    const forged = utf8.encode(text.slice(0, sigAt) + other + text.slice(sigAt + 128));
    expect(codes(state, [good, good, forged])).toEqual(["ok", "TX_BAD_NONCE", "TX_BAD_SIGNATURE"]);
  });

  it("a sim-digest signature is refused on an ed25519 chain with the same id", () => {
    const [a, b] = [simKeyPair(0), simKeyPair(1)];
    const state = chainOf(testGenesis([a, b], 1_000_000, { chainId: SIM_CHAIN }));
    const tx = transfer(a, b, 0, "sim-digest");
    expect(codes(state, [tx])).toEqual(["TX_BAD_SIGNATURE"]);
    expect(verifyTxSignature(tx)).toBe(false);
    expect(verifyTxSignature(tx, "sim-digest")).toBe(true);
  });

  it("every changed byte of a signed transaction is refused (property)", () => {
    const [a, b] = [simKeyPair(0), simKeyPair(1)];
    const state = chainOf(simGenesis([a, b]));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 900_000 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (amount, at, delta) => {
          const tx = transfer(a, b, 0, "sim-digest", amount);
          expect(signatureVerdict(tx, "sim-digest")).toBe(true);
          const bad = Uint8Array.from(tx);
          const i = at % bad.length;
          bad[i] = (bad[i] + delta) % 256;
          expect(codes(state, [bad])[0]).not.toBe("ok");
          expect(verifyTxSignature(bad, "sim-digest")).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("signTx's envelope", () => {
  it("is the canonical encoding of the signed transaction, for any name and either scheme (property)", () => {
    const [ed] = testKeys(1);
    const sim = simKeyPair(0);
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", minLength: 1, maxLength: 40 }),
        fc.boolean(),
        (name, useSim) => {
          let t: ReturnType<typeof createSignedTx<"RegisterParticipant">>;
          try {
            t = createSignedTx(
              useSim ? sim : ed,
              {
                chainId: SIM_CHAIN,
                type: "RegisterParticipant",
                nonce: 3,
                body: { name, roles: ["prosumer"] },
              },
              useSim ? "sim-digest" : "ed25519",
            );
          } catch (e) {
            expect((e as { code?: string }).code).toBe("TX_INVALID"); // a name the schema refuses
            return;
          }
          expect(Buffer.from(t.bytes).equals(Buffer.from(encodeSignedTx(t.signed)))).toBe(true);
          expect(verifyTxSignature(t.bytes, useSim ? "sim-digest" : "ed25519")).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
