import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPlurigridError } from "../../core/errors.js";
import { type BatterySpec, batterySchedule, batterySpec, batteryStep } from "./battery.js";

const HOUR = 3600;

/** A 10 kWh / 5 kW battery, 95 % each way, 20 000 µ per kWh of wear. */
const SPEC = batterySpec({
  capacityWh: 10_000,
  socMinWh: 1_000,
  socMaxWh: 9_500,
  chargePowerMaxW: 5_000,
  dischargePowerMaxW: 4_000,
  chargeEfficiencyPpm: 950_000,
  dischargeEfficiencyPpm: 950_000,
  degradationMicrosPerKWh: 20_000,
});

const arbSpec = fc
  .record({
    capacityWh: fc.integer({ min: 100, max: 2_000_000 }),
    minFrac: fc.double({ min: 0, max: 0.4, noNaN: true }),
    maxFrac: fc.double({ min: 0.6, max: 1, noNaN: true }),
    chargePowerMaxW: fc.integer({ min: 0, max: 1_000_000 }),
    dischargePowerMaxW: fc.integer({ min: 0, max: 1_000_000 }),
    chargeEfficiencyPpm: fc.integer({ min: 500_000, max: 1_000_000 }),
    dischargeEfficiencyPpm: fc.integer({ min: 500_000, max: 1_000_000 }),
    degradationMicrosPerKWh: fc.integer({ min: 0, max: 1_000_000 }),
  })
  .map(({ minFrac, maxFrac, ...r }) =>
    batterySpec({
      ...r,
      socMinWh: Math.floor(r.capacityWh * minFrac),
      socMaxWh: Math.max(Math.floor(r.capacityWh * minFrac) + 1, Math.floor(r.capacityWh * maxFrac)),
    }),
  );

const arbRun = arbSpec.chain((spec) =>
  fc.record({
    spec: fc.constant(spec),
    soc0: fc.integer({ min: spec.socMinWh, max: spec.socMaxWh }),
    powers: fc.array(fc.integer({ min: -1_500_000, max: 1_500_000 }), { maxLength: 60 }),
    durationS: fc.constantFrom(60, 300, 900, 3600),
  }),
);

