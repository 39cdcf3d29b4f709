import { parseSettingsShape, resolveSettings } from "../../der/ieee1547/resolve.js";
import { type DerKind, type DerSettings, type Ieee1547Category, STORAGE_KINDS } from "./types.js";

/**
 * THE PLACE WHERE THE IEEE 1547-2018 RULES PLUG IN.
 *
 * Called for every DER registration and settings update (in transactions and in genesis) after the shape
 * of the settings has been checked by derSettingsSchema (a JSON object of bounded size). The settings are the
 * settings file of der/ieee1547 (decimal p.u., Hz and s; a missing section takes the category's defaults):
 * every value must lie in the allowable range of the DER's abnormal performance category (Tables 11-13 and 18
 * for trip settings, 4 for enter service, 7-10 for the reactive power modes and volt-watt, 24 for frequency
 * droop). The first violation, in the fixed order of der/ieee1547/resolve.ts, becomes REGISTRY_DER_SETTINGS
 * with a message that starts with the IEEE 1547 code and names the setting, its value and the range.
 *
 * Deterministic: a decimal is turned into an integer of fixed-point units only when the conversion is exact
 * (one IEEE-754 multiplication, Math.round, one division to confirm the round trip), and every comparison is
 * between safe integers. Changing the rules changes which transactions are valid: a protocol upgrade.
 */
export type DerSettingsVerdict =
  | { ok: true }
  | {
      ok: false;
      /** Dotted path of the offending setting, e.g. "trip.uv1.s". */
      field: string;
      message: string;
      /** IEEE1547_SETTING_OUT_OF_RANGE, IEEE1547_SETTING_NOT_REPRESENTABLE, IEEE1547_CATEGORY_MISMATCH or IEEE1547_SETTINGS_SHAPE. */
      code: string;
      /** For a range: {setting, value, min, max, table} in the file's units. */
      details: Record<string, string | number | null>;
    };

export interface DerSettingsSubject {
  kind: DerKind;
  ratingW: number;
  energyWh: number | null;
  ieee1547Category: Ieee1547Category;
  settings: DerSettings;
}

export function validateDerSettings(der: DerSettingsSubject): DerSettingsVerdict {
  const shape = parseSettingsShape(der.settings);
  if (!shape.ok) {
    return {
      ok: false,
      field: shape.setting,
      message: `IEEE1547_SETTINGS_SHAPE: ${shape.message}`,
      code: "IEEE1547_SETTINGS_SHAPE",
      details: { setting: shape.setting },
    };
  }
  const { violations } = resolveSettings(shape.file, {
    category: der.ieee1547Category,
    absorbsActivePower: STORAGE_KINDS.includes(der.kind),
  });
  if (violations.length === 0) return { ok: true };
  const v = violations[0];
  return {
    ok: false,
    field: v.setting,
    message: `${v.code}: ${v.message}`,
    code: v.code,
    details: {
      setting: v.setting,
      value: v.value,
      min: v.allowed === null ? null : v.allowed[0],
      max: v.allowed === null ? null : v.allowed[1],
      table: v.table,
    },
  };
}
