/**
 * Readers for the measured load data of the reference data (../shared/data/load): hourly cumulative kWh
 * counters of households (OPSD Household Data, Konstanz) and hourly kWh per building (Cambridge Estates).
 * Values become integer Wh by exact decimal arithmetic on the text (no binary rounding of "0.1 kWh").
 */
import { PlurigridError } from "../../core/errors.js";
import { columnIndex, parseError, splitCsvLine, splitLines } from "../io/text.js";
import { parseIsoLocal, parseIsoWithOffset } from "../io/timestamp.js";
import { countersToIntervals, gapsOfIntervals, type IntervalEnergy } from "./energy.js";

/** "3847.718" kWh → 3847718 Wh, exactly; more than 3 decimals round half to even. Null for "". */
export function kwhTextToWh(raw: string, at: { source: string; line: number; field: string }): number | null {
  const t = raw.trim();
  if (t === "") return null;
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(t);
  if (!m) throw parseError(at, "expected a decimal number of kWh", raw);
  const frac = m[3] ?? "";
  let wh = Number(m[2]) * 1000 + Number(frac.slice(0, 3).padEnd(3, "0"));
  const rest = frac.slice(3);
  if (/[1-9]/.test(rest)) {
    const half = rest[0] > "5" || (rest[0] === "5" && /[1-9]/.test(rest.slice(1)));
    const tie = rest[0] === "5" && !/[1-9]/.test(rest.slice(1));
    if (half || (tie && wh % 2 === 1)) wh += 1;
  }
  if (!Number.isSafeInteger(wh)) throw parseError(at, "value out of range", raw);
  return m[1] === "-" ? -wh : wh;
}

export interface LoadTable {
  source: string;
  /** Column name → interval energy series (all on the same time grid). */
  series: Map<string, IntervalEnergy>;
}

const HOUR_MS = 3_600_000;

/** Time stamps of rows that must be one hour apart, without missing rows (LOAD_TIME_IRREGULAR). */
function hourlyStamps(times: number[], source: string): void {
  for (let r = 1; r < times.length; r++) {
    if (times[r] - times[r - 1] !== HOUR_MS) {
      throw new PlurigridError(
        "LOAD_TIME_IRREGULAR",
        `${source} line ${r + 2}: rows must be one hour apart (got ${(times[r] - times[r - 1]) / 60_000} min)`,
        { source, line: r + 2 },
      );
    }
  }
}

function readTable(
  text: string,
  source: string,
  stamp: (raw: string, at: { source: string; line: number; field: string }) => number,
): { columns: string[]; times: number[]; values: (number | null)[][] } {
  const lines = splitLines(text);
  const header = splitCsvLine(lines[0] ?? "").map((h) => h.trim());
  columnIndex(header, ["utc_timestamp"], source);
  const columns = header.filter((h) => h !== "utc_timestamp");
  const iTime = header.indexOf("utc_timestamp");
  const times: number[] = [];
  const values: (number | null)[][] = columns.map(() => []);
  for (let r = 1; r < lines.length; r++) {
    const cells = splitCsvLine(lines[r]);
    if (cells.length !== header.length) {
      throw parseError(
        { source, line: r + 1, field: "row" },
        `expected ${header.length} fields, found ${cells.length}`,
      );
    }
    times.push(stamp(cells[iTime], { source, line: r + 1, field: "utc_timestamp" }));
    let c = 0;
    for (let i = 0; i < header.length; i++) {
      if (i === iTime) continue;
      values[c].push(kwhTextToWh(cells[i], { source, line: r + 1, field: header[i] }));
      c++;
    }
  }
  hourlyStamps(times, source);
  return { columns, times, values };
}

/**
 * OPSD household file: `utc_timestamp` (…Z) and cumulative kWh counters per column; the counters at
 * consecutive stamps give the energy of the hour between them (starting at the first stamp).
 */
export function parseOpsdCounters(text: string, source = "OPSD household"): LoadTable {
  const t = readTable(text, source, (raw, at) => parseIsoWithOffset(raw, at));
  const series = new Map<string, IntervalEnergy>();
  t.columns.forEach((name, c) => {
    series.set(name, countersToIntervals(t.times[0] ?? 0, HOUR_MS, t.values[c]));
  });
  return { source, series };
}

/** Cambridge Estates file: `utc_timestamp` (naive UTC) and kWh per hour starting at the stamp. */
export function parseHourlyKwh(text: string, source = "Cambridge Estates"): LoadTable {
  const t = readTable(text, source, (raw, at) => parseIsoLocal(raw, 0, at));
  const series = new Map<string, IntervalEnergy>();
  const start = t.times[0] ?? 0;
  t.columns.forEach((name, c) => {
    series.set(name, {
      startMs: start,
      stepMs: HOUR_MS,
      energyWh: t.values[c],
      gaps: gapsOfIntervals(start, HOUR_MS, t.values[c]),
    });
  });
  return { source, series };
}
