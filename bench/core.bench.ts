import { encodeCanonical } from "../src/core/canonical.js";
import { hashObject } from "../src/core/hash.js";
import { generateKeyPair, privateKeyObject, sign, verify } from "../src/core/keys.js";
import { merkleRoot } from "../src/core/merkle.js";
import { createRng } from "../src/core/prng.js";
import { perSecond, type Suite } from "./harness.js";

/** The primitives on the protocol's hot path: signatures, canonical encoding, hashing, Merkle roots. */
export const coreSuite: Suite = {
  name: "core",
  async run(ctx) {
    const n = 2000;
    const pair = generateKeyPair();
    const key = privateKeyObject(pair.secretKey);
    const tx = {
      tx: {
        chainId: "plurigrid-bench",
        type: "transfer",
        from: `pg1${"a".repeat(40)}`,
        nonce: 7,
        body: { to: `pg1${"b".repeat(40)}`, amount: 1_000_000, asset: "micros" },
      },
    };
    const messages = Array.from({ length: n }, (_, i) => encodeCanonical({ ...tx, i }));
    const sigs = messages.map((m) => sign(key, m));
    await ctx.measure(
      `Ed25519 sign x${n}`,
      () => {
        for (const m of messages) sign(key, m);
      },
      {
        figure: perSecond(n),
      },
    );
    await ctx.measure(
      `Ed25519 verify x${n} (one core)`,
      () => {
        for (let i = 0; i < n; i++) verify(pair.publicKey, messages[i], sigs[i]);
      },
      {
        figure: perSecond(n),
      },
    );
    await ctx.measure(
      `canonical encode x${n} (transfer tx)`,
      () => {
        for (let i = 0; i < n; i++) encodeCanonical({ ...tx, i });
      },
      {
        figure: perSecond(n),
      },
    );
    await ctx.measure(
      `hashObject x${n} (transfer tx)`,
      () => {
        for (let i = 0; i < n; i++) hashObject("bench", { ...tx, i });
      },
      {
        figure: perSecond(n),
      },
    );
    const leaves = messages.slice(0, 1000);
    await ctx.measure("Merkle root of 1,000 txs", () => merkleRoot(leaves));
    const rng = createRng(42);
    const draws = 1_000_000;
    await ctx.measure(
      `xoshiro256** nextFloat x${draws}`,
      () => {
        let s = 0;
        for (let i = 0; i < draws; i++) s += rng.nextFloat();
        return s;
      },
      { figure: perSecond(draws) },
    );
  },
};
