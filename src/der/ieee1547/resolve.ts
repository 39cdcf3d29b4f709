import { fromFixed, MICRO, MILLI, toFixedExact } from "./fixed.js";
import {
  type Ieee1547Settings,
  type ReactiveMode,
  type SettingsFile,
  type SettingViolation,
  settingsFileSchema,
} from "./settings.js";
import {
  type Category,
  CONSTANT_PF_DEFAULT,
  CONSTANT_PF_MIN_MICRO,
  CONSTANT_VAR_DEFAULT_MICRO_PU,
  ENTER_SERVICE_DEFAULT,
  ENTER_SERVICE_RANGE,
  FREQ_DROOP_DEFAULT,
  FREQ_DROOP_RANGE,
  FREQUENCY_TRIP,
  FREQUENCY_TRIPS,
  type Range,
  REACTIVE_CAPABILITY,
  type ReactiveCategory,
  VOLT_VAR_DEFAULT,
  VOLT_VAR_RANGE,
  VOLT_WATT_DEFAULT,
  VOLT_WATT_DEFAULT_P2_ABSORBING,
  VOLT_WATT_RANGE,
  VOLTAGE_TRIP,
  VOLTAGE_TRIPS,
  WATT_VAR_DEFAULT,
  WATT_VAR_RANGE,
} from "./tables.js";

/**
 * Settings file -> resolved settings, with every value checked against the allowable range of the DER's
 * category. Every comparison is between safe integers: a decimal from the file becomes an integer of fixed.ts
 * units only when that conversion is exact (otherwise IEEE1547_SETTING_NOT_REPRESENTABLE), so the verdict is
 * the same on every machine and equals the verdict on the decimal as written.
 */

export type ShapeResult = { ok: true; file: SettingsFile } | { ok: false; setting: string; message: string };

/** Checks the shape of a settings object (unknown keys, wrong types, wrong number of curve points). */
export function parseSettingsShape(raw: unknown): ShapeResult {
  const r = settingsFileSchema.safeParse(raw);
  if (r.success) return { ok: true, file: r.data };
  const issue = r.error.issues[0];
  const path = issue.path.map(String).join(".");
  const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
  const setting = keys.length > 0 ? [path, keys[0]].filter((s) => s !== "").join(".") : path;
  return { ok: false, setting: setting === "" ? "(settings)" : setting, message: issue.message };
}

export interface ResolveOptions {
  /** The DER's abnormal performance category (in the protocol: the registration's ieee1547Category). */
  category: Category;
  /** Storage (battery, EV): the volt-watt P2 may be negative. */
  absorbsActivePower?: boolean;
}

export interface Resolved {
  settings: Ieee1547Settings;
  violations: SettingViolation[];
}

/** The scale of a unit: p.u. and ratios to micro units, Hz to mHz, s to ms. */
const PU = MICRO;
const HZ = MILLI;
const S = MILLI;

class Checker {
  readonly violations: SettingViolation[] = [];

  /**
   * The setting at `path` (raw value from the file, or the default when absent) as an integer of 1/scale
   * units; a violation is recorded when it is not representable or outside `range` (checked on the integer).
   */
  value(path: string, raw: number | undefined, scale: number, fallback: number, range: Range, table: string) {
    const allowed: [number, number] = [fromFixed(range.min, scale), fromFixed(range.max, scale)];
    if (raw === undefined) return fallback;
    const n = toFixedExact(raw, scale);
    if (n === null) {
      this.violations.push({
        code: "IEEE1547_SETTING_NOT_REPRESENTABLE",
        setting: path,
        value: raw,
        allowed,
        table,
        message: `${path} = ${raw} has more than ${Math.round(Math.log10(scale))} decimals of its unit`,
      });
      return fallback;
    }
    this.check(path, n, scale, range, table);
    return n;
  }

