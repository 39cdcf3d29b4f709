import { assert } from "../../core/errors.js";
import { evaluateTrace } from "../../der/ieee1547/evaluate.js";
import { parseSettingsShape, resolveSettings } from "../../der/ieee1547/resolve.js";
import type { TraceSample } from "../../der/ieee1547/trace.js";
import { type Der, STORAGE_KINDS } from "../registry/types.js";
import type { ComplianceVerdict, DeviceTrace } from "./types.js";

/**
 * The IEEE 1547-2018 verdict on a DER's trace of a grid event, from the settings it registered (already
 * validated by validateDerSettings) and its category. der/ieee1547/evaluate.ts decides with integers only,
 * so every node computes the same verdict; only integer times, codes and clauses are recorded.
 */

/** Most violations recorded per trace (the first ones in time; `truncated` says when there were more). */
export const MAX_RECORDED_VIOLATIONS = 32;

export function complianceVerdict(der: Der, trace: DeviceTrace): ComplianceVerdict {
  const shape = parseSettingsShape(der.settings);
  assert(shape.ok, `settings of DER ${trace.der} passed validateDerSettings`);
  const { settings, violations } = resolveSettings(shape.file, {
    category: der.ieee1547Category,
    absorbsActivePower: STORAGE_KINDS.includes(der.kind),
  });
  assert(violations.length === 0, `settings of DER ${trace.der} are within their ranges`);
  const samples: TraceSample[] = trace.samples.map(([tMs, v, f, p, q, state]) => ({
    tMs,
    v,
    f,
    p,
    q,
    state,
  }));
  const e = evaluateTrace(settings, samples, { instants: false, maxViolations: MAX_RECORDED_VIOLATIONS });
  return {
    der: trace.der,
    category: der.ieee1547Category,
    compliant: e.compliant,
    violations: e.violations.map((v) => ({ code: v.code, clause: v.clause, fromMs: v.fromMs, toMs: v.toMs })),
    truncated: e.truncated,
  };
}
