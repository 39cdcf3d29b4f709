import type { DerKind, DerSettings, Ieee1547Category } from "./types.js";

/**
 * THE PLACE WHERE THE IEEE 1547-2018 RULES PLUG IN.
 *
 * Called for every DER registration and settings update (in transactions and in genesis) after the shape
 * of the settings has been checked by derSettingsSchema (a JSON object of bounded size). It is meant to
 * check the settings against the standard for the DER's category: voltage and frequency trip settings
 * within the allowed ranges of Tables 11-16 (abnormal categories I, II, III), ride-through, the reactive
 * power modes of §5.3 and their curves, and returns a verdict that the protocol turns into
 * REGISTRY_DER_SETTINGS.
 *
 * Today it accepts every well-shaped settings object: range validation is a later piece of work (it belongs
 * with der/ieee1547/), and nothing here pretends to check what it does not. When it lands, this function's
 * body is the only thing that changes; changing it changes which transactions are valid, so it is a
 * protocol upgrade.
 */
export type DerSettingsVerdict = { ok: true } | { ok: false; field: string; message: string };

export interface DerSettingsSubject {
  kind: DerKind;
  ratingW: number;
  energyWh: number | null;
  ieee1547Category: Ieee1547Category;
  settings: DerSettings;
}

export function validateDerSettings(_der: DerSettingsSubject): DerSettingsVerdict {
  return { ok: true };
}
