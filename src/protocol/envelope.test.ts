import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalString, encodeCanonical } from "../core/canonical.js";
import { isPlurigridError, PlurigridError } from "../core/errors.js";
import { hashTagged, toHex } from "../core/hash.js";
import { verify } from "../core/keys.js";
import { DECODE_CODES } from "./codes.js";
import { decodeTx, decodeTxDetailed, envelopeSchema, txHash, wellFormedEnvelope } from "./envelope.js";
import { MAX_TX_BYTES } from "./limits.js";
import { buildTx, createSignedTx, signTx } from "./sign.js";
import { CHAIN_ID, idOf, signed, testKeys, transfer } from "./test-support/fixtures.js";
import { signatureVerdict, verifyTxSignature } from "./verify.js";

const keys = testKeys(3);
const utf8 = new TextEncoder();

function decodeCode(bytes: Uint8Array): string | null {
  try {
    decodeTx(bytes);
    return null;
  } catch (e) {
    if (e instanceof PlurigridError) return e.code;
    throw e;
  }
}

describe("transaction envelope", () => {
  it("signs what the design says: Ed25519 over hashTagged('plurigrid/tx', canonical(tx))", () => {
    const t = signed(keys[0], "Transfer", 0, { to: idOf(keys[1]), amount: 5, asset: "micros" });
    const message = hashTagged("plurigrid/tx", encodeCanonical(t.signed.tx));
    expect(verify(keys[0].publicKey, message, Buffer.from(t.signed.signature, "hex"))).toBe(true);
    expect(t.signed.publicKey).toBe(toHex(keys[0].publicKey));
    expect(t.bytes).toEqual(encodeCanonical(t.signed));
    expect(t.hash).toBe(toHex(hashTagged("plurigrid/txid", t.bytes)));
    expect(txHash(t.bytes)).toBe(t.hash);
  });

  it("round-trips: decodeTx(signTx(buildTx(x))) gives x back, and the signed bytes are canonical(tx)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.nat(),
        fc.constantFrom("micros" as const, "matrix" as const),
        (to, amount, nonce, asset) => {
          const tx = buildTx({
            chainId: CHAIN_ID,
            type: "Transfer",
            from: idOf(keys[0]),
            nonce,
            body: { to: idOf(keys[to]), amount, asset },
          });
          const { bytes, signed: s } = signTx(tx, keys[0]);
          const d = decodeTxDetailed(bytes);
          expect(d.signed).toEqual(s);
          expect(Buffer.from(d.txBytes).toString()).toBe(canonicalString(tx));
          expect(verifyTxSignature(bytes)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("refuses oversized, non-canonical, unknown and malformed transactions with their codes", () => {
    const good = transfer(keys[0], 0, keys[1], 10);
    const value = JSON.parse(Buffer.from(good).toString());
    expect(decodeCode(utf8.encode(JSON.stringify(value, null, 1)))).toBe("TX_NOT_CANONICAL");
    expect(decodeCode(new Uint8Array(MAX_TX_BYTES + 1).fill(0x20))).toBe("TX_TOO_LARGE");
    expect(decodeCode(utf8.encode("{"))).toBe("TX_DECODE");
    expect(decodeCode(Uint8Array.of(0xff, 0xfe))).toBe("TX_DECODE");
    const unknown = { ...value, tx: { ...value.tx, type: "Mint" } };
    expect(decodeCode(encodeCanonical(unknown))).toBe("TX_UNKNOWN_TYPE");
    const proto = { ...value, tx: { ...value.tx, type: "__proto__" } };
    expect(decodeCode(encodeCanonical(proto))).toBe("TX_UNKNOWN_TYPE");
    const negative = { ...value, tx: { ...value.tx, body: { ...value.tx.body, amount: -1 } } };
    try {
      decodeTx(encodeCanonical(negative));
      expect.unreachable();
    } catch (e) {
      expect(isPlurigridError(e, "TX_INVALID")).toBe(true);
      expect((e as Error).message).toMatch(/^tx\.body\.amount: /);
    }
    const extra = { ...value, memo: "x" };
    expect(decodeCode(encodeCanonical(extra))).toBe("TX_INVALID");
    const fraction = { ...value, tx: { ...value.tx, nonce: 1.5 } };
    expect(decodeCode(encodeCanonical(fraction))).toBe("TX_INVALID");
    const upperHex = { ...value, publicKey: value.publicKey.toUpperCase() };
    expect(decodeCode(encodeCanonical(upperHex))).toBe("TX_INVALID");
  });

  it("checks bodies and senders when building and signing", () => {
    expect(() =>
      buildTx({
        chainId: CHAIN_ID,
        type: "Transfer",
        from: idOf(keys[0]),
        nonce: 0,
        body: { to: "pg1x", amount: 1, asset: "micros" },
      }),
    ).toThrow(expect.objectContaining({ code: "TX_INVALID" }));
    const tx = buildTx({
      chainId: CHAIN_ID,
      type: "Transfer",
      from: idOf(keys[0]),
      nonce: 0,
      body: { to: idOf(keys[1]), amount: 1, asset: "micros" },
    });
    expect(() => signTx(tx, keys[1])).toThrow(expect.objectContaining({ code: "TX_SENDER_MISMATCH" }));
    expect(() =>
      createSignedTx(keys[0], {
        chainId: "Bad Chain",
        type: "Transfer",
        nonce: 0,
        body: { to: idOf(keys[1]), amount: 1, asset: "micros" },
      }),
    ).toThrow(expect.objectContaining({ code: "TX_INVALID" }));
  });
});

describe("decodeTx fuzz: only PlurigridError with a decode code, never another exception", () => {
  const known = new Set<string>(DECODE_CODES);
  const expectOnlyKnown = (bytes: Uint8Array) => {
    try {
      decodeTx(bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(PlurigridError);
      expect(known.has((e as PlurigridError).code)).toBe(true);
    }
  };
  const samples = [
    transfer(keys[0], 3, keys[1], 77),
    signed(keys[1], "RegisterDer", 0, {
      id: "pv-1",
      kind: "pv",
      bus: 3,
      ratingW: 5000,
      devicePublicKey: toHex(keys[2].publicKey),
      ieee1547Category: "II",
      settings: {
        voltVar: {
          enabled: true,
          curve: [
            [0.92, 0.44],
            [1.08, -0.44],
          ],
        },
      },
    }).bytes,
    signed(keys[2], "ReportGridEvent", 1, {
      event: { kind: "islanding", microgrid: "mg-1", islanded: true },
      observedAtMs: 1,
    }).bytes,
  ];

  it("random bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), expectOnlyKnown), { numRuns: 1000 });
  });

  it("random JSON values, canonical and not", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.boolean(), (v, canonical) => {
        expectOnlyKnown(canonical ? encodeCanonical(v) : utf8.encode(JSON.stringify(v) ?? "null"));
      }),
      { numRuns: 1000 },
    );
  });

  it("mutated valid transactions: flipped, inserted, deleted bytes and truncations", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.integer({ min: 0, max: 255 }),
            fc.constantFrom("flip", "set", "insert", "delete"),
          ),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        fc.option(fc.nat()),
        (sample, edits, cut) => {
          const bytes = [...sample];
          for (const [at, b, op] of edits) {
            const i = at % (bytes.length + 1);
            if (op === "flip" && i < bytes.length) bytes[i] ^= 1 << (b % 8);
            else if (op === "set" && i < bytes.length) bytes[i] = b;
            else if (op === "insert") bytes.splice(i, 0, b);
            else if (op === "delete" && i < bytes.length) bytes.splice(i, 1);
          }
          expectOnlyKnown(Uint8Array.from(cut === null ? bytes : bytes.slice(0, cut % (bytes.length + 1))));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("envelopes with random bodies, types and fields", () => {
    const base = JSON.parse(Buffer.from(samples[0]).toString());
    fc.assert(
      fc.property(
        fc.constantFrom(
          "Transfer",
          "RegisterDer",
          "SubmitMeterReading",
          "ReportGridEvent",
          "SetRoles",
          "toString",
          "",
        ),
        fc.dictionary(
          fc.constantFrom(
            "to",
            "amount",
            "asset",
            "id",
            "event",
            "der",
            "interval",
            "energyWh",
            "settings",
            "__proto__",
          ),
          fc.jsonValue({ maxDepth: 3 }),
        ),
        fc.jsonValue({ maxDepth: 2 }),
        (type, body, nonce) => {
          expectOnlyKnown(encodeCanonical({ ...base, tx: { ...base.tx, type, body, nonce } }));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("the fast paths of decoding give the schema's answers", () => {
  const base = signed(keys[0], "Transfer", 3, { to: idOf(keys[1]), amount: 5, asset: "micros" })
    .signed as unknown as Record<string, unknown>;
  const tricky = fc.oneof(
    fc.jsonValue(),
    fc.constantFrom(
      "",
      "a".repeat(64),
      "A".repeat(64),
      "0".repeat(64),
      "0".repeat(128),
      "0".repeat(127),
      -1,
      1.5,
      2 ** 53,
      -0,
      "x".repeat(65),
      CHAIN_ID.toUpperCase(),
      `${CHAIN_ID}/`,
      "Transfer",
      idOf(keys[2]),
      `${idOf(keys[2])}0`,
      [],
      {},
      null,
      JSON.parse('{"__proto__":{"to":1}}'),
    ),
  );
  const fields = ["publicKey", "signature", "tx", "chainId", "type", "from", "nonce", "body", "extra"];

  it("wellFormedEnvelope accepts only what envelopeSchema accepts, with the same output", () => {
    expect(wellFormedEnvelope(base)).toEqual(envelopeSchema.parse(base));
    fc.assert(
      fc.property(fc.constantFrom(...fields), tricky, fc.boolean(), (field, value, drop) => {
        const v = structuredClone(base) as Record<string, unknown> & { tx: Record<string, unknown> };
        const target = ["publicKey", "signature", "tx", "extra"].includes(field) ? v : v.tx;
        if (drop) delete target[field];
        else target[field] = value;
        const fast = wellFormedEnvelope(v);
        const schema = envelopeSchema.safeParse(v);
        if (fast !== undefined) {
          expect(schema.success).toBe(true);
          expect(fast).toEqual(schema.data);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("signatureVerdict = verifyTxSignature for every transaction that decodes", () => {
    const txs = [0, 1, 2].map((i) => transfer(keys[i], i, keys[(i + 1) % 3], 7));
    fc.assert(
      fc.property(fc.constantFrom(...txs), fc.nat(), fc.integer({ min: 0, max: 255 }), (tx, at, b) => {
        const bytes = Uint8Array.from(tx);
        bytes[at % bytes.length] = b;
        let decodes = true;
        try {
          decodeTxDetailed(bytes);
        } catch {
          decodes = false;
        }
        if (decodes) expect(signatureVerdict(bytes)).toBe(verifyTxSignature(bytes));
        expect(signatureVerdict(tx)).toBe(true);
      }),
      { numRuns: 500 },
    );
    expect(signatureVerdict(new Uint8Array(3))).toBe(false);
  });
});
