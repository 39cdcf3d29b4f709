/**
 * The scenario file: everything a run depends on besides the code and the reference data. One zod schema is
 * both the type and the check; every field is documented in docs/sim.md. Semantic checks that need the
 * network or the data folder (unknown bus, missing file, event outside the run) live in validate.ts and run
 * before anything is simulated.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { PlurigridError } from "../core/errors.js";
import { SIGNATURE_SCHEMES } from "../protocol/index.js";

const id = z
  .string()
  .min(1)
  .max(48)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "lowercase letters, digits and '-'");
const busId = z.int().positive();
const nonNegInt = z.int().nonnegative();
const posInt = z.int().positive();
const price = z.int().min(0).max(1_000_000_000);
const isoTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$/, "an ISO UTC time like 2016-07-04T00:00:00Z");

export const strategySchema = z.discriminatedUnion("kind", [
  /** Limit = marginal cost (sellers) or value (buyers). */
  z.strictObject({ kind: z.literal("truthful") }),
  /** Sellers ask marginal cost + markup; buyers bid value − markup. */
  z.strictObject({ kind: z.literal("markup"), markupMicrosPerKWh: price }),
  /** Battery (and PV) owner scheduling through the LP on its forecast. */
  z.strictObject({
    kind: z.literal("optimal"),
    horizonHours: posInt.max(168).default(24),
    replanEveryIntervals: posInt.max(96).default(4),
  }),
]);
export type Strategy = z.infer<typeof strategySchema>;

export const loadSpecSchema = z.strictObject({
  /** Key of `loadProfiles`. */
  profile: id,
  /** Which household or building of the profile file (0-based column group). */
  member: nonNegInt,
  /** Multiplier on the measured energy. */
  scale: z.number().positive().max(1000).default(1),
  /** Share of the load that is critical (served first, bid at the value of lost load), percent. */
  criticalSharePct: z.number().min(0).max(100).default(20),
  /** Value of the rest of the load, micro-units per kWh (buyers' truthful limit). */
  valueMicrosPerKWh: price.default(400_000),
});

export const caseLoadsSchema = z.strictObject({
  /** Buses whose MATPOWER Pd this participant consumes (shape from `profile`, peak = the case's Pd). */
  buses: z.array(busId).min(1),
  profile: id,
  member: nonNegInt,
  criticalSharePct: z.number().min(0).max(100).default(10),
  valueMicrosPerKWh: price.default(400_000),
});

export const pvSpecSchema = z.strictObject({
  /** AC rating (inverter), W. */
  ratingW: posInt,
  tiltDeg: z.number().min(0).max(90).default(25),
  /** Degrees east of north (180 = south). */
  azimuthDeg: z.number().min(0).max(360).default(180),
  dcAcRatio: z.number().min(0.5).max(2).default(1.2),
  /** Marginal cost, micro-units per kWh. */
  marginalCostMicrosPerKWh: price.default(0),
});

export const batterySpecSchema = z.strictObject({
  ratingW: posInt,
  energyWh: posInt,
  initialSocPct: z.number().min(0).max(100).default(50),
  minSocPct: z.number().min(0).max(100).default(10),
  /** One-way efficiency (charge and discharge each). */
  efficiency: z.number().gt(0).max(1).default(0.95),
  /** Holds voltage and frequency of its island when the feeder is cut (the island's slack). */
  gridForming: z.boolean().default(false),
});

export const evSpecSchema = z.strictObject({
  ratingW: posInt,
  energyWhPerDay: posInt,
  /** Local hour of arrival (charging starts), 0-23; the seed jitters it by up to an hour. */
  arriveHour: z.int().min(0).max(23).default(18),
});

const participantFields = {
  roles: z
    .array(z.enum(["prosumer", "producer", "consumer"]))
    .min(1)
    .optional(),
  bus: busId,
  strategy: strategySchema.default({ kind: "truthful" }),
  load: loadSpecSchema.optional(),
  caseLoads: caseLoadsSchema.optional(),
  pv: pvSpecSchema.optional(),
  battery: batterySpecSchema.optional(),
  ev: evSpecSchema.optional(),
  /** Starting balance, micro-units. */
  balanceMicros: nonNegInt.default(1_000_000_000_000),
};