describe("battery state of charge", () => {
  it("keeps the state of charge within [socMin, socMax] for any schedule (property)", () => {
    fc.assert(
      fc.property(arbRun, ({ spec, soc0, powers, durationS }) => {
        const run = batterySchedule(spec, { socWh: soc0, throughputWh: 0 }, powers, durationS);
        for (const s of run.steps) {
          expect(s.state.socWh).toBeGreaterThanOrEqual(spec.socMinWh);
          expect(s.state.socWh).toBeLessThanOrEqual(spec.socMaxWh);
          expect(Number.isSafeInteger(s.state.socWh)).toBe(true);
        }
      }),
    );
  });

  it("conserves energy exactly: Σ grid = ΔSoC + Σ losses, losses ≥ 0 and bounded by the efficiencies (property)", () => {
    fc.assert(
      fc.property(arbRun, ({ spec, soc0, powers, durationS }) => {
        const run = batterySchedule(spec, { socWh: soc0, throughputWh: 0 }, powers, durationS);
        expect(run.gridWh).toBe(run.final.socWh - soc0 + run.lossWh);
        for (const s of run.steps) {
          expect(s.gridWh).toBe(s.storedWh + s.lossWh);
          expect(s.lossWh).toBeGreaterThanOrEqual(0);
          if (s.gridWh > 0) {
            // Charging stores η_c of what is drawn (±0.5 Wh of rounding).
            expect(Math.abs(s.storedWh - (s.gridWh * spec.chargeEfficiencyPpm) / 1e6)).toBeLessThanOrEqual(
              0.5,
            );
          } else if (s.gridWh < 0) {
            // Discharging delivers η_d of what leaves the cells.
            expect(
              Math.abs(-s.gridWh - (-s.storedWh * spec.dischargeEfficiencyPpm) / 1e6),
            ).toBeLessThanOrEqual(0.5 + 1e-9);
          }
          expect(Math.sign(s.gridWh) * Math.sign(s.storedWh)).toBeGreaterThanOrEqual(0);
        }
        // Throughput counts energy into and out of the cells.
        expect(run.final.throughputWh).toBe(run.steps.reduce((a, s) => a + Math.abs(s.storedWh), 0));
      }),
    );
  });

  it("a full cycle returns η_c·η_d of the energy drawn (round trip)", () => {
    const full = batterySchedule(SPEC, { socWh: 1_000, throughputWh: 0 }, Array(4).fill(5_000), HOUR);
    expect(full.final.socWh).toBe(9_500);
    const back = batterySchedule(SPEC, full.final, Array(4).fill(-4_000), HOUR);
    expect(back.final.socWh).toBe(1_000);
    const roundTrip = -back.gridWh / full.gridWh;
    expect(Math.abs(roundTrip - 0.95 * 0.95)).toBeLessThan(2 / full.gridWh);
  });

  it("clip mode names the limit: power, then the socMax and socMin energy limits", () => {
    const s = { socWh: 9_000, throughputWh: 0 };
    const p = batteryStep(SPEC, { socWh: 5_000, throughputWh: 0 }, 6_000, 900);
    expect(p.limitedBy).toBe("power");
    expect(p.gridWh).toBe(1_250); // 5 kW for 15 min
    const full = batteryStep(SPEC, s, 5_000, HOUR);
    expect(full.limitedBy).toBe("socMax");
    expect(full.state.socWh).toBe(9_500);
    const empty = batteryStep(SPEC, { socWh: 1_500, throughputWh: 0 }, -4_000, HOUR);
    expect(empty.limitedBy).toBe("socMin");
    expect(empty.state.socWh).toBe(1_000);
    expect(empty.gridWh).toBe(-475); // 500 Wh out of the cells at 95 %
  });

  it("strict mode throws the coded limit errors and otherwise agrees with clip mode (property)", () => {
    fc.assert(
      fc.property(arbRun, ({ spec, soc0, powers, durationS }) => {
        let state = { socWh: soc0, throughputWh: 0 };
        for (const p of powers) {
          const clipped = batteryStep(spec, state, p, durationS, "clip");
          try {
            const strict = batteryStep(spec, state, p, durationS, "strict");
            expect(clipped.limitedBy).toBeNull();
            expect(strict).toEqual(clipped);
          } catch (e) {
            expect(clipped.limitedBy).not.toBeNull();
            // Strict checks the power first; clip reports the limit that bound last (energy after power).
            const powerMax = p >= 0 ? spec.chargePowerMaxW : spec.dischargePowerMaxW;
            const code = Math.abs(p) > powerMax ? "BATTERY_POWER_LIMIT" : "BATTERY_ENERGY_LIMIT";
            expect(isPlurigridError(e, code)).toBe(true);
          }
          state = clipped.state;
        }
      }),
    );
  });

  it("degradation cost is the wear price times the throughput, per step rounded half to even", () => {
    const run = batterySchedule(SPEC, { socWh: 1_000, throughputWh: 0 }, [5_000, -4_000, 3_333], HOUR);
    for (const s of run.steps) {
      const exact = (Math.abs(s.storedWh) * 20_000) / 1000;
      expect(Math.abs(s.degradationMicros - exact)).toBeLessThanOrEqual(0.5);
    }
    expect(run.degradationMicros).toBe(run.steps.reduce((a, s) => a + s.degradationMicros, 0));
  });

  it("refuses bad specs, requests and states with coded errors naming the field", () => {
    const bad = (input: Partial<Record<keyof BatterySpec, unknown>>, field: string) => {
      try {
        batterySpec({ ...SPEC, ...input });
        expect.unreachable(field);
      } catch (e) {
        expect(isPlurigridError(e, "BATTERY_SPEC_INVALID")).toBe(true);
        expect((e as { details: { field: string } }).details.field).toBe(field);
      }
    };
    bad({ chargeEfficiencyPpm: 1_000_001 }, "chargeEfficiencyPpm");
    bad({ capacityWh: 1.5 }, "capacityWh");
    bad({ socMaxWh: 20_000 }, "socMaxWh");
    bad({ socMinWh: 9_500 }, "socMaxWh");
    expect(() => batteryStep(SPEC, { socWh: 5_000, throughputWh: 0 }, 1.5, 900)).toThrow(/integer W/);
    expect(() => batteryStep(SPEC, { socWh: 5_000, throughputWh: 0 }, 100, 0)).toThrow(/positive integer s/);
    try {
      batteryStep(SPEC, { socWh: 10_000, throughputWh: 0 }, 0, 900);
      expect.unreachable();
    } catch (e) {
      expect(isPlurigridError(e, "BATTERY_STATE_INVALID")).toBe(true);
    }
  });
});