  /** Records a violation when the fixed-point `n` lies outside `range`. */
  check(path: string, n: number, scale: number, range: Range, table: string): void {
    if (n >= range.min && n <= range.max) return;
    const allowed: [number, number] = [fromFixed(range.min, scale), fromFixed(range.max, scale)];
    this.violations.push({
      code: "IEEE1547_SETTING_OUT_OF_RANGE",
      setting: path,
      value: fromFixed(n, scale),
      allowed,
      table,
      message: `${path} = ${fromFixed(n, scale)} is outside [${allowed[0]}, ${allowed[1]}] (IEEE 1547-2018 ${table})`,
    });
  }
}

const range = (min: number, max: number): Range => ({ min, max });

export function resolveSettings(file: SettingsFile, opts: ResolveOptions): Resolved {
  const c = new Checker();
  const category = opts.category;
  if (file.category !== undefined && file.category !== category) {
    c.violations.push({
      code: "IEEE1547_CATEGORY_MISMATCH",
      setting: "category",
      value: file.category,
      allowed: null,
      table: "§6.4.1",
      message: `category ${file.category} in the settings differs from the DER's category ${category}`,
    });
  }
  const reactiveCategory: ReactiveCategory = file.reactiveCategory ?? "B";
  const reactiveMode: ReactiveMode =
    file.reactiveMode ?? (file.voltVar !== undefined ? "voltVar" : "constantPf");
  const absorbs = opts.absorbsActivePower === true;

  const trip = {} as Ieee1547Settings["trip"];
  for (const name of VOLTAGE_TRIPS) {
    const spec = VOLTAGE_TRIP[category][name];
    const f = file.trip?.[name];
    trip[name] = {
      pickup: c.value(`trip.${name}.pu`, f?.pu, PU, spec.pickup, spec.pickupRange, spec.table),
      clearingMs: c.value(`trip.${name}.s`, f?.s, S, spec.clearingMs, spec.clearingRange, spec.table),
    };
  }
  for (const name of FREQUENCY_TRIPS) {
    const spec = FREQUENCY_TRIP[name];
    const f = file.trip?.[name];
    trip[name] = {
      pickup: c.value(`trip.${name}.hz`, f?.hz, HZ, spec.pickup, spec.pickupRange, spec.table),
      clearingMs: c.value(`trip.${name}.s`, f?.s, S, spec.clearingMs, spec.clearingRange, spec.table),
    };
  }

  const cap = REACTIVE_CAPABILITY[reactiveCategory];
  const qAny = range(-cap.absorbMicroPu, cap.injectMicroPu);
  const voltVar = resolveVoltVar(c, file, reactiveCategory, qAny);
  const voltWatt = resolveVoltWatt(c, file, absorbs);
  const wattVar = resolveWattVar(c, file, reactiveCategory, qAny);

  const excitation = file.constantPf?.excitation ?? CONSTANT_PF_DEFAULT.excitation;
  const pfMin = CONSTANT_PF_MIN_MICRO[reactiveCategory][excitation];
  const constantPf = {
    pfMicro: c.value(
      "constantPf.pf",
      file.constantPf?.pf,
      PU,
      CONSTANT_PF_DEFAULT.pfMicro,
      range(pfMin, MICRO),
      "Table 7",
    ),
    excitation,
  };
  const constantVar = {
    qMicroPu: c.value(
      "constantVar.q",
      file.constantVar?.q,
      PU,
      CONSTANT_VAR_DEFAULT_MICRO_PU,
      qAny,
      "Table 7",
    ),
  };

  const dr = FREQ_DROOP_RANGE[category];
  const fd = file.freqDroop;
  const freqDroop = {
    dbOfMilliHz: c.value(
      "freqDroop.dbOfHz",
      fd?.dbOfHz,
      HZ,
      FREQ_DROOP_DEFAULT.dbOfMilliHz,
      dr.db,
      "Table 24",
    ),
    dbUfMilliHz: c.value(
      "freqDroop.dbUfHz",
      fd?.dbUfHz,
      HZ,
      FREQ_DROOP_DEFAULT.dbUfMilliHz,
      dr.db,
      "Table 24",
    ),
    kOfMicro: c.value("freqDroop.kOf", fd?.kOf, PU, FREQ_DROOP_DEFAULT.kOfMicro, dr.k, "Table 24"),
    kUfMicro: c.value("freqDroop.kUf", fd?.kUf, PU, FREQ_DROOP_DEFAULT.kUfMicro, dr.k, "Table 24"),
    responseMs: c.value(
      "freqDroop.responseS",
      fd?.responseS,
      S,
      FREQ_DROOP_DEFAULT.responseMs,
      dr.responseMs,
      "Table 24",
    ),
  };

  const es = file.enterService;
  const er = ENTER_SERVICE_RANGE;
  const d = ENTER_SERVICE_DEFAULT;
  const enterService = {
    vMin: c.value("enterService.vMinPu", es?.vMinPu, PU, d.vMin, er.vMin, er.table),
    vMax: c.value("enterService.vMaxPu", es?.vMaxPu, PU, d.vMax, er.vMax, er.table),
    fMin: c.value("enterService.fMinHz", es?.fMinHz, HZ, d.fMin, er.fMin, er.table),
    fMax: c.value("enterService.fMaxHz", es?.fMaxHz, HZ, d.fMax, er.fMax, er.table),
    delayMs: c.value("enterService.delayS", es?.delayS, S, d.delayMs, er.delayMs, er.table),
    rampMs: c.value("enterService.rampS", es?.rampS, S, d.rampMs, er.rampMs, er.table),
  };

  return {
    settings: {
      category,
      reactiveCategory,
      reactiveMode,
      absorbsActivePower: absorbs,
      trip,
      voltVar,
      voltWatt,
      wattVar,
      constantPf,
      constantVar,
      freqDroop,
      enterService,
    },
    violations: c.violations,
  };
}