export const participantSchema = z.strictObject({ id, ...participantFields });
export type ParticipantSpec = z.infer<typeof participantSchema>;

export const groupSchema = z.strictObject({
  /** Members are named `<id>-<k>`, k = 1..count. */
  id,
  count: posInt.max(10_000),
  /** Buses the members are spread over, in turn. */
  buses: z.array(busId).min(1),
  strategy: strategySchema.default({ kind: "truthful" }),
  /** Load of each member: `member` is the first profile member; members cycle through `members` of them. */
  load: loadSpecSchema.extend({
    members: posInt.default(1),
    scaleMin: z.number().positive().default(0.8),
    scaleMax: z.number().positive().default(1.2),
  }),
  pv: pvSpecSchema.extend({ sharePct: z.number().min(0).max(100).default(100) }).optional(),
  battery: batterySpecSchema.extend({ sharePct: z.number().min(0).max(100).default(100) }).optional(),
  ev: evSpecSchema.extend({ sharePct: z.number().min(0).max(100).default(100) }).optional(),
  /** Strategy of the members that own a battery (default: the group's strategy). */
  batteryStrategy: strategySchema.optional(),
  balanceMicros: nonNegInt.default(1_000_000_000_000),
});
export type GroupSpec = z.infer<typeof groupSchema>;

const branchRef = { from: busId, to: busId };
export const eventSchema = z.discriminatedUnion("kind", [
  z.strictObject({ at: isoTime, kind: z.literal("branch_outage"), ...branchRef }),
  z.strictObject({ at: isoTime, kind: z.literal("branch_restoration"), ...branchRef }),
  z.strictObject({
    at: isoTime,
    kind: z.literal("meter_tamper"),
    participant: id,
    /** Jokar et al. (2016) attack h1..h6 (data/theft/jokar2016_attack_models.json). */
    attack: z.enum(["h1", "h2", "h3", "h4", "h5", "h6"]),
  }),
  z.strictObject({ at: isoTime, kind: z.literal("double_selling"), participant: id }),
]);
export type EventSpec = z.infer<typeof eventSchema>;

