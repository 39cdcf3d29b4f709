/**
 * TMY3 reader (S. Wilcox and W. Marion, "Users Manual for TMY3 Data Sets", NREL/TP-581-43156, 2008).
 *
 * Line 1 holds the station (USAF id, name, state, time zone in hours from UTC, latitude, longitude,
 * elevation m); line 2 the column names; then 8760 hourly rows. Times are HOUR-ENDING LOCAL STANDARD
 * TIME (no daylight saving): "01:00" covers 00:00-01:00 and "24:00" ends the day. Irradiance values are
 * the energy of the hour in Wh/m², i.e. the mean irradiance over the hour in W/m². Each month is taken
 * from a different "typical" year, so the year jumps between months; `coerceYear` relabels every row to
 * one year (the hour ending 24:00 on 31 December then falls on 1 January of the next year, as in pvlib).
 */
import { columnIndex, numberAt, parseError, splitCsvLine, splitLines } from "../io/text.js";
import { parseTmy3End } from "../io/timestamp.js";

export interface Tmy3Station {
  usafId: string;
  name: string;
  state: string;
  timezoneHours: number;
  latitudeDeg: number;
  longitudeDeg: number;
  elevationM: number;
}

/** One column per field, one entry per hour (flat typed arrays, as the network tables). */
export interface Tmy3 {
  station: Tmy3Station;
  count: number;
  /** End of each hour, UTC ms (the instant the hourly value is stamped with). */
  endMs: Float64Array;
  /** The source year of each row (varies by month unless coerced). */
  sourceYear: Int16Array;
  etrWm2: Float64Array;
  etrnWm2: Float64Array;
  ghiWm2: Float64Array;
  dniWm2: Float64Array;
  dhiWm2: Float64Array;
  dryBulbC: Float64Array;
  dewPointC: Float64Array;
  relativeHumidityPct: Float64Array;
  pressureMbar: Float64Array;
  windDirectionDeg: Float64Array;
  windSpeedMs: Float64Array;
  albedo: Float64Array;
  precipitableWaterCm: Float64Array;
  aod: Float64Array;
}

const COLUMNS = {
  etrWm2: "ETR (W/m^2)",
  etrnWm2: "ETRN (W/m^2)",
  ghiWm2: "GHI (W/m^2)",
  dniWm2: "DNI (W/m^2)",
  dhiWm2: "DHI (W/m^2)",
  dryBulbC: "Dry-bulb (C)",
  dewPointC: "Dew-point (C)",
  relativeHumidityPct: "RHum (%)",
  pressureMbar: "Pressure (mbar)",
  windDirectionDeg: "Wdir (degrees)",
  windSpeedMs: "Wspd (m/s)",
  albedo: "Alb (unitless)",
  precipitableWaterCm: "Pwat (cm)",
  aod: "AOD (unitless)",
} as const;
type Field = keyof typeof COLUMNS;
const DATE = "Date (MM/DD/YYYY)";
const TIME = "Time (HH:MM)";

export function parseTmy3(text: string, options: { source?: string; coerceYear?: number } = {}): Tmy3 {
  const source = options.source ?? "TMY3";
  const lines = splitLines(text);
  if (lines.length < 3) {
    throw parseError(
      { source, line: lines.length + 1, field: "rows" },
      "a TMY3 file has a station line, a header and hourly rows",
    );
  }
  const meta = splitCsvLine(lines[0]);
  const num = (i: number, field: string) => numberAt(meta[i], { source, line: 1, field });
  const station: Tmy3Station = {
    usafId: (meta[0] ?? "").trim(),
    name: (meta[1] ?? "").trim(),
    state: (meta[2] ?? "").trim(),
    timezoneHours: num(3, "time zone"),
    latitudeDeg: num(4, "latitude"),
    longitudeDeg: num(5, "longitude"),
    elevationM: num(6, "elevation"),
  };
  if (
    Math.abs(station.timezoneHours) > 14 ||
    Math.abs(station.latitudeDeg) > 90 ||
    Math.abs(station.longitudeDeg) > 180
  ) {
    throw parseError(
      { source, line: 1, field: "station" },
      "time zone, latitude or longitude out of range",
      lines[0],
    );
  }
  const header = splitCsvLine(lines[1]);
  const fields = Object.keys(COLUMNS) as Field[];
  const index = columnIndex(header, [DATE, TIME, ...fields.map((f) => COLUMNS[f])], source, 2);
  const count = lines.length - 2;
  const out = {
    station,
    count,
    endMs: new Float64Array(count),
    sourceYear: new Int16Array(count),
  } as Tmy3;
  for (const f of fields) out[f] = new Float64Array(count);
  const iDate = index.get(DATE)!;
  const iTime = index.get(TIME)!;
  const cols = fields.map((f) => [f, index.get(COLUMNS[f])!] as const);
  for (let r = 0; r < count; r++) {
    const line = r + 3;
    const cells = lines[r + 2].split(",");
    if (cells.length !== header.length) {
      throw parseError(
        { source, line, field: "row" },
        `expected ${header.length} fields, found ${cells.length}`,
      );
    }
    const at = { source, line, field: DATE };
    out.endMs[r] = parseTmy3End(cells[iDate], cells[iTime], station.timezoneHours, at, options.coerceYear);
    out.sourceYear[r] = Number(cells[iDate].slice(6, 10));
    for (const [f, i] of cols) out[f][r] = numberAt(cells[i], { source, line, field: COLUMNS[f] });
  }
  return out;
}
