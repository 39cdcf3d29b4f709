import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { KeyPair } from "../../core/keys.js";
import { intervalOf } from "../../core/time.js";
import { accountKey } from "../accounts/state.js";
import type { Account } from "../accounts/types.js";
import { MAX_METER_ENERGY_WH, MAX_READINGS_PER_SERIES } from "../limits.js";
import { settledDersOf } from "../market/settle-tx.js";
import { settlementKey } from "../market/state.js";
import type { SettlementRecord } from "../market/types.js";
import { StateOverlay } from "../overlay.js";
import type { BlockResult } from "../seam.js";
import {
  GENESIS_TIME_MS,
  genesisPv,
  idOf,
  resultCodes,
  scenario,
  stateValue,
  testGenesis,
  testKeys,
} from "../test-support/fixtures.js";
import { getMeterReading, meterDayKey, meterReadingKey, readingDayOf } from "./state.js";
import type { MeterDayRecord } from "./types.js";

const [operator, alice, meter1, meter2, bob, carol] = testKeys(6);
const MIN = 60_000;
const INTERVAL_MS = 15 * MIN;
/** Genesis is at 2024-06-01T00:00Z: CURRENT is the first interval of its reading day. */
const CURRENT = intervalOf(GENESIS_TIME_MS, 15);
const PER_DAY = 96;
const DAY = readingDayOf(CURRENT, 15);

function setup(maxAge = 96, intervalMinutes = 15) {
  const s = scenario(
    testGenesis([operator, alice, bob, carol], 1_000_000, {
      params: { intervalMinutes, meterReadingMaxAgeIntervals: maxAge },
      participants: [
        { id: idOf(operator), name: "operator", roles: ["operator"] },
        { id: idOf(alice), name: "Alice", roles: ["prosumer"] },
        { id: idOf(bob), name: "Bob", roles: ["consumer"] },
        { id: idOf(carol), name: "Carol", roles: ["solver"] },
      ],
      ders: [genesisPv("pv-1", alice, meter1, 3), genesisPv("pv-2", alice, meter2, 4)],
    }),
  );
  /** Time step that brings the next block to `timeMs`. */
  const at = (timeMs: number) => timeMs - s.chain.timeMs;
  /** The reading as the protocol reads it (settlement, duplicate checks), from the committed state. */
  const reading = (der: string, t: number) => getMeterReading(new StateOverlay(s.chain.state), der, t);
  const day = (der: string, d = DAY) => stateValue<MeterDayRecord>(s.chain, meterDayKey(der, d));
  // Keep each block's whole result (scenario's run returns only the codes, and gives rejected nonces back).
  let last: BlockResult | undefined;
  const apply = s.chain.block.bind(s.chain);
  s.chain.block = (...args: Parameters<typeof apply>) => {
    last = apply(...args);
    return last;
  };
  /** Applies one block of the given transactions and returns it whole. */
  const block = (items: [KeyPair, Uint8Array][], step = 1000): BlockResult => {
    s.run(items, step);
    return last as BlockResult;
  };
  return { ...s, at, reading, day, block };
}

const series = (der: string, firstInterval: number, energyWh: number[]) => ({ der, firstInterval, energyWh });
const oracleKeys = (r: BlockResult) => r.changes.map(([k]) => k).filter((k) => k.startsWith("oracle/"));

