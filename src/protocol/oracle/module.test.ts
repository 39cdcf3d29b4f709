import { describe, expect, it } from "vitest";
import { intervalOf } from "../../core/time.js";
import {
  GENESIS_TIME_MS,
  genesisPv,
  idOf,
  scenario,
  stateValue,
  testGenesis,
  testKeys,
} from "../test-support/fixtures.js";
import { meterReadingKey } from "./state.js";
import type { MeterReading } from "./types.js";

const [operator, alice, meter1, meter2] = testKeys(4);
const INTERVAL_MS = 15 * 60_000;
/** The interval that contains genesis time: it has not ended when the first blocks arrive. */
const CURRENT = intervalOf(GENESIS_TIME_MS, 15);

function setup(maxAge = 96) {
  return scenario(
    testGenesis([operator, alice], 1_000, {
      params: { intervalMinutes: 15, meterReadingMaxAgeIntervals: maxAge },
      participants: [
        { id: idOf(operator), name: "operator", roles: ["operator"] },
        { id: idOf(alice), name: "Alice", roles: ["prosumer"] },
      ],
      ders: [genesisPv("pv-1", alice, meter1, 3), genesisPv("pv-2", alice, meter2, 4)],
    }),
  );
}

describe("oracle: meter readings", () => {
  it("records a reading signed by the DER's device key for an interval that has ended", () => {
    const { chain, call } = setup();
    expect(
      call(meter1, "SubmitMeterReading", { der: "pv-1", interval: CURRENT - 1, energyWh: 2_400 }),
    ).toEqual(["ok"]);
    expect(stateValue<MeterReading>(chain, meterReadingKey("pv-1", CURRENT - 1))).toMatchObject({
      energyWh: 2_400,
      submittedAtMs: chain.timeMs,
      height: chain.height,
    });
    // Import (negative energy) is a reading like any other.
    expect(
      call(meter2, "SubmitMeterReading", { der: "pv-2", interval: CURRENT - 1, energyWh: -150 }),
    ).toEqual(["ok"]);
  });

  it("refuses unknown meters, other keys, duplicates", () => {
    const { call } = setup();
    expect(call(meter1, "SubmitMeterReading", { der: "pv-9", interval: CURRENT - 1, energyWh: 1 })).toEqual([
      "ORACLE_UNKNOWN_METER",
    ]);
    expect(call(alice, "SubmitMeterReading", { der: "pv-1", interval: CURRENT - 1, energyWh: 1 })).toEqual([
      "ORACLE_WRONG_KEY",
    ]);
    expect(call(meter2, "SubmitMeterReading", { der: "pv-1", interval: CURRENT - 1, energyWh: 1 })).toEqual([
      "ORACLE_WRONG_KEY",
    ]);
    expect(call(meter1, "SubmitMeterReading", { der: "pv-1", interval: CURRENT - 1, energyWh: 1 })).toEqual([
      "ok",
    ]);
    expect(call(meter1, "SubmitMeterReading", { der: "pv-1", interval: CURRENT - 1, energyWh: 2 })).toEqual([
      "ORACLE_DUPLICATE",
    ]);
  });

  it("accepts an interval only once protocol time has passed its end, and not beyond the age limit", () => {
    const { call, chain } = setup(4);
    expect(call(meter1, "SubmitMeterReading", { der: "pv-1", interval: CURRENT, energyWh: 5 })).toEqual([
      "ORACLE_FUTURE_INTERVAL",
    ]);
    expect(
      call(meter1, "SubmitMeterReading", { der: "pv-1", interval: Number.MAX_SAFE_INTEGER, energyWh: 5 }),
    ).toEqual(["ORACLE_FUTURE_INTERVAL"]);
    // Jump to exactly the end of the current interval: now it has ended.
    const toEnd = GENESIS_TIME_MS + INTERVAL_MS - chain.timeMs;
    expect(
      call(meter1, "SubmitMeterReading", { der: "pv-1", interval: CURRENT, energyWh: 5 }, toEnd),
    ).toEqual(["ok"]);
    // Now interval CURRENT + 1 is under way: the oldest accepted is CURRENT + 1 - 4.
    expect(call(meter1, "SubmitMeterReading", { der: "pv-1", interval: CURRENT - 3, energyWh: 5 })).toEqual([
      "ok",
    ]);
    expect(call(meter1, "SubmitMeterReading", { der: "pv-1", interval: CURRENT - 4, energyWh: 5 })).toEqual([
      "ORACLE_STALE_INTERVAL",
    ]);
  });

  it("bounds the energy of a reading (schema)", () => {
    const { invalid } = setup();
    expect(
      invalid(meter1, "SubmitMeterReading", { der: "pv-1", interval: CURRENT - 1, energyWh: 1e13 }),
    ).toEqual(["TX_INVALID"]);
    expect(invalid(meter1, "SubmitMeterReading", { der: "pv-1", interval: -1, energyWh: 1 })).toEqual([
      "TX_INVALID",
    ]);
    expect(invalid(meter1, "SubmitMeterReading", { der: "pv-1", interval: 1, energyWh: 0.5 })).toEqual([
      "TX_INVALID",
    ]);
  });
});
