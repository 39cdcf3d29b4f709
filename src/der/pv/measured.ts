/**
 * Measured PV systems (NREL PVDAQ exports, as in the reference data): POA irradiance, temperatures and
 * DC/AC power per sample, and the fit figures of a model against them.
 */
import { PlurigridError } from "../../core/errors.js";
import { columnIndex, optionalNumberAt, splitCsvLine, splitLines } from "../io/text.js";
import { parseIsoLocal, parseIsoWithOffset, parseUsLocal } from "../io/timestamp.js";
import { pvwattsAcW, pvwattsDcW } from "./pvwatts.js";
import { type SapmTemperatureParams, sapmCellFromModuleC, sapmCellTempC } from "./temperature.js";

export interface MeasuredPv {
  source: string;
  count: number;
  /** Sample time stamps, UTC ms. */
  timeMs: Float64Array;
  poaWm2: Float64Array;
  /** Back-of-module temperature, °C (mean of the sensors given). */
  moduleTempC: Float64Array;
  ambientTempC: Float64Array;
  /** NaN where the file has no wind channel. */
  windMs: Float64Array;
  dcW: Float64Array;
  acW: Float64Array;
}

export interface PvdaqColumns {
  time: string;
  /** "us": M/D/YYYY H:MM, "iso": YYYY-MM-DD HH:MM:SS — both naive local standard time. */
  timeFormat: "us" | "iso";
  /** Local standard time offset from UTC, hours (−7 for MST). */
  offsetHours: number;
  poa: string;
  moduleTemp: readonly string[];
  ambientTemp: string;
  wind?: string;
  dc: string;
  /** Column names and the factor that turns each into W. */
  ac: string;
  acToW?: number;
}

/** NREL Research Support Facility II, inverter 2 (204.12 kW dc per the pvanalytics documentation). */
export const RSF_II_COLUMNS: PvdaqColumns = {
  time: "",
  timeFormat: "us",
  offsetHours: -7,
  poa: "poa_irradiance__1055",
  moduleTemp: ["module_temp__1056"],
  ambientTemp: "ambient_temp__1053",
  wind: "wind_speed__1051",
  dc: "inv2_dc_power__1135",
  ac: "inv2_ac_power_w__1047",
};

/** NREL SERF West (PVDAQ system 51); `das_temperature__785` duplicates AC power and is not used. */
export const SERF_WEST_COLUMNS: PvdaqColumns = {
  time: "",
  timeFormat: "iso",
  offsetHours: -7,
  poa: "poa_irradiance__771",
  moduleTemp: ["module_temp_1__781", "module_temp_2__782", "module_temp_3__783"],
  ambientTemp: "ambient_temp__780",
  dc: "dc_power__772",
  ac: "ac_power__773",
};

export function parsePvdaq(text: string, cols: PvdaqColumns, source = "PVDAQ"): MeasuredPv {
  const lines = splitLines(text);
  const names = [cols.time, cols.poa, ...cols.moduleTemp, cols.ambientTemp, cols.dc, cols.ac];
  if (cols.wind !== undefined) names.push(cols.wind);
  const index = columnIndex(splitCsvLine(lines[0] ?? ""), names, source);
  const count = lines.length - 1;
  const nan = () => new Float64Array(count).fill(Number.NaN);
  const out: MeasuredPv = {
    source,
    count,
    timeMs: new Float64Array(count),
    poaWm2: nan(),
    moduleTempC: nan(),
    ambientTempC: nan(),
    windMs: nan(),
    dcW: nan(),
    acW: nan(),
  };
  for (let r = 0; r < count; r++) {
    const line = r + 2;
    const cells = splitCsvLine(lines[r + 1]);
    const v = (name: string) => optionalNumberAt(cells[index.get(name)!], { source, line, field: name });
    const stamp = cells[index.get(cols.time)!] ?? "";
    const at = { source, line, field: cols.time === "" ? "timestamp" : cols.time };
    out.timeMs[r] =
      cols.timeFormat === "us"
        ? parseUsLocal(stamp, cols.offsetHours, at)
        : parseIsoLocal(stamp, cols.offsetHours, at);
    out.poaWm2[r] = v(cols.poa);
    let t = 0;
    for (const m of cols.moduleTemp) t += v(m);
    out.moduleTempC[r] = t / cols.moduleTemp.length;
    out.ambientTempC[r] = v(cols.ambientTemp);
    if (cols.wind !== undefined) out.windMs[r] = v(cols.wind);
    out.dcW[r] = v(cols.dc);
    out.acW[r] = v(cols.ac) * (cols.acToW ?? 1);
  }
  return out;
}

