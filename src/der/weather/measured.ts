/**
 * Readers for the measured irradiance files of the reference data: NOAA SURFRAD daily files, NREL PVDAQ
 * RMIS 5-minute exports and NREL MIDC 1-minute exports. All produce the same shape: UTC instants and
 * irradiance in W/m², NaN where a value is missing or flagged bad (never silently filled).
 */
import { columnIndex, numberAt, optionalNumberAt, parseError, splitCsvLine, splitLines } from "../io/text.js";
import { parseIsoWithOffset, parseUsLocal } from "../io/timestamp.js";

export interface MeasuredIrradiance {
  source: string;
  latitudeDeg: number;
  longitudeDeg: number;
  elevationM: number;
  count: number;
  /** Timestamp of each sample as written by the logger, UTC ms. */
  timeMs: Float64Array;
  ghiWm2: Float64Array;
  dniWm2: Float64Array;
  dhiWm2: Float64Array;
  /** Values dropped to NaN because the file marked them missing or flagged them bad. */
  rejected: number;
  /** Solar zenith written in the file by its publisher (SURFRAD, RMIS), degrees, for cross-checks. */
  fileZenithDeg?: Float64Array;
}

function blank(count: number): Pick<MeasuredIrradiance, "timeMs" | "ghiWm2" | "dniWm2" | "dhiWm2"> {
  return {
    timeMs: new Float64Array(count),
    ghiWm2: new Float64Array(count).fill(Number.NaN),
    dniWm2: new Float64Array(count).fill(Number.NaN),
    dhiWm2: new Float64Array(count).fill(Number.NaN),
  };
}

/** SURFRAD "missing" marker. */
const SURFRAD_MISSING = -9999.9;

/**
 * SURFRAD daily file (J. A. Augustine et al., BAMS 81(10):2341-2357, 2000): line 1 station name, line 2
 * latitude, longitude (degrees WEST, written positive) and elevation; then one whitespace-separated row per
 * minute in UTC: year, day of year, month, day, hour, minute, decimal hour, solar zenith, and 20
 * value/QC-flag pairs. Downwelling global solar (GHI) is pair 1, direct normal pair 3, diffuse pair 4.
 * A value is kept only with QC flag 0 and not −9999.9.
 */
export function parseSurfrad(text: string, source = "SURFRAD"): MeasuredIrradiance {
  const lines = splitLines(text);
  const loc = lines[1]?.trim().split(/\s+/) ?? [];
  const latitudeDeg = numberAt(loc[0], { source, line: 2, field: "latitude" });
  const longitudeDeg = -numberAt(loc[1], { source, line: 2, field: "longitude (west positive)" });
  const elevationM = numberAt(loc[2], { source, line: 2, field: "elevation" });
  const count = lines.length - 2;
  const out: MeasuredIrradiance = {
    source,
    latitudeDeg,
    longitudeDeg,
    elevationM,
    count,
    ...blank(count),
    rejected: 0,
    fileZenithDeg: new Float64Array(count),
  };
  const pairs: [keyof MeasuredIrradiance & ("ghiWm2" | "dniWm2" | "dhiWm2"), number, string][] = [
    ["ghiWm2", 8, "dw_solar"],
    ["dniWm2", 12, "direct_n"],
    ["dhiWm2", 14, "diffuse"],
  ];
  for (let r = 0; r < count; r++) {
    const line = r + 3;
    const cells = lines[r + 2].trim().split(/\s+/);
    if (cells.length !== 48)
      throw parseError({ source, line, field: "row" }, `expected 48 fields, found ${cells.length}`);
    const n = (i: number, field: string) => numberAt(cells[i], { source, line, field });
    const [year, , month, day, hour, minute] = [0, 1, 2, 3, 4, 5].map((i) =>
      n(i, ["year", "jday", "month", "day", "hour", "minute"][i]),
    );
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) {
      throw parseError({ source, line, field: "date" }, "no such date or time", cells.slice(0, 6).join(" "));
    }
    out.timeMs[r] = Date.UTC(year, month - 1, day, hour, minute);
    out.fileZenithDeg![r] = n(7, "zen");
    for (const [key, i, name] of pairs) {
      const value = n(i, name);
      const flag = n(i + 1, `${name}_flag`);
      if (flag === 0 && value !== SURFRAD_MISSING) out[key][r] = value;
      else out.rejected++;
    }
  }
  return out;
}

/**
 * NREL RMIS 5-minute export (pvanalytics data set): `measured_on` is naive local standard time M/D/YYYY
 * H:MM at UTC−7 (MST); irradiance columns carry PVDAQ sensor ids. The site is at about 39.742 N, 105.18 W.
 */
export function parseRmis(text: string, source = "RMIS"): MeasuredIrradiance {
  const lines = splitLines(text);
  const cols = [
    "measured_on",
    "irradiance_ghi__7981",
    "irradiance_dni__7982",
    "irradiance_dhi__7983",
    "pvlib_zenith",
  ] as const;
  const index = columnIndex(splitCsvLine(lines[0] ?? ""), cols, source);
  const count = lines.length - 1;
  const out: MeasuredIrradiance = {
    source,
    latitudeDeg: 39.742,
    longitudeDeg: -105.18,
    elevationM: 1829,
    count,
    ...blank(count),
    rejected: 0,
    fileZenithDeg: new Float64Array(count),
  };
  for (let r = 0; r < count; r++) {
    const line = r + 2;
    const cells = splitCsvLine(lines[r + 1]);
    const at = (field: string) => ({ source, line, field });
    out.fileZenithDeg![r] = optionalNumberAt(cells[index.get(cols[4])!], at(cols[4]));
    out.timeMs[r] = parseUsLocal(cells[index.get("measured_on")!] ?? "", -7, at("measured_on"));
    out.ghiWm2[r] = optionalNumberAt(cells[index.get(cols[1])!], at(cols[1]));
    out.dniWm2[r] = optionalNumberAt(cells[index.get(cols[2])!], at(cols[2]));
    out.dhiWm2[r] = optionalNumberAt(cells[index.get(cols[3])!], at(cols[3]));
    for (const v of [out.ghiWm2[r], out.dniWm2[r], out.dhiWm2[r]]) if (Number.isNaN(v)) out.rejected++;
  }
  return out;
}

/**
 * NREL MIDC 1-minute GHI export (pvanalytics data set, SRRL Baseline Measurement System, Golden CO):
 * first column an ISO timestamp with an explicit offset, second column GHI in W/m². DNI and DHI are NaN.
 */
export function parseMidcGhi(text: string, source = "MIDC BMS"): MeasuredIrradiance {
  const lines = splitLines(text);
  const header = splitCsvLine(lines[0] ?? "");
  if (header.length < 2 || !/W\/m\^2/.test(header[1])) {
    throw parseError(
      { source, line: 1, field: "header" },
      "expected a timestamp column and a GHI column in W/m^2",
      lines[0],
    );
  }
  const count = lines.length - 1;
  const out: MeasuredIrradiance = {
    source,
    latitudeDeg: 39.742,
    longitudeDeg: -105.18,
    elevationM: 1829,
    count,
    ...blank(count),
    rejected: 0,
  };
  for (let r = 0; r < count; r++) {
    const line = r + 2;
    const cells = splitCsvLine(lines[r + 1]);
    out.timeMs[r] = parseIsoWithOffset(cells[0] ?? "", { source, line, field: "timestamp" });
    out.ghiWm2[r] = optionalNumberAt(cells[1], { source, line, field: header[1] });
    if (Number.isNaN(out.ghiWm2[r])) out.rejected++;
  }
  return out;
}
