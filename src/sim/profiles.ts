/**
 * Measured load profiles as the simulated world consumes them: hourly energy per member (household or
 * building), sampled at the run's intervals by local time of day. This is the narrow interface the simulator
 * needs from the load readers; it reads the two reference files directly until der/ provides readers.
 *
 * - OPSD household data (Konstanz): cumulative kWh counters; a household's consumption in an hour is
 *   Δimport + Δpv − Δexport (data/load/README.md), with an absent column counting as 0.
 * - Cambridge Estates buildings: kWh per hour, stamped at the start of the hour.
 */
import { readFileSync } from "node:fs";
import { PlurigridError } from "../core/errors.js";

const HOUR_MS = 3_600_000;
/** Profiles are shifted by whole multiples of 52 weeks to reach the run's dates, so weekdays stay weekdays. */
const SHIFT_MS = 364 * 24 * HOUR_MS;

export interface LoadProfile {
  /** Start of the first hour, UTC ms. */
  startMs: number;
  /** Hourly energy of each member, kWh; members[m][h] covers [startMs + h·1h, +1h). */
  members: Float64Array[];
  names: string[];
  /** Local time zone of the measurements, hours from UTC. */
  timezoneHours: number;
}

function parseUtc(text: string, source: string, line: number): number {
  const t = Date.parse(text.includes("T") ? text : `${text.replace(" ", "T")}Z`);
  if (!Number.isFinite(t)) {
    throw new PlurigridError("SIM_PROFILE_PARSE", `${source} line ${line}: bad timestamp ${text}`, {
      source,
      line,
    });
  }
  return t;
}

function rowsOf(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .filter((l) => l.length > 0)
    .map((l) => l.split(","));
}

/** The six OPSD households: hourly consumption from the cumulative import/pv/export counters. */
export function parseOpsdHouseholds(text: string, source: string, timezoneHours: number): LoadProfile {
  const rows = rowsOf(text);
  const header = rows[0];
  const names: string[] = [];
  const cols: { imp: number; pv: number; exp: number }[] = [];
  for (let n = 1; n <= 9; n++) {
    const imp = header.indexOf(`DE_KN_residential${n}_grid_import`);
    if (imp < 0) continue;
    names.push(`residential${n}`);
    cols.push({
      imp,
      pv: header.indexOf(`DE_KN_residential${n}_pv`),
      exp: header.indexOf(`DE_KN_residential${n}_grid_export`),
    });
  }
  if (names.length === 0) {
    throw new PlurigridError("SIM_PROFILE_PARSE", `${source}: no DE_KN_residential*_grid_import column`, {
      source,
    });
  }
  const hours = rows.length - 2;
  const members = cols.map(() => new Float64Array(hours));
  const cell = (r: string[], i: number) =>
    i < 0 || r[i] === undefined || r[i] === "" ? Number.NaN : Number(r[i]);
  for (let h = 0; h < hours; h++) {
    const a = rows[h + 1];
    const b = rows[h + 2];
    cols.forEach((c, m) => {
      const d = (i: number) => {
        const v = cell(b, i) - cell(a, i);
        return Number.isFinite(v) ? v : 0;
      };
      members[m][h] = Math.max(0, d(c.imp) + d(c.pv) - d(c.exp));
    });
  }
  return { startMs: parseUtc(rows[1][0], source, 2), members, names, timezoneHours };
}

/** The eight Cambridge buildings: kWh per hour as measured. */
export function parseCambridgeBuildings(text: string, source: string, timezoneHours: number): LoadProfile {
  const rows = rowsOf(text);
  const names = rows[0].slice(1);
  const hours = rows.length - 1;
  const members = names.map(() => new Float64Array(hours));
  for (let h = 0; h < hours; h++) {
    const r = rows[h + 1];
    for (let m = 0; m < names.length; m++) {
      const v = Number(r[m + 1]);
      members[m][h] = Number.isFinite(v) && v > 0 ? v : 0;
    }
  }
  // The first hour of the file is a half-hour aggregation artefact (data/load/README.md): use the next.
  for (const s of members) if (hours > 1) s[0] = s[1];
  return { startMs: parseUtc(rows[1][0], source, 2), members, names, timezoneHours };
}

export function readLoadProfile(
  path: string,
  format: "opsd-households" | "cambridge-buildings",
  timezoneHours: number,
): LoadProfile {
  const text = readFileSync(path, "utf8");
  return format === "opsd-households"
    ? parseOpsdHouseholds(text, path, timezoneHours)
    : parseCambridgeBuildings(text, path, timezoneHours);
}

/**
 * Energy of `member` in each interval of the run, Wh (not rounded), aligned by local time of day: the
 * interval that starts at site-local 18:00 takes the hour that started at 18:00 local time where the profile
 * was measured, `dayShift` days later, moved by whole 52-week steps into the measured period.
 */
export function sampleProfile(
  p: LoadProfile,
  member: number,
  startMs: number,
  count: number,
  intervalMinutes: number,
  siteTimezoneHours: number,
  dayShift: number,
): Float64Array {
  const series = p.members[member];
  const spanMs = series.length * HOUR_MS;
  const out = new Float64Array(count);
  const stepMs = intervalMinutes * 60_000;
  const offsetMs = (siteTimezoneHours - p.timezoneHours) * HOUR_MS + dayShift * 24 * HOUR_MS;
  for (let k = 0; k < count; k++) {
    let s = startMs + k * stepMs + offsetMs - p.startMs;
    if (s < 0 || s >= spanMs) s = ((s % SHIFT_MS) + SHIFT_MS) % SHIFT_MS;
    while (s >= spanMs && s - SHIFT_MS >= 0) s -= SHIFT_MS;
    const h = Math.min(series.length - 1, Math.floor(s / HOUR_MS));
    out[k] = (series[h] * 1000 * intervalMinutes) / 60;
  }
  return out;
}

/** Largest hourly energy of a member, kWh (the profile's peak, to scale case loads). */
export function peakKwh(p: LoadProfile, member: number): number {
  let m = 0;
  for (const v of p.members[member]) if (v > m) m = v;
  return m;
}
