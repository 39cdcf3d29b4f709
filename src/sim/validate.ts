/**
 * The checks of a scenario that need the network and the data folder. They all run before the first interval,
 * and each failure names the field: SIM_DATA_MISSING (a file that is not there), SIM_UNKNOWN_BUS (a bus the
 * case does not have), SIM_UNKNOWN_BRANCH, SIM_EVENT_OUTSIDE_RUN, SIM_SCENARIO_INVALID (anything else).
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { dataDir } from "../core/data.js";
import { PlurigridError } from "../core/errors.js";
import { parseMatpower } from "../grid/matpower/index.js";
import { busIndexById } from "../grid/model.js";
import { type Scenario, scenarioError } from "./scenario.js";

export interface ResolvedPaths {
  casePath: string;
  tmy3Path: string;
  profilePaths: Map<string, string>;
  /** Row of the branch between two buses (either direction). */
  branchOf(from: number, to: number): number;
}

function fail(code: string, field: string, message: string, details: Record<string, unknown> = {}): never {
  throw new PlurigridError(code, `${field}: ${message}`, { field, ...details });
}

function dataFile(field: string, rel: string): string {
  const dir = dataDir();
  const path = resolve(dir, rel);
  if (!existsSync(path)) {
    fail(
      "SIM_DATA_MISSING",
      field,
      `data file ${path} not found (the data folder is ${dir}; set PLURIGRID_DATA or place shared/data beside the project)`,
      { path, dataDir: dir },
    );
  }
  return path;
}

/** Profile members (households or buildings) a profile file holds, from its header. */
function profileMembers(path: string, format: string): number {
  const header = readFileSync(path, "utf8").slice(0, 4096).split(/\r?\n/)[0].split(",");
  if (format === "opsd-households")
    return header.filter((h) => /^DE_KN_residential\d+_grid_import$/.test(h)).length;
  return header.length - 1;
}

export function checkScenario(s: Scenario): ResolvedPaths {
  const casePath = dataFile("network.case", `grid/${s.network.case}.m`);
  const tmy3Path = dataFile("weather.tmy3", s.weather.tmy3);
  const profilePaths = new Map<string, string>();
  const memberCount = new Map<string, number>();
  for (const [name, p] of Object.entries(s.loadProfiles)) {
    const path = dataFile(`loadProfiles.${name}.file`, p.file);
    profilePaths.set(name, path);
    memberCount.set(name, profileMembers(path, p.format));
  }
  const net = parseMatpower(readFileSync(casePath, "utf8"), s.network.case);
  const buses = busIndexById(net);
  const bus = (field: string, b: number) => {
    if (!buses.has(b)) fail("SIM_UNKNOWN_BUS", field, `bus ${b} is not in ${s.network.case}`, { bus: b });
  };
  const branchOf = (from: number, to: number): number => {
    const f = buses.get(from);
    const t = buses.get(to);
    for (let k = 0; k < net.branch.count; k++) {
      const a = net.branch.from[k];
      const b = net.branch.to[k];
      if ((a === f && b === t) || (a === t && b === f)) return k;
    }
    return -1;
  };
  const profile = (field: string, name: string, member: number, span = 1) => {
    const n = memberCount.get(name);
    if (n === undefined) scenarioError(`${field}.profile`, `no load profile named ${name} in loadProfiles`);
    if (member + span > n)
      scenarioError(`${field}.member`, `profile ${name} has members 0..${n - 1}`, { member });
  };

  bus("market.upstream.bus", s.market.upstream.bus);
  const ids = new Set<string>();
  const addId = (field: string, id: string) => {
    if (id === "upstream") scenarioError(field, "the id upstream is the substation's");
    if (ids.has(id)) scenarioError(field, `participant id ${id} is used twice`);
    ids.add(id);
  };
  s.participants.forEach((p, i) => {
    const f = `participants[${i}]`;
    addId(`${f}.id`, p.id);
    bus(`${f}.bus`, p.bus);
    if (p.load) profile(`${f}.load`, p.load.profile, p.load.member);
    if (p.caseLoads) {
      profile(`${f}.caseLoads`, p.caseLoads.profile, p.caseLoads.member);
      for (const [j, b] of p.caseLoads.buses.entries()) bus(`${f}.caseLoads.buses[${j}]`, b);
    }
    if (!p.load && !p.caseLoads && !p.pv && !p.battery && !p.ev) {
      scenarioError(f, "a participant needs at least one of load, caseLoads, pv, battery, ev");
    }
    if (p.battery && p.battery.minSocPct > p.battery.initialSocPct) {
      scenarioError(`${f}.battery.initialSocPct`, "must be at least minSocPct");
    }
  });
  s.groups.forEach((g, i) => {
    const f = `groups[${i}]`;
    for (const [j, b] of g.buses.entries()) bus(`${f}.buses[${j}]`, b);
    profile(`${f}.load`, g.load.profile, g.load.member, g.load.members);
    if (g.load.scaleMin > g.load.scaleMax) scenarioError(`${f}.load.scaleMin`, "must not exceed scaleMax");
    for (let k = 1; k <= g.count; k++) addId(`${f}.id`, `${g.id}-${k}`);
  });
  const assigned = new Map<number, string>();
  s.microgrids.forEach((m, i) => {
    m.buses.forEach((b, j) => {
      const f = `microgrids[${i}].buses[${j}]`;
      bus(f, b);
      if (assigned.has(b)) scenarioError(f, `bus ${b} is already in microgrid ${assigned.get(b)}`);
      assigned.set(b, m.id);
    });
  });

  const startMs = Date.parse(s.start);
  const stepMs = s.intervalMinutes * 60_000;
  if (!Number.isFinite(startMs)) scenarioError("start", "not a valid time");
  if (startMs % stepMs !== 0) scenarioError("start", `must be on a ${s.intervalMinutes}-minute boundary`);
  const steps = (s.durationHours * 60) / s.intervalMinutes;
  if (!Number.isInteger(steps))
    scenarioError("durationHours", `must be a whole number of ${s.intervalMinutes}-minute intervals`);
  const endMs = startMs + steps * stepMs;
  s.events.forEach((e, i) => {
    const f = `events[${i}]`;
    const at = Date.parse(e.at);
    if (!Number.isFinite(at)) scenarioError(`${f}.at`, "not a valid time");
    if (at < startMs || at >= endMs) {
      fail(
        "SIM_EVENT_OUTSIDE_RUN",
        `${f}.at`,
        `${e.at} is outside the run [${s.start}, ${new Date(endMs).toISOString()})`,
        {
          at: e.at,
        },
      );
    }
    if (e.kind === "branch_outage" || e.kind === "branch_restoration") {
      bus(`${f}.from`, e.from);
      bus(`${f}.to`, e.to);
      if (branchOf(e.from, e.to) < 0) {
        fail("SIM_UNKNOWN_BRANCH", f, `no branch between buses ${e.from} and ${e.to} in ${s.network.case}`);
      }
    } else if (!ids.has(e.participant)) {
      scenarioError(`${f}.participant`, `no participant ${e.participant}`);
    }
  });
  return { casePath, tmy3Path, profilePaths, branchOf };
}
