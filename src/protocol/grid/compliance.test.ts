import { describe, expect, it } from "vitest";
import {
  GENESIS_TIME_MS,
  genesisPv,
  idOf,
  scenario,
  signed,
  stateValue,
  testGenesis,
  testKeys,
} from "../test-support/fixtures.js";
import { derComplianceKey, EVENT_COUNTER_KEY, gridEventKey } from "./state.js";
import type { DerComplianceRecord, GridEventRecord, TraceSampleTuple } from "./types.js";

const [operator, alice, meter1, meter2] = testKeys(4);

function setup() {
  return scenario(
    testGenesis([operator, alice], 1_000, {
      participants: [
        { id: idOf(operator), name: "operator", roles: ["operator"] },
        { id: idOf(alice), name: "Alice", roles: ["prosumer"] },
      ],
      microgrids: [{ id: "mg-1", name: "west", buses: [1, 2, 3] }],
      // Category II, default settings (genesisPv): UV1 0.70 p.u. / 10 s; 0.65-0.88 p.u. mandatory 3 + 8.7 (V - 0.65) s
      ders: [genesisPv("pv-1", alice, meter1, 3), genesisPv("pv-2", alice, meter2, 2)],
    }),
  );
}

/** A sag to 0.68 p.u. at 1 s (mandatory for 3 + 8.7 * 0.03 = 3.261 s, UV1 trips by 10 s); trip at `tripS`. */
function sagTrace(der: string, tripS: number) {
  const samples: TraceSampleTuple[] = [
    [0, 1_000_000, 60_000, 1_000_000, 0, "on"],
    [1_000, 680_000, 60_000, 1_000_000, 0, "on"],
    [1_000 + tripS * 1_000, 680_000, 60_000, 0, 0, "tripped"],
  ];
  return { der, samples };
}

const excursion = { kind: "voltage_excursion" as const, bus: 3, vmMicroPu: 680_000, durationMs: 6_000 };

describe("grid events with device traces: IEEE 1547 verdicts in the ledger", () => {
  it("records a non-compliant verdict with the violated clause for a trip inside mandatory ride-through", () => {
    const { chain, call } = setup();
    expect(
      call(meter1, "ReportGridEvent", {
        event: excursion,
        observedAtMs: GENESIS_TIME_MS,
        traces: [sagTrace("pv-1", 2)],
      }),
    ).toEqual(["ok"]);
    const rec = stateValue<GridEventRecord>(chain, gridEventKey(0));
    expect(rec?.compliance).toEqual([
      {
        der: "pv-1",
        category: "II",
        compliant: false,
        violations: [
          {
            code: "IEEE1547_TRIPPED_IN_RIDE_THROUGH",
            clause: "6.4.2 (Table 15)",
            fromMs: 3_000,
            toMs: 3_000,
          },
        ],
        truncated: false,
      },
    ]);
    expect(stateValue<DerComplianceRecord>(chain, derComplianceKey("pv-1"))).toEqual({
      events: 1,
      nonCompliantEvents: 1,
      lastSeq: 0,
      lastCompliant: false,
    });
  });

  it("a trip between the end of ride-through and the clearing time is compliant; the DER's record accumulates", () => {
    const { chain, call } = setup();
    const report = (tripS: number) =>
      call(operator, "ReportGridEvent", {
        event: excursion,
        observedAtMs: GENESIS_TIME_MS,
        traces: [sagTrace("pv-1", tripS)],
      });
    expect(report(2)).toEqual(["ok"]);
    expect(report(5)).toEqual(["ok"]);
    expect(stateValue<GridEventRecord>(chain, gridEventKey(1))?.compliance?.[0]).toMatchObject({
      compliant: true,
      violations: [],
    });
    // still on 10.5 s into the sag: UV1's 10 s clearing time (+1 %) has passed
    expect(report(10.5)).toEqual(["ok"]);
    expect(stateValue<GridEventRecord>(chain, gridEventKey(2))?.compliance?.[0].violations).toEqual([
      { code: "IEEE1547_FAILED_TO_TRIP", clause: "6.4.1 (Table 12)", fromMs: 11_100, toMs: 11_100 },
    ]);
    expect(stateValue<DerComplianceRecord>(chain, derComplianceKey("pv-1"))).toEqual({
      events: 3,
      nonCompliantEvents: 2,
      lastSeq: 2,
      lastCompliant: false,
    });
  });

  it("refuses traces of unknown DERs, of other DERs from a device, and malformed traces; nothing is written", () => {
    const { chain, call, invalid } = setup();
    const body = (traces: unknown) => ({ event: excursion, observedAtMs: GENESIS_TIME_MS, traces });
    expect(call(operator, "ReportGridEvent", body([sagTrace("pv-9", 5)]) as never)).toEqual([
      "GRID_UNKNOWN_DER",
    ]);
    expect(call(meter1, "ReportGridEvent", body([sagTrace("pv-2", 5)]) as never)).toEqual([
      "GRID_NOT_AUTHORIZED",
    ]);
    const backwards = {
      der: "pv-1",
      samples: [sagTrace("pv-1", 5).samples[1], sagTrace("pv-1", 5).samples[0]],
    };
    expect(invalid(meter1, "ReportGridEvent", body([backwards]))).toEqual(["TX_INVALID"]);
    expect(invalid(operator, "ReportGridEvent", body([sagTrace("pv-1", 5), sagTrace("pv-1", 6)]))).toEqual([
      "TX_INVALID",
    ]);
    const float = { der: "pv-1", samples: [[0, 1.0001, 60_000, null, null, "on"]] };
    expect(invalid(meter1, "ReportGridEvent", body([float]))).toEqual(["TX_INVALID"]);
    expect(stateValue(chain, EVENT_COUNTER_KEY)).toBeUndefined();
    expect(stateValue(chain, derComplianceKey("pv-1"))).toBeUndefined();
    // the operator may submit any DER's trace, several at once
    expect(
      call(operator, "ReportGridEvent", body([sagTrace("pv-1", 5), sagTrace("pv-2", 2)]) as never),
    ).toEqual(["ok"]);
    expect(
      stateValue<GridEventRecord>(chain, gridEventKey(0))?.compliance?.map((c) => [c.der, c.compliant]),
    ).toEqual([
      ["pv-1", true],
      ["pv-2", false],
    ]);
  });

  it("events without traces are recorded as before (no compliance field)", () => {
    const { chain, call } = setup();
    expect(call(meter1, "ReportGridEvent", { event: excursion, observedAtMs: GENESIS_TIME_MS })).toEqual([
      "ok",
    ]);
    expect(stateValue<GridEventRecord>(chain, gridEventKey(0))).not.toHaveProperty("compliance");
  });

  it("two nodes applying the same block reach the same state root; a different response gives another", () => {
    const bytes = (tripS: number) =>
      signed(operator, "ReportGridEvent", 0, {
        event: excursion,
        observedAtMs: GENESIS_TIME_MS,
        traces: [sagTrace("pv-1", tripS)],
      }).bytes;
    const [a, b, c] = [setup(), setup(), setup()];
    a.chain.block([bytes(2)]);
    b.chain.block([bytes(2)]);
    c.chain.block([bytes(5)]);
    expect(a.chain.root).toBe(b.chain.root);
    expect(c.chain.root).not.toBe(a.chain.root);
  });
});
