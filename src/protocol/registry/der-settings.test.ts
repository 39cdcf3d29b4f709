import { describe, expect, it, vi } from "vitest";
import { toHex } from "../../core/hash.js";
import { idOf, resultCodes, signed, TestChain, testGenesis, testKeys } from "../test-support/fixtures.js";

// The hook is where IEEE 1547 validation plugs in; here it is replaced by a rule that refuses, to show that
// registration and updates go through it and that its verdict becomes REGISTRY_DER_SETTINGS.
vi.mock("./der-settings.js", () => ({
  validateDerSettings: (der: { settings: Record<string, unknown> }) =>
    "tripOvervoltage" in der.settings
      ? { ok: false, field: "tripOvervoltage", message: "outside Table 11" }
      : { ok: true },
}));

const [operator, alice, device] = testKeys(3);

describe("validateDerSettings hook", () => {
  it("turns a refusal into REGISTRY_DER_SETTINGS naming the field, and nothing is written", () => {
    const chain = new TestChain(testGenesis([operator, alice]));
    const body = (settings: Record<string, number>, nonce: number) =>
      signed(alice, "RegisterDer", nonce, {
        id: "pv-1",
        kind: "pv",
        bus: 2,
        ratingW: 3_000,
        devicePublicKey: toHex(device.publicKey),
        ieee1547Category: "I",
        settings,
      }).bytes;
    chain.block([signed(alice, "RegisterParticipant", 0, { name: "A", roles: ["prosumer"] }).bytes]);
    const r = chain.block([body({ tripOvervoltage: 2 }, 1), body({ other: 1 }, 1)]);
    expect(resultCodes(r)).toEqual(["REGISTRY_DER_SETTINGS", "ok"]);
    expect(r.results[0]).toMatchObject({ message: expect.stringContaining("tripOvervoltage") });
    expect(idOf(device)).toMatch(/^pg1/);
  });

  it("the real hook accepts every well-shaped settings object (no validation is pretended)", async () => {
    const real = await vi.importActual<typeof import("./der-settings.js")>("./der-settings.js");
    expect(
      real.validateDerSettings({
        kind: "pv",
        ratingW: 1,
        energyWh: null,
        ieee1547Category: "III",
        settings: { anything: [1, "x"] },
      }),
    ).toEqual({ ok: true });
  });
});
