/**
 * A short scenario for the simulator's tests (eight hours of a summer day on case33bw): every feature of
 * the main job in small: solar field, grid-forming community battery, feeder loads, households with PV,
 * batteries (LP-scheduled) and an EV, a two-hour outage that islands buses 26-33, a tampered meter and a
 * double seller. Used by the tests (and nothing else).
 */
import { stringify } from "yaml";
import { parseScenario, type Scenario, type ScenarioInput } from "./scenario.js";

export function testScenarioInput(overrides: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    name: "test-feeder",
    seed: 11,
    start: "2016-07-06T12:00:00Z",
    durationHours: 8,
    intervalMinutes: 15,
    network: { case: "case33bw" },
    weather: { tmy3: "solar/tmy3_723170TYA_greensboro_nc.csv" },
    loadProfiles: {
      households: {
        file: "load/opsd_household_konstanz_60min_cumulative_kwh_2016-03_2017-01.csv",
        format: "opsd-households",
        timezoneHours: 2,
      },
      buildings: {
        file: "load/cambridge_estates_8_buildings_hourly_kwh_2019.csv",
        format: "cambridge-buildings",
        timezoneHours: 1,
      },
    },
    microgrids: [{ id: "community", name: "community", buses: [26, 27, 28, 29, 30, 31, 32, 33] }],
    participants: [
      {
        id: "solar-field",
        bus: 30,
        strategy: { kind: "markup", markupMicrosPerKWh: 10_000 },
        pv: { ratingW: 3_000_000 },
      },
      {
        id: "community-battery",
        bus: 30,
        strategy: { kind: "optimal", horizonHours: 8, replanEveryIntervals: 8 },
        battery: { ratingW: 600_000, energyWh: 2_400_000, gridForming: true },
      },
      {
        id: "feeder-main",
        bus: 2,
        caseLoads: {
          buses: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25],
          profile: "buildings",
          member: 0,
        },
      },
      {
        id: "feeder-community",
        bus: 26,
        caseLoads: { buses: [26, 27, 28, 29, 30, 31, 32, 33], profile: "buildings", member: 4 },
      },
      { id: "prosumer-x", bus: 15, load: { profile: "households", member: 3 }, pv: { ratingW: 8000 } },
    ],
    groups: [
      {
        id: "hh",
        count: 6,
        buses: [26, 28, 30, 13, 17],
        batteryStrategy: { kind: "optimal", horizonHours: 8, replanEveryIntervals: 8 },
        load: { profile: "households", member: 0, members: 6 },
        pv: { ratingW: 5000, sharePct: 50 },
        battery: { ratingW: 5000, energyWh: 13_500, sharePct: 50 },
        ev: { ratingW: 7400, energyWhPerDay: 9000, arriveHour: 8, sharePct: 20 },
      },
    ],
    events: [
      { at: "2016-07-06T16:00:00Z", kind: "branch_outage", from: 6, to: 26 },
      { at: "2016-07-06T18:00:00Z", kind: "branch_restoration", from: 6, to: 26 },
      { at: "2016-07-06T12:00:00Z", kind: "meter_tamper", participant: "hh-1", attack: "h1" },
      { at: "2016-07-06T14:00:00Z", kind: "double_selling", participant: "prosumer-x" },
    ],
    ...overrides,
  };
}

export function testScenario(overrides: Partial<ScenarioInput> = {}): { scenario: Scenario; text: string } {
  const input = testScenarioInput(overrides);
  return { scenario: parseScenario(input), text: stringify(input) };
}
