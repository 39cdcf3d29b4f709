import { z } from "zod";
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

export const reportGridEventBodySchema = z.strictObject({
  event: gridEventSchema,
  /** When the event was observed (ms); not after the block's protocol time. */
  observedAtMs: timeMsSchema,
});
export type ReportGridEventBody = z.infer<typeof reportGridEventBodySchema>;

/** State record at "grid/event/<seq>": one reported event. */
export interface GridEventRecord {
  event: GridEvent;
  observedAtMs: number;
  reporter: string;
  height: number;
  txHash: string;
}

/** State record at "grid/events": how many events have been logged. */
export interface EventCounter {
  count: number;
}
