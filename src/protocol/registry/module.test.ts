import { describe, expect, it } from "vitest";
import { toHex } from "../../core/hash.js";
import type { KeyPair } from "../../core/keys.js";
import { busKey } from "../grid/state.js";
import { idOf, scenario, stateValue, testGenesis, testKeys } from "../test-support/fixtures.js";
import type { TxBodyInputs } from "../tx-types.js";
import { derKey, deviceKey, microgridKey, participantKey } from "./state.js";
import type { Der, Microgrid, Participant } from "./types.js";

const [operator, alice, bob, device1, device2, carol] = testKeys(6);

/** A chain whose genesis has an operator (key 0) and funds. */
const setup = () => scenario(testGenesis([operator, alice, bob]));

const pv = (
  id: string,
  key: KeyPair,
  extra: Partial<TxBodyInputs["RegisterDer"]> = {},
): TxBodyInputs["RegisterDer"] => ({
  id,
  kind: "pv",
  bus: 3,
  ratingW: 5_000,
  devicePublicKey: toHex(key.publicKey),
  ieee1547Category: "II",
  // IEEE 1547 settings file (der/ieee1547): the Category B volt-var curve; every other setting at its default.
  settings: {
    voltVar: {
      points: [
        [0.92, 0.44],
        [0.98, 0],
        [1.02, 0],
        [1.08, -0.44],
      ],
    },
  },
  ...extra,
});

describe("registry: participants and roles", () => {
  it("registers oneself with ordinary roles, once; operator and oracle are granted, not taken", () => {
    const { chain, call, invalid } = setup();
    expect(call(alice, "RegisterParticipant", { name: "Alice", roles: ["prosumer", "consumer"] })).toEqual([
      "ok",
    ]);
    expect(stateValue<Participant>(chain, participantKey(idOf(alice)))).toEqual({
      name: "Alice",
      roles: ["consumer", "prosumer"],
      registeredAtMs: chain.timeMs,
    });
    expect(call(alice, "RegisterParticipant", { name: "Alice", roles: ["producer"] })).toEqual([
      "REGISTRY_ALREADY_REGISTERED",
    ]);
    expect(call(bob, "RegisterParticipant", { name: "Bob", roles: ["operator"] })).toEqual([
      "REGISTRY_ROLE_FORBIDDEN",
    ]);
    expect(invalid(bob, "RegisterParticipant", { name: "Bob", roles: ["solver", "solver"] })).toEqual([
      "TX_INVALID",
    ]);
    expect(stateValue(chain, participantKey(idOf(bob)))).toBeUndefined();
  });

  it("lets only an operator set roles, of existing participants", () => {
    const { chain, call } = setup();
    call(alice, "RegisterParticipant", { name: "Alice", roles: ["prosumer"] });
    expect(call(bob, "SetRoles", { participant: idOf(alice), roles: ["oracle"] })).toEqual([
      "REGISTRY_NOT_AUTHORIZED",
    ]);
    expect(call(operator, "SetRoles", { participant: idOf(bob), roles: ["oracle"] })).toEqual([
      "REGISTRY_UNKNOWN_PARTICIPANT",
    ]);
    expect(call(operator, "SetRoles", { participant: idOf(alice), roles: ["prosumer", "oracle"] })).toEqual([
      "ok",
    ]);
    expect(stateValue<Participant>(chain, participantKey(idOf(alice)))?.roles).toEqual([
      "oracle",
      "prosumer",
    ]);
  });
});

describe("registry: microgrids", () => {
  it("an operator declares a microgrid; its buses record their membership", () => {
    const { chain, call } = setup();
    expect(call(operator, "RegisterMicrogrid", { id: "mg-1", name: "North", buses: [3, 1, 2] })).toEqual([
      "ok",
    ]);
    expect(stateValue<Microgrid>(chain, microgridKey("mg-1"))).toMatchObject({
      buses: [1, 2, 3],
      registeredBy: idOf(operator),
    });
    expect(stateValue(chain, busKey(2))).toEqual({ index: 1, microgrid: "mg-1" });
    expect(stateValue(chain, busKey(4))).toEqual({ index: 3, microgrid: null });
  });

  it("refuses duplicates, unknown or taken buses, non-operators, and then changes nothing", () => {
    const { chain, call, invalid } = setup();
    call(operator, "RegisterMicrogrid", { id: "mg-1", name: "North", buses: [1, 2] });
    const root = chain.root;
    expect(call(operator, "RegisterMicrogrid", { id: "mg-1", name: "again", buses: [5] })).toEqual([
      "REGISTRY_DUPLICATE_ID",
    ]);
    expect(call(operator, "RegisterMicrogrid", { id: "mg-2", name: "x", buses: [5, 99] })).toEqual([
      "REGISTRY_UNKNOWN_BUS",
    ]);
    // Bus 4 is free but bus 2 is taken: the whole transaction goes, bus 4 stays free.
    expect(call(operator, "RegisterMicrogrid", { id: "mg-2", name: "x", buses: [4, 2] })).toEqual([
      "REGISTRY_BUS_ASSIGNED",
    ]);
    expect(stateValue(chain, busKey(4))).toEqual({ index: 3, microgrid: null });
    expect(call(alice, "RegisterMicrogrid", { id: "mg-3", name: "x", buses: [6] })).toEqual([
      "REGISTRY_NOT_AUTHORIZED",
    ]);
    expect(invalid(operator, "RegisterMicrogrid", { id: "bad/id", name: "x", buses: [6] })).toEqual([
      "TX_INVALID",
    ]);
    expect(stateValue(chain, microgridKey("mg-2"))).toBeUndefined();
    expect(root).not.toBe(chain.root); // blocks still advance the chain record
  });
});

