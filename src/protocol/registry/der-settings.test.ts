import { describe, expect, it } from "vitest";
import { toHex } from "../../core/hash.js";
import { genesis } from "../genesis/genesis.js";
import {
  genesisPv,
  idOf,
  resultCodes,
  scenario,
  signed,
  stateValue,
  TestChain,
  testGenesis,
  testKeys,
} from "../test-support/fixtures.js";
import { validateDerSettings } from "./der-settings.js";
import { derKey } from "./state.js";
import type { Der } from "./types.js";

const [operator, alice, device, device2] = testKeys(4);

const register = (settings: Record<string, unknown>, nonce: number, category: "I" | "II" | "III" = "II") =>
  signed(alice, "RegisterDer", nonce, {
    id: `pv-${nonce}`,
    kind: "pv",
    bus: 2,
    ratingW: 3_000,
    devicePublicKey: toHex((nonce % 2 === 1 ? device : device2).publicKey),
    ieee1547Category: category,
    settings: settings as never,
  }).bytes;

describe("validateDerSettings: IEEE 1547-2018 ranges as a protocol rule", () => {
  it("a registration outside its category's range is rejected with REGISTRY_DER_SETTINGS naming setting and range", () => {
    const chain = new TestChain(testGenesis([operator, alice]));
    chain.block([signed(alice, "RegisterParticipant", 0, { name: "A", roles: ["prosumer"] }).bytes]);
    // Category II UV1 clearing time: 2.0-21.0 s (Table 12). 21.5 s is outside, nothing is written.
    const r = chain.block([register({ trip: { uv1: { pu: 0.7, s: 21.5 } } }, 1)]);
    expect(resultCodes(r)).toEqual(["REGISTRY_DER_SETTINGS"]);
    const msg = r.results[0].ok ? "" : r.results[0].message;
    expect(msg).toContain("IEEE1547_SETTING_OUT_OF_RANGE");
    expect(msg).toContain("trip.uv1.s");
    expect(msg).toContain("[2, 21]");
    expect(msg).toContain("Table 12");
    expect(stateValue(chain, derKey("pv-1"))).toBeUndefined();
    // The same value is allowed for Category III (21.0-50.0 s, Table 13), with a UV1 pickup it allows.
    const ok = chain.block([register({ trip: { uv1: { pu: 0.88, s: 21.5 } } }, 1, "III")]);
    expect(resultCodes(ok)).toEqual(["ok"]);
    expect(stateValue<Der>(chain, derKey("pv-1"))?.settings).toEqual({
      trip: { uv1: { pu: 0.88, s: 21.5 } },
    });
  });

  it("updates go through the same rule: a category change must keep the settings in range", () => {
    const { call } = scenario(testGenesis([operator, alice]));
    call(alice, "RegisterParticipant", { name: "A", roles: ["prosumer"] });
    const settings = { trip: { uv1: { pu: 0.7, s: 10 } } };
    expect(
      call(alice, "RegisterDer", {
        id: "pv-1",
        kind: "pv",
        bus: 2,
        ratingW: 3_000,
        devicePublicKey: toHex(device.publicKey),
        ieee1547Category: "II",
        settings,
      }),
    ).toEqual(["ok"]);
    // Category III requires a UV1 clearing time of 21-50 s: the same settings are now out of range.
    expect(call(alice, "UpdateDerSettings", { id: "pv-1", ieee1547Category: "III", settings })).toEqual([
      "REGISTRY_DER_SETTINGS",
    ]);
    expect(
      call(alice, "UpdateDerSettings", {
        id: "pv-1",
        ieee1547Category: "III",
        settings: { trip: { uv1: { s: 30 } } },
      }),
    ).toEqual(["ok"]);
  });

  it("genesis refuses DERs whose settings are out of range", () => {
    const participants = [
      { id: idOf(operator), name: "operator", roles: ["operator" as const] },
      { id: idOf(alice), name: "Alice", roles: ["prosumer" as const] },
    ];
    const doc = (ders: ReturnType<typeof genesisPv>[]) =>
      testGenesis([operator, alice], 1_000, { participants, ders });
    const good = genesisPv("pv-1", alice, device, 2);
    expect(() => genesis(doc([good]))).not.toThrow();
    const bad = { ...good, settings: { freqDroop: { kOf: 0.06 } } } as unknown as typeof good;
    expect(() => genesis(doc([bad]))).toThrow(/freqDroop\.kOf/);
  });

  it("returns the IEEE 1547 code and {setting, value, min, max, table}", () => {
    const der = (settings: Record<string, unknown>, kind: "pv" | "battery" = "pv") =>
      validateDerSettings({
        kind,
        ratingW: 1,
        energyWh: null,
        ieee1547Category: "III",
        settings: settings as never,
      });
    expect(der({})).toEqual({ ok: true });
    expect(der({ freqDroop: { kOf: 0.019 } })).toMatchObject({
      ok: false,
      field: "freqDroop.kOf",
      code: "IEEE1547_SETTING_OUT_OF_RANGE",
      details: { setting: "freqDroop.kOf", value: 0.019, min: 0.02, max: 0.05, table: "Table 24" },
    });
    expect(der({ rideThrough: { lvrt: "category III" } })).toMatchObject({
      ok: false,
      field: "rideThrough",
      code: "IEEE1547_SETTINGS_SHAPE",
    });
    expect(der({ category: "II" })).toMatchObject({ ok: false, code: "IEEE1547_CATEGORY_MISMATCH" });
    // Storage may absorb: a negative volt-watt P2 is in range for a battery, not for PV.
    const vw = {
      voltWatt: {
        points: [
          [1.06, 1],
          [1.1, -1],
        ],
      },
    };
    expect(der(vw, "battery")).toEqual({ ok: true });
    expect(der(vw, "pv")).toMatchObject({ ok: false, field: "voltWatt.points.1.1" });
  });
});
