import { describe, expect, it } from "vitest";
import {
  absoluteAirmass,
  altitudeToPressurePa,
  ineichenPerez,
  pvStep,
  pvSystem,
  relativeAirmassKastenYoung,
  solarPosition,
} from "./index.js";

describe("der public entry", () => {
  it("drives a clear June day at Golden from sun to AC power through the index alone", () => {
    const system = pvSystem({
      latitudeDeg: 39.742,
      longitudeDeg: -105.18,
      elevationM: 1829,
      surfaceTiltDeg: 40,
      surfaceAzimuthDeg: 180,
      pdc0W: 5000,
      pac0W: 4200,
    });
    const acByHour: number[] = [];
    for (let h = 0; h < 24; h++) {
      const utcMs = Date.UTC(2021, 5, 21, h + 7); // local standard time UTC−7
      const sun = solarPosition({
        utcMs,
        latitudeDeg: system.latitudeDeg,
        longitudeDeg: system.longitudeDeg,
        elevationM: system.elevationM,
        pressureMbar: 820,
        temperatureC: 20,
        deltaTS: 69,
      });
      const am = absoluteAirmass(
        relativeAirmassKastenYoung(sun.apparentZenithDeg),
        altitudeToPressurePa(1829),
      );
      const cs = ineichenPerez({
        apparentZenithDeg: sun.apparentZenithDeg,
        airmassAbsolute: am,
        linkeTurbidity: 3,
        altitudeM: 1829,
      });
      const step = pvStep(
        system,
        {
          utcMs,
          ghiWm2: cs.ghiWm2,
          dniWm2: cs.dniWm2,
          dhiWm2: cs.dhiWm2,
          ambientC: 25,
          windMs: 2,
          pressureMbar: 820,
        },
        69,
      );
      acByHour.push(step.acW);
    }
    expect(acByHour[0]).toBe(0);
    expect(acByHour[23]).toBe(0);
    const peak = acByHour.indexOf(Math.max(...acByHour));
    // Solar noon at 105.18 W is ≈ 12:00 local standard time in June.
    expect([11, 12]).toContain(peak);
    expect(acByHour[peak]).toBeGreaterThan(3000);
    expect(acByHour[peak]).toBeLessThanOrEqual(4200);
  });
});
