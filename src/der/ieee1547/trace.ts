import { z } from "zod";
import { PlurigridError } from "../../core/errors.js";
import { MICRO, MILLI, toFixedRounded } from "./fixed.js";

/**
 * A measured trace at the DER's point of connection: voltage, frequency, the DER's active and reactive power
 * and its state, sampled at increasing times. A trace is a step function: each sample holds until the next
 * one, so a change (a trip, a voltage step) happens at the time of the sample that first shows it.
 */

/** on: energizing; ceased: connected but not energizing (momentary cessation); tripped: disconnected. */
export const DER_STATES = ["on", "ceased", "tripped"] as const;
export type DerState = (typeof DER_STATES)[number];

/** One sample in fixed-point units: ms, micro p.u., mHz; P and Q in micro p.u. of the rating (null: not measured). */
export interface TraceSample {
  tMs: number;
  v: number;
  f: number;
  p: number | null;
  q: number | null;
  state: DerState;
}

/** Most samples in one trace read from a file (a day at one sample a second fits). */
export const MAX_TRACE_SAMPLES = 100_000;

const num = z.number();
/** The trace file of `plurigrid ieee1547 check --trace`: decimal s, p.u. and Hz. */
export const traceFileSchema = z.strictObject({
  samples: z
    .array(
      z.strictObject({
        tS: num.min(0),
        vPu: num.min(0).max(10),
        fHz: num.min(0).max(1_000),
        pPu: num.min(-10).max(10).optional(),
        qPu: num.min(-10).max(10).optional(),
        state: z.enum(DER_STATES),
      }),
    )
    .min(1)
    .max(MAX_TRACE_SAMPLES),
});
export type TraceFile = z.infer<typeof traceFileSchema>;

/**
 * A trace file as fixed-point samples: measurements are rounded to the nearest unit (ms, micro p.u., mHz).
 * Throws IEEE1547_TRACE_INVALID for a wrong shape or times that do not increase.
 */
export function traceFromFile(raw: unknown): TraceSample[] {
  const r = traceFileSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue.path.map(String).join(".");
    throw new PlurigridError(
      "IEEE1547_TRACE_INVALID",
      `trace ${path === "" ? "" : `${path}: `}${issue.message}`,
      {
        path,
      },
    );
  }
  const samples = r.data.samples.map((s) => ({
    tMs: toFixedRounded(s.tS, MILLI),
    v: toFixedRounded(s.vPu, MICRO),
    f: toFixedRounded(s.fHz, MILLI),
    p: s.pPu === undefined ? null : toFixedRounded(s.pPu, MICRO),
    q: s.qPu === undefined ? null : toFixedRounded(s.qPu, MICRO),
    state: s.state,
  }));
  checkIncreasing(samples);
  return samples;
}

/** Times must strictly increase (after rounding to the ms). */
export function checkIncreasing(samples: readonly TraceSample[]): void {
  for (let i = 1; i < samples.length; i++) {
    if (samples[i].tMs <= samples[i - 1].tMs) {
      throw new PlurigridError(
        "IEEE1547_TRACE_INVALID",
        `trace samples.${i}: time ${samples[i].tMs} ms is not after the previous sample's ${samples[i - 1].tMs} ms`,
        { path: `samples.${i}.tS` },
      );
    }
  }
}
