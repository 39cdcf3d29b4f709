/**
 * Device models: the public entry of `der/` for the simulator, the market and the protocol. IEEE 1547 has
 * its own entry points under `der/ieee1547/`.
 */

// Battery.
export {
  type BatteryMode,
  type BatteryRun,
  type BatterySpec,
  type BatterySpecInput,
  type BatteryState,
  type BatteryStep,
  batterySchedule,
  batterySpec,
  batteryStep,
} from "./battery/battery.js";
// Loads and EVs.
export { countersToIntervals, type Gap, type IntervalEnergy, knownEnergyWh } from "./load/energy.js";
export { type EvProfile, type EvSession, type EvStrategy, evProfile } from "./load/ev.js";
export { kwhTextToWh, type LoadTable, parseHourlyKwh, parseOpsdCounters } from "./load/readers.js";
export { resampleEnergy } from "./load/resample.js";
// PV power.
export {
  type FitFigures,
  fitFigures,
  type MeasuredPv,
  modelFromMeasured,
  parsePvdaq,
  RSF_II_COLUMNS,
  SERF_WEST_COLUMNS,
} from "./pv/measured.js";
export { PVWATTS_DEFAULT_LOSSES, pvwattsAcW, pvwattsDcW } from "./pv/pvwatts.js";
export {
  type PvHourly,
  type PvStep,
  type PvSystem,
  type PvSystemInput,
  pvFromTmy3,
  pvStep,
  pvSystem,
  type WeatherStep,
} from "./pv/system.js";
export { faimanTempC, SAPM_TEMPERATURE, sapmCellFromModuleC, sapmCellTempC } from "./pv/temperature.js";
export { type Poa, type PoaInput, poaIrradiance, type SkyModel } from "./pv/transposition.js";
// Solar position (NREL SPA), sunrise/transit/sunset, clear sky, incidence.
export {
  absoluteAirmass,
  altitudeToPressurePa,
  type ClearSky,
  extraterrestrialDniWm2,
  haurwitzGhi,
  ineichenPerez,
  relativeAirmassKastenYoung,
  simplifiedSolis,
} from "./solar/clearsky.js";
export { cosIncidence, surfaceIncidenceDeg } from "./solar/incidence.js";
export { deltaTSeconds, julianDayFromUtcMs } from "./solar/julian.js";
export { type SunAnswer, type SunPoint, sunInputs, sunPositions } from "./solar/points.js";
export {
  type RiseTransitSet,
  riseTransitSetLocalDay,
  riseTransitSetSolarDay,
  riseTransitSetSpa,
} from "./solar/rise-set.js";
export {
  earthSunDistanceAu,
  type SolarPosition,
  type SpaInput,
  type SpaIntermediates,
  solarPosition,
  spaIntermediates,
} from "./solar/spa.js";
// Weather.
export { type MeasuredIrradiance, parseMidcGhi, parseRmis, parseSurfrad } from "./weather/measured.js";
export { parseTmy3, type Tmy3, type Tmy3Station } from "./weather/tmy3.js";
