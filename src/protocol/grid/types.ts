import { z } from "zod";
import { DER_STATES } from "../../der/ieee1547/trace.js";
import { MAX_DEVICE_TRACES_PER_EVENT, MAX_TRACE_SAMPLES } from "../limits.js";
import { busIdSchema, idSchema, nonNegativeIntSchema, positiveIntSchema, timeMsSchema } from "../schemas.js";

/**
 * The protocol's view of the grid: which buses exist (and which microgrid each belongs to), which branches
 * are in service, which switches are closed, which microgrids are islanded, and the log of reported events.
 * Branches and switches are numbered by their 0-based row in the network of genesis (MATPOWER order).
 */

/** State record at "grid/network": where the network came from and its size. */
export interface NetworkRecord {
  source: "matpower" | "list";
  name: string;
  /** Hex SHA-256 of the MATPOWER case text (null for a listed network), checkable with sha256sum. */
  caseSha256: string | null;
  busCount: number;
  branchCount: number;
  switchCount: number;
}

/** State record at "grid/bus/<busId>". */
export interface BusRecord {
  /** 0-based row of the bus in the network. */
  index: number;
  /** Id of the microgrid the bus belongs to, or null. */
  microgrid: string | null;
}

/** State record at "grid/branch/<i>". */
export interface BranchRecord {
  fromBus: number;
  toBus: number;
  inService: boolean;
}

/** State record at "grid/switch/<i>". */
export interface SwitchRecord {
  fromBus: number;
  toBus: number;
  closed: boolean;
}

/** State record at "grid/microgrid/<id>" (absent: connected, never reported islanded). */
export interface MicrogridGridRecord {
  islanded: boolean;
  changedAtMs: number;
}

export const gridEventSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("branch_outage"), branch: nonNegativeIntSchema }),
  z.strictObject({ kind: z.literal("branch_restoration"), branch: nonNegativeIntSchema }),
  z.strictObject({ kind: z.literal("switch_open"), switch: nonNegativeIntSchema }),
  z.strictObject({ kind: z.literal("switch_close"), switch: nonNegativeIntSchema }),
  z.strictObject({
    kind: z.literal("voltage_excursion"),
    bus: busIdSchema,
    /** Measured voltage magnitude in micro per-unit (1.06 p.u. = 1_060_000). */
    vmMicroPu: nonNegativeIntSchema,
    durationMs: nonNegativeIntSchema,
  }),
  z.strictObject({
    kind: z.literal("frequency_excursion"),
    microgrid: idSchema,
    frequencyMilliHz: positiveIntSchema,
    durationMs: nonNegativeIntSchema,
  }),
  z.strictObject({ kind: z.literal("islanding"), microgrid: idSchema, islanded: z.boolean() }),
]);
export type GridEvent = z.infer<typeof gridEventSchema>;

/** Largest |P| or |Q| in a trace, micro p.u. of the rating (10 p.u.), and largest voltage (10 p.u.) and frequency (1 kHz). */
const MAX_TRACE_MICRO_PU = 10_000_000;
const MAX_TRACE_MILLI_HZ = 1_000_000;
const traceMicroPu = z.int().min(-MAX_TRACE_MICRO_PU).max(MAX_TRACE_MICRO_PU).nullable();

/**
 * One sample of a device trace: [tMs after observedAtMs, voltage micro p.u., frequency mHz, P micro p.u. of
 * the rating or null, Q micro p.u. (positive = injection) or null, DER state]. Integers only, so the verdict
 * computed from it is exact.
 */
export const traceSampleSchema = z.tuple([
  nonNegativeIntSchema,
  z.int().min(0).max(MAX_TRACE_MICRO_PU),
  z.int().min(1).max(MAX_TRACE_MILLI_HZ),
  traceMicroPu,
  traceMicroPu,
  z.enum(DER_STATES),
]);
export type TraceSampleTuple = z.infer<typeof traceSampleSchema>;

/** What a DER measured during the event: its IEEE 1547 compliance verdict is computed from it. */
export const deviceTraceSchema = z.strictObject({
  der: idSchema,
  samples: z
    .array(traceSampleSchema)
    .min(1)
    .max(MAX_TRACE_SAMPLES)
    .refine((xs) => xs.every((x, i) => i === 0 || x[0] > xs[i - 1][0]), {
      message: "sample times must strictly increase",
    }),
});
export type DeviceTrace = z.infer<typeof deviceTraceSchema>;

export const reportGridEventBodySchema = z.strictObject({
  event: gridEventSchema,
  /** When the event was observed (ms); not after the block's protocol time. */
  observedAtMs: timeMsSchema,
  /** Measured device traces; each gets an IEEE 1547 compliance verdict recorded with the event. */
  traces: z
    .array(deviceTraceSchema)
    .min(1)
    .max(MAX_DEVICE_TRACES_PER_EVENT)
    .refine((ts) => new Set(ts.map((t) => t.der)).size === ts.length, { message: "one trace per DER" })
    .optional(),
});
export type ReportGridEventBody = z.infer<typeof reportGridEventBodySchema>;

/** A compliance violation as recorded: integers and stable strings only (times in ms after observedAtMs). */
export interface RecordedViolation {
  code: string;
  clause: string;
  fromMs: number;
  toMs: number;
}

/** The IEEE 1547 verdict on one device trace of an event. */
export interface ComplianceVerdict {
  der: string;
  category: "I" | "II" | "III";
  compliant: boolean;
  /** The first MAX_RECORDED_VIOLATIONS violations, in time order. */
  violations: RecordedViolation[];
  /** True when there were more violations than recorded. */
  truncated: boolean;
}

/** State record at "grid/event/<seq>": one reported event. */
export interface GridEventRecord {
  event: GridEvent;
  observedAtMs: number;
  reporter: string;
  height: number;
  txHash: string;
  /** Present when the event carried device traces: one verdict per trace, in the order given. */
  compliance?: ComplianceVerdict[];
}

/** State record at "grid/compliance/<der>": a DER's record over all events that carried its trace. */
export interface DerComplianceRecord {
  events: number;
  nonCompliantEvents: number;
  lastSeq: number;
  lastCompliant: boolean;
}

/** State record at "grid/events": how many events have been logged. */
export interface EventCounter {
  count: number;
}