function resolveVoltVar(c: Checker, file: SettingsFile, cat: ReactiveCategory, qAny: Range) {
  const def = VOLT_VAR_DEFAULT[cat];
  const r = VOLT_VAR_RANGE;
  const vv = file.voltVar;
  const vRef = c.value("voltVar.vRef", vv?.vRef, PU, def.vRef, r.vRef, r.table);
  const responseMs = c.value("voltVar.responseS", vv?.responseS, S, def.responseMs, r.responseMs, r.table);
  const pts = def.points.map(([v, q]) => [v, q] as [number, number]);
  const given = vv?.points;
  if (given !== undefined) {
    for (let i = 0; i < 4; i++) {
      const [v, q] = given[i];
      // The ranges of V and Q depend on other points (checked below), so convert first, check after.
      pts[i] = [
        c.value(`voltVar.points.${i}.0`, v, PU, pts[i][0], range(0, 2 * MICRO), r.table),
        c.value(`voltVar.points.${i}.1`, q, PU, pts[i][1], range(-MICRO, MICRO), r.table),
      ];
    }
  }
  const [[v1, q1], [v2, q2], [v3, q3], [v4, q4]] = pts;
  // IEEE 1547-2018 Table 8: V2 in [VRef - 0.03, VRef], V3 in [VRef, VRef + 0.03],
  // V1 in [VRef - 0.18, V2 - 0.02], V4 in [V3 + 0.02, VRef + 0.18].
  c.check("voltVar.points.1.0", v2, PU, range(vRef - r.v2BelowVRef.max, vRef - r.v2BelowVRef.min), r.table);
  c.check("voltVar.points.2.0", v3, PU, range(vRef + r.v3AboveVRef.min, vRef + r.v3AboveVRef.max), r.table);
  c.check("voltVar.points.0.0", v1, PU, range(vRef - r.v1BelowVRefMax, v2 - r.minGap), r.table);
  c.check("voltVar.points.3.0", v4, PU, range(v3 + r.minGap, vRef + r.v4AboveVRefMax), r.table);
  // Q1 is an injection, Q4 an absorption, Q2 and Q3 either, all within the Table 7 capability.
  const cap = REACTIVE_CAPABILITY[cat];
  c.check("voltVar.points.0.1", q1, PU, range(0, cap.injectMicroPu), r.table);
  c.check("voltVar.points.1.1", q2, PU, qAny, r.table);
  c.check("voltVar.points.2.1", q3, PU, qAny, r.table);
  c.check("voltVar.points.3.1", q4, PU, range(-cap.absorbMicroPu, 0), r.table);
  return { vRef, points: pts, responseMs };
}

