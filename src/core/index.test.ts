import { describe, expect, it } from "vitest";
import * as core from "./index.js";

describe("core index", () => {
  it("re-exports the public API of every core file", () => {
    const names = [
      "PlurigridError",
      "isPlurigridError",
      "dataPath",
      "Wh",
      "mulDiv",
      "energyCost",
      "encodeCanonical",
      "decodeCanonical",
      "hashTagged",
      "hashObject",
      "toHex",
      "fromHex",
      "merkleRoot",
      "inclusionProof",
      "verifyInclusion",
      "generateKeyPair",
      "sign",
      "verify",
      "accountIdOf",
      "readKeyFile",
      "createRng",
      "intervalOf",
      "parseUtcMs",
    ];
    for (const name of names) expect(typeof (core as Record<string, unknown>)[name], name).toBe("function");
  });

  it("wires the pieces together: a signed, hashed, canonical record round-trips", () => {
    const pair = core.keyFromSeed(new Uint8Array(32).fill(1));
    const record = { interval: core.intervalOf(core.parseUtcMs("2024-06-01T12:15:00Z")), costMicros: 5 };
    const digest = core.hashObject("plurigrid/test", record);
    const signature = core.sign(pair.secretKey, digest);
    expect(core.verify(pair.publicKey, digest, signature)).toBe(true);
    expect(core.decodeCanonical(core.encodeCanonical(record))).toEqual(record);
    expect(core.verifyInclusion(digest, core.inclusionProof([digest], 0), core.merkleRoot([digest]))).toBe(
      true,
    );
  });
});
