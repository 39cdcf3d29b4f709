import { describe, expect, it } from "vitest";
import { marketNetworkSpec } from "../market/book.js";
import { StateOverlay } from "../overlay.js";
import {
  GENESIS_TIME_MS,
  genesisPv,
  idOf,
  scenario,
  stateValue,
  testGenesis,
  testKeys,
} from "../test-support/fixtures.js";
import { branchKey, EVENT_COUNTER_KEY, gridEventKey, gridMicrogridKey, switchKey } from "./state.js";
import type { GridEvent, GridEventRecord } from "./types.js";

const [operator, alice, meter1] = testKeys(3);

function setup() {
  return scenario(
    testGenesis([operator, alice], 1_000, {
      participants: [
        { id: idOf(operator), name: "operator", roles: ["operator"] },
        { id: idOf(alice), name: "Alice", roles: ["prosumer"] },
      ],
      microgrids: [
        { id: "mg-1", name: "west", buses: [1, 2, 3] },
        { id: "mg-2", name: "east", buses: [4, 5, 6] },
      ],
      ders: [genesisPv("pv-1", alice, meter1, 3)],
    }),
  );
}

const report = (event: GridEvent, observedAtMs = GENESIS_TIME_MS) => ({ event, observedAtMs });

describe("grid: topology view", () => {
  it("an operator takes branches out of service and back, opens and closes switches", () => {
    const { chain, call } = setup();
    expect(stateValue(chain, branchKey(2))).toEqual({ fromBus: 3, toBus: 4, inService: true });
    expect(call(operator, "ReportGridEvent", report({ kind: "branch_outage", branch: 2 }))).toEqual(["ok"]);
    expect(stateValue(chain, branchKey(2))).toEqual({ fromBus: 3, toBus: 4, inService: false });
    expect(call(operator, "ReportGridEvent", report({ kind: "branch_outage", branch: 2 }))).toEqual([
      "GRID_NO_CHANGE",
    ]);
    expect(call(operator, "ReportGridEvent", report({ kind: "branch_restoration", branch: 2 }))).toEqual([
      "ok",
    ]);
    expect(stateValue(chain, branchKey(2))).toMatchObject({ inService: true });
    expect(call(operator, "ReportGridEvent", report({ kind: "branch_outage", branch: 5 }))).toEqual([
      "GRID_UNKNOWN_BRANCH",
    ]);

    expect(stateValue(chain, switchKey(0))).toEqual({ fromBus: 6, toBus: 1, closed: false });
    expect(call(operator, "ReportGridEvent", report({ kind: "switch_open", switch: 0 }))).toEqual([
      "GRID_NO_CHANGE",
    ]);
    expect(call(operator, "ReportGridEvent", report({ kind: "switch_close", switch: 0 }))).toEqual(["ok"]);
    expect(stateValue(chain, switchKey(0))).toMatchObject({ closed: true });
    expect(call(operator, "ReportGridEvent", report({ kind: "switch_close", switch: 1 }))).toEqual([
      "GRID_UNKNOWN_SWITCH",
    ]);
  });

  it("the market network's key follows every topology change, remembered or made afresh", () => {
    const { chain, call } = setup();
    // A reader that hands out fresh bytes on every read: the remembered key never applies to it.
    const afresh = { get: (k: string) => chain.state.get(k)?.slice() };
    const keys: string[] = [];
    const check = () => {
      const fresh = marketNetworkSpec(new StateOverlay(afresh), "genesis").key;
      const first = marketNetworkSpec(new StateOverlay(chain.state), "genesis").key;
      const again = marketNetworkSpec(new StateOverlay(chain.state), "genesis").key;
      expect([first, again]).toEqual([fresh, fresh]);
      keys.push(fresh);
    };
    check();
    for (const event of [
      { kind: "branch_outage", branch: 2 },
      { kind: "switch_close", switch: 0 },
      { kind: "islanding", microgrid: "mg-2", islanded: true },
      { kind: "branch_restoration", branch: 2 },
    ] as const) {
      expect(call(operator, "ReportGridEvent", report(event))).toEqual(["ok"]);
      check();
    }
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("logs every accepted event in order, with its reporter", () => {
    const { chain, call } = setup();
    call(operator, "ReportGridEvent", report({ kind: "branch_outage", branch: 0 }));
    call(operator, "ReportGridEvent", report({ kind: "branch_outage", branch: 0 })); // refused: not logged
    call(
      meter1,
      "ReportGridEvent",
      report({ kind: "voltage_excursion", bus: 3, vmMicroPu: 1_110_000, durationMs: 160 }),
    );
    expect(stateValue(chain, EVENT_COUNTER_KEY)).toEqual({ count: 2 });
    expect(stateValue<GridEventRecord>(chain, gridEventKey(0))).toMatchObject({
      event: { kind: "branch_outage", branch: 0 },
      reporter: idOf(operator),
      height: 1,
    });
    expect(stateValue<GridEventRecord>(chain, gridEventKey(1))).toMatchObject({
      event: { kind: "voltage_excursion", bus: 3 },
      reporter: idOf(meter1),
    });
    expect(gridEventKey(1) < gridEventKey(10)).toBe(true);
  });

  it("devices report excursions and islanding about their own bus and microgrid only", () => {
    const { chain, call } = setup();
    expect(
      call(
        meter1,
        "ReportGridEvent",
        report({ kind: "voltage_excursion", bus: 4, vmMicroPu: 880_000, durationMs: 2_000 }),
      ),
    ).toEqual(["GRID_NOT_AUTHORIZED"]);
    expect(
      call(meter1, "ReportGridEvent", report({ kind: "islanding", microgrid: "mg-2", islanded: true })),
    ).toEqual(["GRID_NOT_AUTHORIZED"]);
    expect(call(meter1, "ReportGridEvent", report({ kind: "branch_outage", branch: 1 }))).toEqual([
      "GRID_NOT_AUTHORIZED",
    ]);
    expect(
      call(alice, "ReportGridEvent", report({ kind: "islanding", microgrid: "mg-1", islanded: true })),
    ).toEqual(["GRID_NOT_AUTHORIZED"]);
    expect(
      call(meter1, "ReportGridEvent", report({ kind: "islanding", microgrid: "mg-1", islanded: true })),
    ).toEqual(["ok"]);
    expect(stateValue(chain, gridMicrogridKey("mg-1"))).toEqual({
      islanded: true,
      changedAtMs: chain.timeMs,
    });
    expect(
      call(operator, "ReportGridEvent", report({ kind: "islanding", microgrid: "mg-1", islanded: true })),
    ).toEqual(["GRID_NO_CHANGE"]);
    expect(
      call(
        meter1,
        "ReportGridEvent",
        report({ kind: "frequency_excursion", microgrid: "mg-1", frequencyMilliHz: 61_300, durationMs: 500 }),
      ),
    ).toEqual(["ok"]);
  });

  it("refuses unknown buses and microgrids, and events observed after protocol time", () => {
    const { chain, call, invalid } = setup();
    expect(
      call(
        operator,
        "ReportGridEvent",
        report({ kind: "voltage_excursion", bus: 77, vmMicroPu: 0, durationMs: 1 }),
      ),
    ).toEqual(["GRID_UNKNOWN_BUS"]);
    expect(
      call(operator, "ReportGridEvent", report({ kind: "islanding", microgrid: "mg-9", islanded: true })),
    ).toEqual(["GRID_UNKNOWN_MICROGRID"]);
    expect(
      call(operator, "ReportGridEvent", report({ kind: "branch_outage", branch: 1 }, chain.timeMs + 60_000)),
    ).toEqual(["GRID_FUTURE_EVENT"]);
    expect(invalid(operator, "ReportGridEvent", report({ kind: "meteor" } as unknown as GridEvent))).toEqual([
      "TX_INVALID",
    ]);
  });
});
