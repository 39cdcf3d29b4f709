import { describe, expect, it } from "vitest";
import { PlurigridError } from "../core/errors.js";
import { describeData } from "../test-support/data.js";
import { parseScenario } from "./scenario.js";
import { testScenarioInput } from "./test-scenario.js";
import { buildWorld } from "./world.js";

function failure(f: () => unknown): PlurigridError {
  try {
    f();
  } catch (e) {
    if (e instanceof PlurigridError) return e;
    throw e;
  }
  throw new Error("expected a PlurigridError");
}

describe("scenario schema", () => {
  it("names the field of a negative capacity", () => {
    const input = testScenarioInput();
    const ps = input.participants as Record<string, unknown>[];
    ps[1] = { ...ps[1], battery: { ratingW: 1000, energyWh: -5 } };
    const e = failure(() => parseScenario(input));
    expect(e.code).toBe("SIM_SCENARIO_INVALID");
    expect(e.details.field).toBe("participants[1].battery.energyWh");
    expect(e.message).toContain("participants[1].battery.energyWh");
  });

  it("rejects an interval that does not divide a day and unknown keys", () => {
    expect(failure(() => parseScenario(testScenarioInput({ intervalMinutes: 7 }))).details.field).toBe(
      "intervalMinutes",
    );
    const e = failure(() => parseScenario({ ...testScenarioInput(), colour: "blue" }));
    expect(e.code).toBe("SIM_SCENARIO_INVALID");
    expect(e.message).toContain("colour");
  });
});

describeData("scenario checks before the run", () => {
  const world = (overrides: Parameters<typeof testScenarioInput>[0]) => () =>
    buildWorld(parseScenario(testScenarioInput(overrides)));

  it("an unknown bus names the participant's bus", () => {
    const input = testScenarioInput();
    (input.participants as { bus: number }[])[4].bus = 99;
    const e = failure(() => buildWorld(parseScenario(input)));
    expect(e.code).toBe("SIM_UNKNOWN_BUS");
    expect(e.details.field).toBe("participants[4].bus");
  });

  it("an unknown bus in a group or microgrid names it", () => {
    const e = failure(world({ microgrids: [{ id: "m", name: "m", buses: [26, 340] }] }));
    expect(e.code).toBe("SIM_UNKNOWN_BUS");
    expect(e.details.field).toBe("microgrids[0].buses[1]");
  });

  it("a missing data file names the field and the folder looked in", () => {
    const e = failure(world({ weather: { tmy3: "solar/no-such-file.csv" } }));
    expect(e.code).toBe("SIM_DATA_MISSING");
    expect(e.details.field).toBe("weather.tmy3");
    expect(e.message).toContain("no-such-file.csv");
  });

  it("an event outside the run names the event's time", () => {
    const input = testScenarioInput();
    input.events = [{ at: "2016-07-07T12:00:00Z", kind: "branch_outage", from: 6, to: 26 }];
    const e = failure(() => buildWorld(parseScenario(input)));
    expect(e.code).toBe("SIM_EVENT_OUTSIDE_RUN");
    expect(e.details.field).toBe("events[0].at");
  });

  it("an event for a branch or participant that does not exist names it", () => {
    const input = testScenarioInput();
    input.events = [{ at: "2016-07-06T13:00:00Z", kind: "branch_outage", from: 6, to: 33 }];
    expect(failure(() => buildWorld(parseScenario(input))).code).toBe("SIM_UNKNOWN_BRANCH");
    input.events = [{ at: "2016-07-06T13:00:00Z", kind: "double_selling", participant: "hh-99" }];
    expect(failure(() => buildWorld(parseScenario(input))).details.field).toBe("events[0].participant");
  });

  it("a profile member that does not exist names the member", () => {
    const input = testScenarioInput();
    (input.participants as Record<string, unknown>[])[4].load = { profile: "households", member: 6 };
    expect(failure(() => buildWorld(parseScenario(input))).details.field).toBe("participants[4].load.member");
  });

  it("a valid scenario expands groups deterministically from the seed", () => {
    const a = buildWorld(parseScenario(testScenarioInput()));
    const b = buildWorld(parseScenario(testScenarioInput()));
    expect(a.agents.map((x) => x.id)).toEqual(b.agents.map((x) => x.id));
    expect(a.agents.map((x) => x.account)).toEqual(b.agents.map((x) => x.account));
    expect(a.agents.filter((x) => x.household)).toHaveLength(6);
    const c = buildWorld(parseScenario(testScenarioInput({ seed: 12 })));
    expect(c.agents[0].account).not.toBe(a.agents[0].account);
  });
});