describe("registry: DERs", () => {
  it("registers a DER with its device key, category and settings kept as data", () => {
    const { chain, call } = setup();
    call(alice, "RegisterParticipant", { name: "Alice", roles: ["prosumer"] });
    expect(call(alice, "RegisterDer", pv("pv-1", device1))).toEqual(["ok"]);
    const der = stateValue<Der>(chain, derKey("pv-1"));
    expect(der).toMatchObject({
      owner: idOf(alice),
      kind: "pv",
      bus: 3,
      ratingW: 5_000,
      energyWh: null,
      deviceAccount: idOf(device1),
      ieee1547Category: "II",
      settings: pv("pv-1", device1).settings,
    });
    expect(stateValue(chain, deviceKey(idOf(device1)))).toEqual({ der: "pv-1" });
  });

  it("refuses non-owners of DERs, duplicates, unknown buses, reused or small-order device keys", () => {
    const { call, invalid } = setup();
    expect(call(alice, "RegisterDer", pv("pv-1", device1))).toEqual(["REGISTRY_NOT_PARTICIPANT"]);
    call(bob, "RegisterParticipant", { name: "Bob", roles: ["solver"] });
    expect(call(bob, "RegisterDer", pv("pv-1", device1))).toEqual(["REGISTRY_NOT_PARTICIPANT"]);
    call(alice, "RegisterParticipant", { name: "Alice", roles: ["producer"] });
    expect(call(alice, "RegisterDer", pv("pv-1", device1))).toEqual(["ok"]);
    expect(call(alice, "RegisterDer", pv("pv-1", device2))).toEqual(["REGISTRY_DUPLICATE_ID"]);
    expect(call(alice, "RegisterDer", pv("pv-2", device1))).toEqual(["REGISTRY_DEVICE_KEY_IN_USE"]);
    expect(call(alice, "RegisterDer", pv("pv-2", device2, { bus: 42 }))).toEqual(["REGISTRY_UNKNOWN_BUS"]);
    const zero = { publicKey: new Uint8Array(32), secretKey: new Uint8Array(32) };
    expect(call(alice, "RegisterDer", pv("pv-2", zero))).toEqual(["REGISTRY_BAD_DEVICE_KEY"]);
    expect(invalid(alice, "RegisterDer", pv("bat-1", device2, { kind: "battery" }))).toEqual(["TX_INVALID"]);
    expect(call(alice, "RegisterDer", pv("bat-1", device2, { kind: "battery", energyWh: 13_500 }))).toEqual([
      "ok",
    ]);
    const huge = { blob: "x".repeat(9_000) };
    expect(invalid(alice, "RegisterDer", pv("pv-3", carol, { settings: huge }))).toEqual(["TX_INVALID"]);
    expect(invalid(alice, "RegisterDer", pv("pv-3", carol, { ieee1547Category: "IV" as "I" }))).toEqual([
      "TX_INVALID",
    ]);
    expect(
      invalid(
        alice,
        "RegisterDer",
        pv("pv-3", carol, { settings: [1, 2] as unknown as Record<string, never> }),
      ),
    ).toEqual(["TX_INVALID"]);
  });

  it("lets only the owner replace settings and category", () => {
    const { chain, call } = setup();
    call(alice, "RegisterParticipant", { name: "Alice", roles: ["prosumer"] });
    call(bob, "RegisterParticipant", { name: "Bob", roles: ["prosumer"] });
    call(alice, "RegisterDer", pv("pv-1", device1));
    const update = {
      id: "pv-1",
      ieee1547Category: "III" as const,
      settings: { trip: { uv1: { pu: 0.88, s: 30 } } },
    };
    expect(call(bob, "UpdateDerSettings", update)).toEqual(["REGISTRY_NOT_OWNER"]);
    expect(call(alice, "UpdateDerSettings", { ...update, id: "pv-9" })).toEqual(["REGISTRY_UNKNOWN_DER"]);
    expect(call(alice, "UpdateDerSettings", update)).toEqual(["ok"]);
    expect(stateValue<Der>(chain, derKey("pv-1"))).toMatchObject({
      ieee1547Category: "III",
      settings: update.settings,
      settingsUpdatedAtMs: chain.timeMs,
    });
  });
});
