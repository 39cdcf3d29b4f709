/**
 * PV cell temperature models, °C.
 *
 * - SAPM (D. L. King, W. E. Boyson, J. A. Kratochvil, "Photovoltaic Array Performance Model",
 *   SAND2004-3535, 2004, eqs. 11-12): back-of-module T_m = E·exp(a + b·WS) + T_a, and cell
 *   T_c = T_m + (E/1000)·ΔT. The same relation turns a MEASURED back-of-module temperature into a cell
 *   temperature (what the validation against PVDAQ does). Parameters from that report's Table 2.
 * - Faiman (D. Faiman, "Assessing the outdoor operating temperature of photovoltaic modules",
 *   Prog. Photovolt. 16:307-315, 2008): T_m = T_a + E/(U0 + U1·WS), defaults U0 = 25 W/(m²·K),
 *   U1 = 6.84 W·s/(m³·K) (the IEC 61853-2 fit used by pvlib).
 */

export interface SapmTemperatureParams {
  a: number;
  b: number;
  /** Cell minus back-of-module temperature at 1000 W/m², °C. */
  deltaTC: number;
}

/** SAND2004-3535 Table 2. */
export const SAPM_TEMPERATURE = {
  openRackGlassGlass: { a: -3.47, b: -0.0594, deltaTC: 3 },
  closeMountGlassGlass: { a: -2.98, b: -0.0471, deltaTC: 1 },
  openRackGlassPolymer: { a: -3.56, b: -0.075, deltaTC: 3 },
  insulatedBackGlassPolymer: { a: -2.81, b: -0.0455, deltaTC: 0 },
} as const satisfies Record<string, SapmTemperatureParams>;

/** SAPM back-of-module temperature from POA irradiance, ambient temperature and wind speed at 10 m. */
export function sapmModuleTempC(
  poaWm2: number,
  ambientC: number,
  windMs: number,
  p: SapmTemperatureParams,
): number {
  return poaWm2 * Math.exp(p.a + p.b * windMs) + ambientC;
}

/** SAPM cell temperature from a back-of-module temperature (modelled or measured). */
export function sapmCellFromModuleC(moduleC: number, poaWm2: number, deltaTC: number): number {
  return moduleC + (poaWm2 / 1000) * deltaTC;
}

/** SAPM cell temperature from weather. */
export function sapmCellTempC(
  poaWm2: number,
  ambientC: number,
  windMs: number,
  p: SapmTemperatureParams = SAPM_TEMPERATURE.openRackGlassPolymer,
): number {
  return sapmCellFromModuleC(sapmModuleTempC(poaWm2, ambientC, windMs, p), poaWm2, p.deltaTC);
}

/** Faiman module temperature (the model treats module and cell as one). */
export function faimanTempC(poaWm2: number, ambientC: number, windMs: number, u0 = 25, u1 = 6.84): number {
  return ambientC + poaWm2 / (u0 + u1 * windMs);
}
