/**
 * PVWatts DC and inverter models (A. P. Dobos, "PVWatts Version 5 Manual", NREL/TP-6A20-62641, 2014).
 * Power in W, irradiance in W/m², temperatures in °C.
 */

/** PVWatts v5 default total system losses (soiling, shading, snow, mismatch, wiring, ...), 14.08 %. */
export const PVWATTS_DEFAULT_LOSSES = 0.1408;
/** PVWatts v5 default nominal inverter efficiency. */
export const PVWATTS_ETA_INV_NOM = 0.96;
/** Reference efficiency of the PVWatts inverter curve (manual eq. 11). */
export const PVWATTS_ETA_INV_REF = 0.9637;

/**
 * DC power (manual eqs. 8-9): P_dc = (E/1000)·P_dc0·(1 + γ·(T_c − 25)), then × (1 − losses). γ is per °C
 * (e.g. −0.0037 for the PVWatts v8 "standard" module). Never negative.
 */
export function pvwattsDcW(
  poaWm2: number,
  cellTempC: number,
  pdc0W: number,
  gammaPerC: number,
  losses = 0,
): number {
  const p = (Math.max(poaWm2, 0) / 1000) * pdc0W * (1 + gammaPerC * (cellTempC - 25)) * (1 - losses);
  return Math.max(p, 0);
}

/**
 * Inverter AC output (manual eqs. 10-11): with ζ = P_dc/P_dc0 and P_dc0 = P_ac0/η_nom,
 * η = (η_nom/η_ref)·(−0.0162·ζ − 0.0059/ζ + 0.9858), and P_ac = min(η·P_dc, P_ac0) — the clipping at the
 * AC rating. Clamped at 0 below the turn-on power (the curve goes negative as ζ → 0: the inverter's own
 * consumption, which a generator's schedule does not carry).
 */
export function pvwattsAcW(pdcW: number, pac0W: number, etaNom = PVWATTS_ETA_INV_NOM): number {
  if (!(pdcW > 0)) return 0;
  const pdc0 = pac0W / etaNom;
  const zeta = pdcW / pdc0;
  const eta = (etaNom / PVWATTS_ETA_INV_REF) * (-0.0162 * zeta - 0.0059 / zeta + 0.9858);
  return Math.min(Math.max(eta * pdcW, 0), pac0W);
}