function resolveVoltWatt(c: Checker, file: SettingsFile, absorbs: boolean) {
  const r = VOLT_WATT_RANGE;
  const vw = file.voltWatt;
  const responseMs = c.value(
    "voltWatt.responseS",
    vw?.responseS,
    S,
    VOLT_WATT_DEFAULT.responseMs,
    r.responseMs,
    r.table,
  );
  const pts = VOLT_WATT_DEFAULT.points.map(([v, p]) => [v, p] as [number, number]);
  if (absorbs) pts[1][1] = VOLT_WATT_DEFAULT_P2_ABSORBING;
  const given = vw?.points;
  if (given !== undefined) {
    for (let i = 0; i < 2; i++) {
      pts[i] = [
        c.value(`voltWatt.points.${i}.0`, given[i][0], PU, pts[i][0], range(0, 2 * MICRO), r.table),
        c.value(`voltWatt.points.${i}.1`, given[i][1], PU, pts[i][1], range(-MICRO, MICRO), r.table),
      ];
    }
  }
  const [[v1, p1], [v2, p2]] = pts;
  // IEEE 1547-2018 Table 10: V1 1.05-1.09, V2 from V1 + 0.01 to 1.10, P1 = Prated, P2 Pmin..Prated (P'2 for storage).
  c.check("voltWatt.points.0.0", v1, PU, r.v1, r.table);
  c.check("voltWatt.points.1.0", v2, PU, range(v1 + r.v2AboveV1Min, r.v2Max), r.table);
  c.check("voltWatt.points.0.1", p1, PU, r.p1, r.table);
  c.check("voltWatt.points.1.1", p2, PU, absorbs ? r.p2Absorbing : r.p2, r.table);
  return { enabled: vw !== undefined, points: pts, responseMs };
}

function resolveWattVar(c: Checker, file: SettingsFile, cat: ReactiveCategory, qAny: Range) {
  const r = WATT_VAR_RANGE;
  const pts = WATT_VAR_DEFAULT[cat].points.map(([p, q]) => [p, q] as [number, number]);
  const given = file.wattVar?.points;
  if (given !== undefined) {
    for (let i = 0; i < 3; i++) {
      pts[i] = [
        c.value(`wattVar.points.${i}.0`, given[i][0], PU, pts[i][0], range(0, MICRO), r.table),
        c.value(`wattVar.points.${i}.1`, given[i][1], PU, pts[i][1], qAny, r.table),
      ];
    }
  }
  const [[p1], [p2], [p3]] = pts;
  // IEEE 1547-2018 Table 9: P1 <= P2 - 0.1, P2 within P1 + 0.1 and P3 - 0.1, P3 from P2 + 0.1 to Prated.
  c.check("wattVar.points.0.0", p1, PU, range(r.p1.min, Math.min(r.p1.max, p2 - r.minGap)), r.table);
  c.check("wattVar.points.1.0", p2, PU, range(p1 + r.minGap, p3 - r.minGap), r.table);
  c.check("wattVar.points.2.0", p3, PU, range(p2 + r.minGap, r.p3Max), r.table);
  return { points: pts };
}