describe("oracle: meter readings in series", () => {
  it("records a day of 96 readings as one state key, each readable with its value and transaction", () => {
    const s = setup();
    const values = Array.from({ length: PER_DAY }, (_, i) => (i % 7) * 300 - 450);
    const r = s.block(
      [[meter1, s.tx(meter1, "SubmitMeterReadings", series("pv-1", CURRENT, values))]],
      s.at((CURRENT + PER_DAY) * INTERVAL_MS),
    );
    expect(resultCodes(r)).toEqual(["ok"]);
    expect(oracleKeys(r)).toEqual([meterDayKey("pv-1", DAY)]);
    const res = r.results[0];
    expect(res.ok && res.events).toEqual([
      { type: "meter_readings", attributes: { der: "pv-1", firstInterval: CURRENT, count: PER_DAY } },
    ]);
    values.forEach((energyWh, i) => {
      expect(s.reading("pv-1", CURRENT + i)).toEqual({
        energyWh,
        submittedAtMs: s.chain.timeMs,
        height: s.chain.height,
        txHash: res.txHash,
      });
    });
    expect(s.reading("pv-1", CURRENT - 1)).toBeUndefined();
    expect(s.reading("pv-1", CURRENT + PER_DAY)).toBeUndefined();
    expect(s.reading("pv-2", CURRENT)).toBeUndefined();
    expect(stateValue(s.chain, meterReadingKey("pv-1", CURRENT))).toBeUndefined();
  });

  it("merges a later series of the same day into the same record, gaps and earlier intervals included", () => {
    const s = setup();
    const now = s.at((CURRENT + 60) * INTERVAL_MS);
    const a = s.block(
      [[meter1, s.tx(meter1, "SubmitMeterReadings", series("pv-1", CURRENT + 24, [1, 2, 3]))]],
      now,
    );
    const b = s.block([[meter1, s.tx(meter1, "SubmitMeterReadings", series("pv-1", CURRENT + 40, [4, 5]))]]);
    const c = s.block([[meter1, s.tx(meter1, "SubmitMeterReadings", series("pv-1", CURRENT + 2, [-6]))]]);
    for (const r of [a, b, c]) {
      expect(resultCodes(r)).toEqual(["ok"]);
      expect(oracleKeys(r)).toEqual([meterDayKey("pv-1", DAY)]);
    }
    const expected: [number, number, BlockResult][] = [
      [CURRENT + 24, 1, a],
      [CURRENT + 25, 2, a],
      [CURRENT + 26, 3, a],
      [CURRENT + 40, 4, b],
      [CURRENT + 41, 5, b],
      [CURRENT + 2, -6, c],
    ];
    for (const [t, energyWh, r] of expected) {
      expect(s.reading("pv-1", t)).toMatchObject({ energyWh, txHash: r.results[0].txHash });
    }
    for (const t of [CURRENT, CURRENT + 3, CURRENT + 27, CURRENT + 39, CURRENT + 42]) {
      expect(s.reading("pv-1", t)).toBeUndefined();
    }
    expect(s.day("pv-1")?.uploads).toHaveLength(3);
  });

  it("refuses duplicates both ways and overlapping series, writing nothing", () => {
    const s = setup();
    s.call(
      meter1,
      "SubmitMeterReading",
      { der: "pv-1", interval: CURRENT + 5, energyWh: 7 },
      s.at((CURRENT + 60) * INTERVAL_MS),
    );
    expect(s.call(meter1, "SubmitMeterReadings", series("pv-1", CURRENT + 10, [1, 2, 3, 4]))).toEqual(["ok"]);
    const before = s.day("pv-1");
    const attempts: [string, object][] = [
      // A series over a single reading.
      ["SubmitMeterReadings", series("pv-1", CURRENT + 3, [9, 9, 9])],
      // A single reading over a series.
      ["SubmitMeterReading", { der: "pv-1", interval: CURRENT + 12, energyWh: 9 }],
      // Series overlapping a series, at either end or inside it.
      ["SubmitMeterReadings", series("pv-1", CURRENT + 8, [9, 9, 9])],
      ["SubmitMeterReadings", series("pv-1", CURRENT + 13, [9, 9])],
      ["SubmitMeterReadings", series("pv-1", CURRENT + 11, [9])],
      ["SubmitMeterReadings", series("pv-1", CURRENT + 6, [9, 9, 9, 9, 9, 9, 9, 9, 9, 9])],
    ];
    for (const [type, body] of attempts) {
      const r = s.block([[meter1, s.tx(meter1, type as "SubmitMeterReadings", body as never)]]);
      expect(resultCodes(r)).toEqual(["ORACLE_DUPLICATE"]);
      expect(oracleKeys(r)).toEqual([]);
    }
    expect(s.day("pv-1")).toEqual(before);
    expect(s.reading("pv-1", CURRENT + 5)?.energyWh).toBe(7);
    // Other DERs and free intervals are unaffected.
    expect(s.call(meter2, "SubmitMeterReadings", series("pv-2", CURRENT + 10, [1, 2, 3, 4]))).toEqual(["ok"]);
  });

  it("refuses unknown meters, other keys, future and stale intervals, and a series across two days", () => {
    const s = setup(4);
    const now = (CURRENT + PER_DAY + 2) * INTERVAL_MS; // interval CURRENT + 98 is under way
    expect(s.call(meter1, "SubmitMeterReadings", series("pv-9", CURRENT + 96, [1]), s.at(now))).toEqual([
      "ORACLE_UNKNOWN_METER",
    ]);
    expect(s.call(alice, "SubmitMeterReadings", series("pv-1", CURRENT + 96, [1]))).toEqual([
      "ORACLE_WRONG_KEY",
    ]);
    expect(s.call(meter2, "SubmitMeterReadings", series("pv-1", CURRENT + 96, [1]))).toEqual([
      "ORACLE_WRONG_KEY",
    ]);
    // The first interval has ended, the last has not.
    expect(s.call(meter1, "SubmitMeterReadings", series("pv-1", CURRENT + 97, [1, 2]))).toEqual([
      "ORACLE_FUTURE_INTERVAL",
    ]);
    expect(s.call(meter1, "SubmitMeterReadings", series("pv-1", Number.MAX_SAFE_INTEGER, [1]))).toEqual([
      "ORACLE_FUTURE_INTERVAL",
    ]);
    // Oldest accepted: CURRENT + 98 - 4 = CURRENT + 94; a series starting one earlier is stale.
    expect(s.call(meter1, "SubmitMeterReadings", series("pv-1", CURRENT + 93, [1]))).toEqual([
      "ORACLE_STALE_INTERVAL",
    ]);
    // CURRENT + 94, 95 belong to day DAY, 96 and 97 to DAY + 1.
    expect(s.call(meter1, "SubmitMeterReadings", series("pv-1", CURRENT + 94, [1, 2, 3]))).toEqual([
      "ORACLE_SERIES_SPANS_DAYS",
    ]);
    expect(s.day("pv-1", DAY)).toBeUndefined();
    expect(s.day("pv-1", DAY + 1)).toBeUndefined();
    expect(s.call(meter1, "SubmitMeterReadings", series("pv-1", CURRENT + 94, [1, 2]))).toEqual(["ok"]);
    expect(s.call(meter1, "SubmitMeterReadings", series("pv-1", CURRENT + 96, [3, 4]))).toEqual(["ok"]);
    expect([94, 95, 96, 97].map((i) => s.reading("pv-1", CURRENT + i)?.energyWh)).toEqual([1, 2, 3, 4]);
    expect(s.day("pv-1", DAY + 1)?.energyWh).toEqual([3, 4]);
  });

  it("bounds a series (schema): non-empty, at most MAX_READINGS_PER_SERIES, integers within the reading bound", () => {
    const s = setup();
    const bad = [
      [],
      Array.from({ length: MAX_READINGS_PER_SERIES + 1 }, () => 1),
      [1, 0.5],
      [MAX_METER_ENERGY_WH + 1],
      [-MAX_METER_ENERGY_WH - 1],
      [1, "2"],
      [null],
    ];
    for (const energyWh of bad) {
      expect(
        s.invalid(meter1, "SubmitMeterReadings", { der: "pv-1", firstInterval: CURRENT, energyWh }),
      ).toEqual(["TX_INVALID"]);
    }
    expect(
      s.invalid(meter1, "SubmitMeterReadings", { der: "pv-1", firstInterval: -1, energyWh: [1] }),
    ).toEqual(["TX_INVALID"]);
    expect(
      s.invalid(meter1, "SubmitMeterReadings", { der: "pv/1", firstInterval: CURRENT, energyWh: [1] }),
    ).toEqual(["TX_INVALID"]);
    expect(
      s.invalid(meter1, "SubmitMeterReadings", { der: "pv-1", firstInterval: CURRENT, energyWh: [1], x: 1 }),
    ).toEqual(["TX_INVALID"]);
    // The extremes of the bound are readings like any other.
    expect(
      s.call(
        meter1,
        "SubmitMeterReadings",
        series("pv-1", CURRENT, [MAX_METER_ENERGY_WH, -MAX_METER_ENERGY_WH]),
        s.at((CURRENT + 2) * INTERVAL_MS),
      ),
    ).toEqual(["ok"]);
  });

  it("takes a whole day at 1-minute intervals (MAX_READINGS_PER_SERIES) in one transaction", () => {
    const s = setup(MAX_READINGS_PER_SERIES, 1);
    const first = intervalOf(GENESIS_TIME_MS, 1);
    const values = Array.from({ length: MAX_READINGS_PER_SERIES }, (_, i) => i - 700);
    expect(
      s.call(meter1, "SubmitMeterReadings", series("pv-1", first, values), s.at((first + 1440) * MIN)),
    ).toEqual(["ok"]);
    expect(s.reading("pv-1", first + 1439)?.energyWh).toBe(739);
    expect(s.day("pv-1", readingDayOf(first, 1))?.energyWh).toEqual(values);
  });

  it("property: any split of a day into series and single readings reads back exactly; any overlap is refused", () => {
    const N = 24; // intervals CURRENT .. CURRENT + 23 of one reading day
    const energy = fc.integer({ min: -MAX_METER_ENERGY_WH, max: MAX_METER_ENERGY_WH });
    fc.assert(
      fc.property(
        fc.array(energy, { minLength: N, maxLength: N }),
        fc.uniqueArray(fc.integer({ min: 1, max: N - 1 }), { maxLength: 10 }),
        fc.array(fc.boolean(), { minLength: N, maxLength: N }),
        fc.array(fc.boolean(), { minLength: N, maxLength: N }),
        fc.integer({ min: 0, max: N - 1 }),
        fc.integer({ min: 1, max: N }),
        fc.boolean(),
        (values, cuts, asSingles, skip, overlapStart, overlapLen, overlapSingle) => {
          const s = setup();
          const bounds = [0, ...[...cuts].sort((x, y) => x - y), N];
          // Segments [bounds[k], bounds[k+1]); some are skipped (left without readings), some sent as singles.
          const items: [KeyPair, Uint8Array][] = [];
          const recorded = new Set<number>();
          const segments = bounds.slice(0, -1).map((lo, k) => [lo, bounds[k + 1]] as const);
          // Send the segments in an order other than the intervals' (reverse), so merging is exercised.
          for (const [lo, hi] of [...segments].reverse()) {
            if (skip[lo]) continue;
            for (let i = lo; i < hi; i++) recorded.add(i);
            if (asSingles[lo]) {
              for (let i = lo; i < hi; i++) {
                items.push([
                  meter1,
                  s.tx(meter1, "SubmitMeterReading", {
                    der: "pv-1",
                    interval: CURRENT + i,
                    energyWh: values[i],
                  }),
                ]);
              }
            } else {
              items.push([
                meter1,
                s.tx(meter1, "SubmitMeterReadings", series("pv-1", CURRENT + lo, values.slice(lo, hi))),
              ]);
            }
          }
          const r = s.block(items, s.at((CURRENT + N) * INTERVAL_MS));
          expect(resultCodes(r).every((c) => c === "ok")).toBe(true);
          for (let i = 0; i < N; i++) {
            expect(s.reading("pv-1", CURRENT + i)?.energyWh).toBe(recorded.has(i) ? values[i] : undefined);
          }
          // A new submission over [overlapStart, overlapStart + len) clipped to the day's N intervals.
          const hi = Math.min(N, overlapStart + overlapLen);
          const overlaps = [...Array(hi - overlapStart).keys()].some((j) => recorded.has(overlapStart + j));
          const body = overlapSingle
            ? { der: "pv-1", interval: CURRENT + overlapStart, energyWh: 1 }
            : series("pv-1", CURRENT + overlapStart, Array(hi - overlapStart).fill(1));
          const type = overlapSingle ? "SubmitMeterReading" : "SubmitMeterReadings";
          const covers = overlapSingle ? recorded.has(overlapStart) : overlaps;
          const rootBefore = s.day("pv-1");
          const r2 = s.block([[meter1, s.tx(meter1, type as "SubmitMeterReadings", body as never)]]);
          expect(resultCodes(r2)).toEqual([covers ? "ORACLE_DUPLICATE" : "ok"]);
          if (covers) {
            expect(oracleKeys(r2)).toEqual([]);
            expect(s.day("pv-1")).toEqual(rootBefore);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("oracle: series readings in settlement", () => {
  /** An interval an hour after genesis: Alice sells 1,500 Wh to Bob at 80,000, and her meter reports. */
  const T = CURRENT + 4;
  const START = T * INTERVAL_MS;
  function cleared(report: (s: ReturnType<typeof setup>) => string[]) {
    const s = setup();
    expect(
      s.call(alice, "SubmitIntent", {
        interval: T,
        side: "sell",
        quantityWh: 2_000,
        limitPrice: 50_000,
        der: "pv-1",
      }),
    ).toEqual(["ok"]);
    expect(
      s.call(bob, "SubmitIntent", {
        interval: T,
        side: "buy",
        quantityWh: 1_500,
        limitPrice: 120_000,
        bus: 5,
      }),
    ).toEqual(["ok"]);
    const solution = {
      interval: T,
      fills: [[1, 0, 1_500]] as [number, number, number][],
      prices: [[0, 80_000] as [number, number], [1, 80_000] as [number, number]],
      referencePrice: 80_000,
    };
    expect(s.call(carol, "SubmitSolution", solution, s.at(START - 15 * MIN))).toEqual(["ok"]);
    s.chain.block([], {}, s.at(START + 20 * MIN));
    expect(report(s)).toEqual(["ok"]);
    const r = s.chain.block([s.tx(carol, "SettleInterval", { interval: T })], {}, s.at(START + 30 * MIN));
    const settled = r.results[0];
    expect(settled.ok).toBe(true);
    const micros = (k: KeyPair) => stateValue<Account>(s.chain, accountKey(idOf(k)))?.micros;
    return {
      settlement: stateValue<SettlementRecord>(s.chain, settlementKey(T)),
      ders: settled.ok ? settledDersOf(settled.events) : [],
      balances: [alice, bob].map(micros),
    };
  }

  it("SettleInterval uses a series reading exactly as it uses the same reading sent alone", () => {
    const single = cleared((s) =>
      s.call(meter1, "SubmitMeterReading", { der: "pv-1", interval: T, energyWh: 1_200 }),
    );
    const inSeries = cleared((s) =>
      s.call(meter1, "SubmitMeterReadings", series("pv-1", T - 2, [5, 5, 1_200])),
    );
    expect(inSeries.ders[0]).toMatchObject({
      der: "pv-1",
      scheduledWh: 1_500,
      measuredWh: 1_200,
    });
    expect(inSeries.ders[0].flags).not.toContain("missing_reading");
    expect(inSeries.settlement).toEqual(single.settlement);
    expect(inSeries.ders).toEqual(single.ders);
    expect(inSeries.balances).toEqual(single.balances);
  });
});