/** Normalized mean bias error and RMSE of a model against measurements (fractions of the measured mean). */
export interface FitFigures {
  samples: number;
  measuredMeanW: number;
  /** Σ(model − measured) / Σ measured. */
  nmbe: number;
  /** √(mean((model − measured)²)) / mean(measured). */
  nrmse: number;
}

export function fitFigures(modelW: ArrayLike<number>, measuredW: ArrayLike<number>, use: ArrayLike<boolean>) {
  if (modelW.length !== measuredW.length || use.length !== modelW.length) {
    throw new PlurigridError("DER_LENGTH_MISMATCH", "model, measurement and mask must have one length", {
      model: modelW.length,
      measured: measuredW.length,
      mask: use.length,
    });
  }
  let n = 0;
  let sumMeas = 0;
  let sumErr = 0;
  let sumSq = 0;
  for (let i = 0; i < modelW.length; i++) {
    if (!use[i]) continue;
    const e = modelW[i] - measuredW[i];
    n++;
    sumMeas += measuredW[i];
    sumErr += e;
    sumSq += e * e;
  }
  const mean = n > 0 ? sumMeas / n : Number.NaN;
  return {
    samples: n,
    measuredMeanW: mean,
    nmbe: sumErr / sumMeas,
    nrmse: Math.sqrt(sumSq / n) / mean,
  } satisfies FitFigures;
}

export interface MeasuredModelParams {
  pdc0W: number;
  gammaPerC: number;
  losses: number;
  pac0W: number;
  etaInvNom?: number;
  /** SAPM cell − back-of-module temperature difference at 1000 W/m², °C. */
  deltaTC: number;
  /**
   * Where the cell temperature comes from: the measured back-of-module sensor (default), or the SAPM
   * model from the measured ambient temperature and wind (2 m/s where the file has no wind channel).
   */
  cellTemperature?: { from: "module" } | { from: "ambient"; params: SapmTemperatureParams };
}

/**
 * The PV chain driven by MEASURED plane-of-array irradiance and back-of-module temperature: SAPM cell
 * temperature from the module sensor, PVWatts DC, PVWatts inverter. NaN where an input is missing.
 */
export function modelFromMeasured(
  m: MeasuredPv,
  p: MeasuredModelParams,
): { dcW: Float64Array; acW: Float64Array } {
  const dcW = new Float64Array(m.count);
  const acW = new Float64Array(m.count);
  for (let i = 0; i < m.count; i++) {
    const poa = m.poaWm2[i];
    const t = p.cellTemperature ?? { from: "module" };
    const cell =
      t.from === "module"
        ? sapmCellFromModuleC(m.moduleTempC[i], poa, p.deltaTC)
        : sapmCellTempC(poa, m.ambientTempC[i], Number.isFinite(m.windMs[i]) ? m.windMs[i] : 2, t.params);
    dcW[i] = Number.isFinite(poa + cell) ? pvwattsDcW(poa, cell, p.pdc0W, p.gammaPerC, p.losses) : Number.NaN;
    acW[i] = Number.isFinite(dcW[i]) ? pvwattsAcW(dcW[i], p.pac0W, p.etaInvNom) : Number.NaN;
  }
  return { dcW, acW };
}

/** A single AC power channel with ISO time stamps carrying their offset (SERF East, Mesa exports). */
export function parseAcPowerSeries(
  text: string,
  column: string,
  source = "PVDAQ",
): { timeMs: Float64Array; acW: Float64Array } {
  const lines = splitLines(text);
  const index = columnIndex(splitCsvLine(lines[0] ?? ""), ["measured_on", column], source);
  const count = lines.length - 1;
  const timeMs = new Float64Array(count);
  const acW = new Float64Array(count);
  for (let r = 0; r < count; r++) {
    const cells = splitCsvLine(lines[r + 1]);
    const at = (field: string) => ({ source, line: r + 2, field });
    timeMs[r] = parseIsoWithOffset(cells[index.get("measured_on")!] ?? "", at("measured_on"));
    acW[r] = optionalNumberAt(cells[index.get(column)!], at(column));
  }
  return { timeMs, acW };
}
