import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPlurigridError } from "../../core/errors.js";
import { type EvSession, evProfile } from "./ev.js";

const MIN = 60_000;
const arbSession = fc
  .record({
    arrival: fc.integer({ min: -120, max: 1500 }),
    stay: fc.integer({ min: 1, max: 900 }),
    energyNeedWh: fc.integer({ min: 0, max: 80_000 }),
    maxPowerW: fc.integer({ min: 1, max: 22_000 }),
  })
  .map(
    (s): EvSession => ({
      arrivalMs: s.arrival * MIN,
      departureMs: (s.arrival + s.stay) * MIN,
      energyNeedWh: s.energyNeedWh,
      maxPowerW: s.maxPowerW,
    }),
  );

describe("EV charging profiles", () => {
  it("deliver need − unmet, never above max power per interval, only while plugged in (property)", () => {
    fc.assert(
      fc.property(
        fc.array(arbSession, { maxLength: 8 }),
        fc.constantFrom("asap", "alap" as const),
        (sessions, strategy) => {
          const count = 96;
          const p = evProfile(sessions, 0, 15, count, strategy);
          const delivered = p.energyWh.reduce((a, b) => a + b, 0);
          const need = sessions.reduce((a, s) => a + s.energyNeedWh, 0);
          expect(delivered).toBe(need - p.unmetWh.reduce((a, b) => a + b, 0));
          for (const [i, s] of sessions.entries()) {
            const alone = evProfile([s], 0, 15, count, strategy);
            expect(alone.unmetWh[0]).toBe(p.unmetWh[i]);
            alone.energyWh.forEach((e, k) => {
              const from = Math.max(k * 15 * MIN, s.arrivalMs);
              const to = Math.min((k + 1) * 15 * MIN, s.departureMs);
              const overlapH = Math.max(to - from, 0) / 3_600_000;
              expect(e).toBeLessThanOrEqual(s.maxPowerW * overlapH + 1e-9);
              expect(Number.isSafeInteger(e) && e >= 0).toBe(true);
            });
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("asap and alap deliver the same energy: the flexibility envelope of a session", () => {
    fc.assert(
      fc.property(arbSession, (s) => {
        const a = evProfile([s], 0, 15, 96, "asap");
        const b = evProfile([s], 0, 15, 96, "alap");
        expect(a.unmetWh).toEqual(b.unmetWh);
        // asap's cumulative energy is never behind alap's.
        let ca = 0;
        let cb = 0;
        for (let k = 0; k < 96; k++) {
          ca += a.energyWh[k];
          cb += b.energyWh[k];
          expect(ca).toBeGreaterThanOrEqual(cb);
        }
      }),
    );
  });

  it("a 7.4 kW charger needs 30 Wh more than 4 h can give: 29.6 kWh delivered, 400 Wh unmet", () => {
    const p = evProfile(
      [{ arrivalMs: 0, departureMs: 240 * MIN, energyNeedWh: 30_000, maxPowerW: 7_400 }],
      0,
      15,
      96,
    );
    expect(p.energyWh.slice(0, 16)).toEqual(Array(16).fill(1_850));
    expect(p.unmetWh).toEqual([400]);
  });

  it("refuses an impossible session, naming it", () => {
    try {
      evProfile([{ arrivalMs: 0, departureMs: 0, energyNeedWh: 1, maxPowerW: 1 }], 0, 15, 4);
      expect.unreachable();
    } catch (e) {
      expect(isPlurigridError(e, "EV_SESSION_INVALID")).toBe(true);
      expect((e as { details: { field: string } }).details.field).toBe("departureMs");
    }
  });
});
