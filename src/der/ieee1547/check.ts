import { PlurigridError } from "../../core/errors.js";
import { type ComplianceViolation, evaluateTrace, type Instant } from "./evaluate.js";
import { fromFixed, MICRO, MILLI } from "./fixed.js";
import type { Region } from "./regions.js";
import { parseSettingsShape, resolveSettings } from "./resolve.js";
import type { Ieee1547Settings, SettingsFile, SettingViolation } from "./settings.js";
import type { Category } from "./tables.js";
import type { DerState } from "./trace.js";
import { traceFromFile } from "./trace.js";

/**
 * The answer of `plurigrid ieee1547 check`: the validation of a settings file and, with a trace, the required
 * region and set points at every sample and the compliance verdict. Field names are a contract with scripts
 * (see docs/ieee1547.md); values are in the file's units (p.u., Hz, s).
 */

export interface CheckAnswer {
  valid: boolean;
  category: Category;
  violations: SettingViolation[];
  /** The settings in force, every default filled in (file units); null when the file is not valid. */
  settings: SettingsFile | null;
  trace: TraceAnswer | null;
}

export interface TraceAnswer {
  compliant: boolean;
  truncated: boolean;
  violations: (Omit<ComplianceViolation, "fromMs" | "toMs"> & { fromS: number; toS: number })[];
  instants: InstantAnswer[];
}

export interface InstantAnswer {
  tS: number;
  vPu: number;
  fHz: number;
  state: DerState;
  region: Region;
  voltageRegion: Region;
  frequencyRegion: Region;
  rideThroughUntilS: number | null;
  shallTripByS: number | null;
  qSetPu: number | null;
  pVoltWattPu: number | null;
  pDroopPu: number | null;
}

const pu = (n: number) => fromFixed(n, MICRO);
const ms = (n: number) => fromFixed(n, MILLI);
const opt = (n: number | null, f: (n: number) => number) => (n === null ? null : f(n));

export interface CheckOptions {
  /** The DER can absorb active power (storage): the volt-watt P2 may be negative. */
  absorbsActivePower?: boolean;
}

/**
 * Validates `settingsJson` (parsed JSON of a settings file, which must name its category) and evaluates
 * `traceJson` against it when given and the settings are valid. Throws IEEE1547_SETTINGS_INVALID for a file
 * of the wrong shape and IEEE1547_TRACE_INVALID for a bad trace; settings out of range are an answer.
 */
export function checkIeee1547(
  settingsJson: unknown,
  traceJson?: unknown,
  opts: CheckOptions = {},
): CheckAnswer {
  const shape = parseSettingsShape(settingsJson);
  if (!shape.ok) {
    throw new PlurigridError("IEEE1547_SETTINGS_INVALID", `settings ${shape.setting}: ${shape.message}`, {
      setting: shape.setting,
    });
  }
  const category = shape.file.category;
  if (category === undefined) {
    throw new PlurigridError(
      "IEEE1547_SETTINGS_INVALID",
      'settings category: required ("I", "II" or "III")',
      {
        setting: "category",
      },
    );
  }
  const samples = traceJson === undefined ? undefined : traceFromFile(traceJson);
  const { settings, violations } = resolveSettings(shape.file, {
    category,
    absorbsActivePower: opts.absorbsActivePower,
  });
  const valid = violations.length === 0;
  let trace: TraceAnswer | null = null;
  if (valid && samples !== undefined) {
    const e = evaluateTrace(settings, samples);
    trace = {
      compliant: e.compliant,
      truncated: e.truncated,
      violations: e.violations.map(({ fromMs, toMs, ...rest }) => ({
        ...rest,
        fromS: ms(fromMs),
        toS: ms(toMs),
      })),
      instants: e.instants.map(instantAnswer),
    };
  }
  return { valid, category, violations, settings: valid ? settingsToFile(settings) : null, trace };
}

function instantAnswer(x: Instant): InstantAnswer {
  return {
    tS: ms(x.tMs),
    vPu: pu(x.v),
    fHz: ms(x.f),
    state: x.state,
    region: x.region,
    voltageRegion: x.voltageRegion,
    frequencyRegion: x.frequencyRegion,
    rideThroughUntilS: opt(x.rideThroughUntilMs, ms),
    shallTripByS: opt(x.shallTripByMs, ms),
    qSetPu: opt(x.qSet, pu),
    pVoltWattPu: opt(x.pVoltWatt, pu),
    pDroopPu: opt(x.pDroop, pu),
  };
}

/** Resolved settings back in the settings file's form and units. */
export function settingsToFile(s: Ieee1547Settings): SettingsFile {
  const vtrip = (k: { pickup: number; clearingMs: number }) => ({ pu: pu(k.pickup), s: ms(k.clearingMs) });
  const ftrip = (k: { pickup: number; clearingMs: number }) => ({ hz: ms(k.pickup), s: ms(k.clearingMs) });
  const pts = (xs: [number, number][]) => xs.map(([a, b]) => [pu(a), pu(b)] as [number, number]);
  return {
    category: s.category,
    reactiveCategory: s.reactiveCategory,
    reactiveMode: s.reactiveMode,
    trip: {
      ov2: vtrip(s.trip.ov2),
      ov1: vtrip(s.trip.ov1),
      uv1: vtrip(s.trip.uv1),
      uv2: vtrip(s.trip.uv2),
      of2: ftrip(s.trip.of2),
      of1: ftrip(s.trip.of1),
      uf1: ftrip(s.trip.uf1),
      uf2: ftrip(s.trip.uf2),
    },
    voltVar: { vRef: pu(s.voltVar.vRef), points: pts(s.voltVar.points), responseS: ms(s.voltVar.responseMs) },
    ...(s.voltWatt.enabled
      ? { voltWatt: { points: pts(s.voltWatt.points), responseS: ms(s.voltWatt.responseMs) } }
      : {}),
    wattVar: { points: pts(s.wattVar.points) },
    constantPf: { pf: pu(s.constantPf.pfMicro), excitation: s.constantPf.excitation },
    constantVar: { q: pu(s.constantVar.qMicroPu) },
    freqDroop: {
      dbOfHz: ms(s.freqDroop.dbOfMilliHz),
      dbUfHz: ms(s.freqDroop.dbUfMilliHz),
      kOf: pu(s.freqDroop.kOfMicro),
      kUf: pu(s.freqDroop.kUfMicro),
      responseS: ms(s.freqDroop.responseMs),
    },
    enterService: {
      vMinPu: pu(s.enterService.vMin),
      vMaxPu: pu(s.enterService.vMax),
      fMinHz: ms(s.enterService.fMin),
      fMaxHz: ms(s.enterService.fMax),
      delayS: ms(s.enterService.delayMs),
      rampS: ms(s.enterService.rampMs),
    },
  };
}