export const scenarioSchema = z.strictObject({
  name: id,
  description: z.string().max(2000).optional(),
  seed: nonNegInt.max(Number.MAX_SAFE_INTEGER),
  start: isoTime,
  durationHours: z
    .number()
    .positive()
    .max(24 * 366),
  intervalMinutes: posInt.refine((m) => 1440 % m === 0, "must divide a day (1440 minutes)").default(15),
  /**
   * How the run's transactions are signed: "ed25519" (as on a live chain) or "sim-digest" (a hash that binds
   * each transaction to its sender's key but that anyone could compute: a simulation chain's cheaper scheme,
   * fixed in its genesis; protocol/scheme.ts). The ledger verifies either way.
   */
  signatureScheme: z.enum(SIGNATURE_SCHEMES).default("ed25519"),
  /**
   * The PV inverters' IEEE 1547-2018 settings (category III, the standard's defaults otherwise): the reactive
   * power mode (§5.3: constant power factor, unity by default, or the default volt-var curve) and volt-watt
   * (§5.4.2, on by default). Voltage trips (OV1/UV1) always apply.
   */
  ieee1547: z
    .strictObject({
      reactiveMode: z.enum(["constantPf", "voltVar"]).default("constantPf"),
      voltWatt: z.boolean().default(true),
    })
    .prefault({}),
  network: z.strictObject({
    /** A MATPOWER case in the data folder's grid/ (name without .m). */
    case: z.string().regex(/^[A-Za-z0-9_]+$/, "a case name such as case33bw"),
    /** Rating for branches whose rateA is 0 (unlimited in MATPOWER), MVA. */
    defaultRatingMva: z.number().positive().default(5),
    vmMinPu: z.number().positive().default(0.95),
    vmMaxPu: z.number().positive().default(1.05),
    /** Power factor of loads (reactive power = P · tan(acos(pf))). */
    loadPowerFactor: z.number().gt(0).max(1).default(0.95),
  }),
  weather: z.strictObject({ tmy3: z.string().min(1) }),
  loadProfiles: z.record(
    id,
    z.strictObject({
      /** Path under the data folder. */
      file: z.string().min(1),
      format: z.enum(["opsd-households", "cambridge-buildings"]),
      /** Local time zone of the measurements, hours from UTC: profiles are aligned by local time of day. */
      timezoneHours: z.number().min(-14).max(14).default(0),
    }),
  ),
  market: z
    .strictObject({
      rule: z.enum(["uniform", "pay-as-bid"]).default("uniform"),
      /** Who clears: the protocol's reference solver on its own book, or the simulator's merit-order auction. */
      solver: z.enum(["reference", "merit-order"]).default("reference"),
      /**
       * How agents bid: "per-interval" (one SubmitIntent per order before each gate closure, on the state of
       * charge of that moment) or "day-ahead" (before a day's first gate closure, one SubmitIntentSeries per
       * order kind for the rest of that UTC day, planned on the forecast; day-ahead.ts).
       */
      intents: z.enum(["per-interval", "day-ahead"]).default("per-interval"),
      /** Position of the uniform price in the supporting interval, parts per million (500000 = midpoint). */
      kPpm: z.int().min(0).max(1_000_000).default(500_000),
      upstream: z
        .strictObject({
          bus: busId.default(1),
          sellMicrosPerKWh: price.default(300_000),
          buyMicrosPerKWh: price.default(50_000),
          /** Most the substation carries, W (the upstream grid's intents are bounded by it). */
          ratingW: posInt.default(20_000_000),
        })
        .prefault({}),
      /** What a deviation from the schedule pays (shortfall) or earns (surplus), micros/kWh (protocol market). */
      imbalancePriceMicrosPerKWh: price.default(300_000),
      valueOfLostLoadMicrosPerKWh: price.default(5_000_000),
    })
    .prefault({}),
  forecast: z
    .strictObject({
      loadErrorPct: z.number().min(0).max(100).default(10),
      pvErrorPct: z.number().min(0).max(100).default(15),
    })
    .prefault({}),
  /**
   * When meters send their readings: "per-interval" (one SubmitMeterReading after each interval) or "daily"
   * (one SubmitMeterReadings with the day's readings after the UTC day ends, as smart meters upload; the
   * day's intervals are then settled together).
   */
  meters: z.strictObject({ upload: z.enum(["per-interval", "daily"]).default("per-interval") }).prefault({}),
  microgrids: z
    .array(z.strictObject({ id, name: z.string().min(1).max(128), buses: z.array(busId).min(1) }))
    .default([]),
  participants: z.array(participantSchema).default([]),
  groups: z.array(groupSchema).default([]),
  events: z.array(eventSchema).default([]),
  /** Write the ledger to SQLite (off for sweeps that only want the metrics). */
  ledger: z.boolean().default(true),
});
export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;

export function scenarioError(field: string, message: string, details: Record<string, unknown> = {}): never {
  throw new PlurigridError("SIM_SCENARIO_INVALID", `${field}: ${message}`, { field, ...details });
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out === "" ? "(scenario)" : out;
}

/** Schema check of a parsed scenario object: SIM_SCENARIO_INVALID naming the first bad field. */
export function parseScenario(value: unknown): Scenario {
  const r = scenarioSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    scenarioError(fieldPath(issue.path), issue.message, { issues: r.error.issues.length });
  }
  return r.data;
}

/** Reads a YAML or JSON scenario file (JSON is YAML) and checks its schema. */
export function readScenarioFile(path: string): { scenario: Scenario; text: string } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new PlurigridError(
      "SIM_SCENARIO_NOT_FOUND",
      `cannot read the scenario ${path}: ${(e as Error).message}`,
      {
        path,
      },
    );
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (e) {
    throw new PlurigridError("SIM_SCENARIO_PARSE", `${path} is not YAML or JSON: ${(e as Error).message}`, {
      path,
    });
  }
  return { scenario: parseScenario(value), text };
}
