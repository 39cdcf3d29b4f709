import { z } from "zod";
import type {
  Category,
  EnterServiceSettings,
  FreqDroopSettings,
  FrequencyTripName,
  ReactiveCategory,
  VoltageTripName,
} from "./tables.js";

/**
 * A DER's IEEE 1547-2018 settings in two forms: the settings file (decimal p.u., Hz and s, the format of
 * ../shared/docs/ieee1547-2018.md, also what a DER registration carries in the protocol), and the resolved
 * settings every decision is made with (fixed-point integers, defaults filled in, see fixed.ts).
 */

const num = z.number();
const pair = z.tuple([num, num]);

const voltageTripSchema = z.strictObject({ pu: num.optional(), s: num.optional() });
const frequencyTripSchema = z.strictObject({ hz: num.optional(), s: num.optional() });

export const REACTIVE_MODES = ["constantPf", "voltVar", "wattVar", "constantVar"] as const;
export type ReactiveMode = (typeof REACTIVE_MODES)[number];

/** The settings file. Every section, and every field of a section, is optional: missing = the default. */
export const settingsFileSchema = z.strictObject({
  category: z.enum(["I", "II", "III"]).optional(),
  reactiveCategory: z.enum(["A", "B"]).optional(),
  /** The active reactive power mode; absent: volt-var when a voltVar section is given, else constant PF. */
  reactiveMode: z.enum(REACTIVE_MODES).optional(),
  trip: z
    .strictObject({
      ov2: voltageTripSchema.optional(),
      ov1: voltageTripSchema.optional(),
      uv1: voltageTripSchema.optional(),
      uv2: voltageTripSchema.optional(),
      of2: frequencyTripSchema.optional(),
      of1: frequencyTripSchema.optional(),
      uf1: frequencyTripSchema.optional(),
      uf2: frequencyTripSchema.optional(),
    })
    .optional(),
  voltVar: z
    .strictObject({
      vRef: num.optional(),
      points: z.array(pair).length(4).optional(),
      responseS: num.optional(),
    })
    .optional(),
  voltWatt: z
    .strictObject({
      points: z.array(pair).length(2).optional(),
      responseS: num.optional(),
    })
    .optional(),
  wattVar: z.strictObject({ points: z.array(pair).length(3).optional() }).optional(),
  constantPf: z
    .strictObject({ pf: num.optional(), excitation: z.enum(["injecting", "absorbing"]).optional() })
    .optional(),
  constantVar: z.strictObject({ q: num.optional() }).optional(),
  freqDroop: z
    .strictObject({
      dbOfHz: num.optional(),
      dbUfHz: num.optional(),
      kOf: num.optional(),
      kUf: num.optional(),
      responseS: num.optional(),
    })
    .optional(),
  enterService: z
    .strictObject({
      vMinPu: num.optional(),
      vMaxPu: num.optional(),
      fMinHz: num.optional(),
      fMaxHz: num.optional(),
      delayS: num.optional(),
      rampS: num.optional(),
    })
    .optional(),
});
export type SettingsFile = z.infer<typeof settingsFileSchema>;

/** A trip function, resolved: pickup in micro p.u. (voltage) or mHz (frequency), clearing time in ms. */
export interface ResolvedTrip {
  pickup: number;
  clearingMs: number;
}

/** Settings as decisions use them: fixed-point integers (fixed.ts), every default filled in. */
export interface Ieee1547Settings {
  category: Category;
  reactiveCategory: ReactiveCategory;
  reactiveMode: ReactiveMode;
  /** True when the DER can absorb active power (storage): the volt-watt P2 may go below zero. */
  absorbsActivePower: boolean;
  trip: Record<VoltageTripName | FrequencyTripName, ResolvedTrip>;
  voltVar: { vRef: number; points: [number, number][]; responseMs: number };
  /** Volt-watt limits active power only when the file enables it with a voltWatt section. */
  voltWatt: { enabled: boolean; points: [number, number][]; responseMs: number };
  wattVar: { points: [number, number][] };
  constantPf: { pfMicro: number; excitation: "injecting" | "absorbing" };
  constantVar: { qMicroPu: number };
  freqDroop: FreqDroopSettings;
  enterService: EnterServiceSettings;
}

/** One setting outside what the standard allows for the DER's category (file units in value and allowed). */
export interface SettingViolation {
  code: "IEEE1547_SETTING_OUT_OF_RANGE" | "IEEE1547_SETTING_NOT_REPRESENTABLE" | "IEEE1547_CATEGORY_MISMATCH";
  /** Dotted path of the value in the settings file, e.g. "trip.uv1.s". */
  setting: string;
  value: number | string;
  /** The inclusive range of allowable settings, [min, max], in the file's units (null for a category). */
  allowed: [number, number] | null;
  /** The standard's table the range comes from. */
  table: string;
  message: string;
}
