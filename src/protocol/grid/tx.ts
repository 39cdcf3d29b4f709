import type { AccountId } from "../../core/keys.js";
import type { StateOverlay } from "../overlay.js";
import { getDer, getDevice, getMicrogrid, hasRole } from "../registry/state.js";
import type { ProtocolEvent } from "../seam.js";
import { defineTx, reject } from "../txdef.js";
import { complianceVerdict } from "./compliance.js";
import {
  appendEvent,
  branchKey,
  derComplianceKey,
  getBranch,
  getBus,
  getDerCompliance,
  getMicrogridGrid,
  getSwitch,
  gridMicrogridKey,
  switchKey,
} from "./state.js";
import {
  type ComplianceVerdict,
  type DeviceTrace,
  type GridEvent,
  reportGridEventBodySchema,
} from "./types.js";

/**
 * A grid event reported by an operator (any kind) or by a registered DER's device (excursions and islanding
 * at its own bus or microgrid only). Topology events change the protocol's topology view; every accepted
 * event is appended to the event log.
 */
export const reportGridEvent = defineTx(reportGridEventBodySchema, (ctx, body) => {
  const { state, sender } = ctx;
  const { event } = body;
  if (body.observedAtMs > ctx.timeMs) {
    reject("GRID_FUTURE_EVENT", `observedAtMs ${body.observedAtMs} is after protocol time ${ctx.timeMs}`, {
      observedAtMs: body.observedAtMs,
    });
  }
  authorize(state, sender, event);
  const compliance = body.traces?.map((trace) => judge(state, sender, trace));
  applyTopology(state, event, ctx.timeMs);
  const seq = appendEvent(state, {
    event,
    observedAtMs: body.observedAtMs,
    reporter: sender,
    height: ctx.height,
    txHash: ctx.txHash,
    ...(compliance === undefined ? {} : { compliance }),
  });
  const events: ProtocolEvent[] = [
    { type: "grid_event", attributes: { kind: event.kind, seq, reporter: sender } },
  ];
  for (const v of compliance ?? []) {
    const prev = getDerCompliance(state, v.der);
    state.put(derComplianceKey(v.der), {
      events: (prev?.events ?? 0) + 1,
      nonCompliantEvents: (prev?.nonCompliantEvents ?? 0) + (v.compliant ? 0 : 1),
      lastSeq: seq,
      lastCompliant: v.compliant,
    });
    events.push({
      type: "ieee1547_verdict",
      attributes: { der: v.der, seq, compliant: v.compliant, violations: v.violations.length },
    });
  }
  return events;
});

/**
 * The verdict on one device trace: an operator may submit any DER's trace, a device only its own DER's.
 */
function judge(state: StateOverlay, sender: AccountId, trace: DeviceTrace): ComplianceVerdict {
  const der = getDer(state, trace.der);
  if (der === undefined) reject("GRID_UNKNOWN_DER", `no DER ${trace.der}`, { der: trace.der });
  if (!hasRole(state, sender, "operator") && getDevice(state, sender)?.der !== trace.der) {
    reject("GRID_NOT_AUTHORIZED", "a device submits only its own DER's trace", {
      reporter: sender,
      der: trace.der,
    });
  }
  return complianceVerdict(der, trace);
}

export const gridTxTypes = { ReportGridEvent: reportGridEvent } as const;

function authorize(state: StateOverlay, sender: AccountId, event: GridEvent): void {
  if (hasRole(state, sender, "operator")) return;
  const device = getDevice(state, sender);
  const der = device === undefined ? undefined : getDer(state, device.der);
  if (der === undefined) {
    reject("GRID_NOT_AUTHORIZED", "grid events are reported by operators or by registered DER devices", {
      reporter: sender,
    });
  }
  const own = (what: string) =>
    reject("GRID_NOT_AUTHORIZED", `a device reports only about its own ${what}`, {
      reporter: sender,
      der: device?.der,
    });
  switch (event.kind) {
    case "voltage_excursion":
      if (event.bus !== der.bus) own("bus");
      return;
    case "frequency_excursion":
    case "islanding":
      if (getBus(state, der.bus)?.microgrid !== event.microgrid) own("microgrid");
      return;
    default:
      reject("GRID_NOT_AUTHORIZED", `only an operator reports ${event.kind}`, { reporter: sender });
  }
}

function applyTopology(state: StateOverlay, event: GridEvent, timeMs: number): void {
  switch (event.kind) {
    case "branch_outage":
    case "branch_restoration": {
      const branch = getBranch(state, event.branch);
      if (branch === undefined)
        reject("GRID_UNKNOWN_BRANCH", `no branch ${event.branch}`, { branch: event.branch });
      const inService = event.kind === "branch_restoration";
      if (branch.inService === inService) {
        reject("GRID_NO_CHANGE", `branch ${event.branch} is already ${inService ? "in" : "out of"} service`, {
          branch: event.branch,
        });
      }
      state.put(branchKey(event.branch), { ...branch, inService });
      return;
    }
    case "switch_open":
    case "switch_close": {
      const sw = getSwitch(state, event.switch);
      if (sw === undefined)
        reject("GRID_UNKNOWN_SWITCH", `no switch ${event.switch}`, { switch: event.switch });
      const closed = event.kind === "switch_close";
      if (sw.closed === closed) {
        reject("GRID_NO_CHANGE", `switch ${event.switch} is already ${closed ? "closed" : "open"}`, {
          switch: event.switch,
        });
      }
      state.put(switchKey(event.switch), { ...sw, closed });
      return;
    }
    case "voltage_excursion":
      if (getBus(state, event.bus) === undefined)
        reject("GRID_UNKNOWN_BUS", `no bus ${event.bus}`, { bus: event.bus });
      return;
    case "frequency_excursion":
      requireMicrogrid(state, event.microgrid);
      return;
    case "islanding": {
      requireMicrogrid(state, event.microgrid);
      const islanded = getMicrogridGrid(state, event.microgrid)?.islanded ?? false;
      if (islanded === event.islanded) {
        reject(
          "GRID_NO_CHANGE",
          `microgrid ${event.microgrid} is already ${islanded ? "islanded" : "connected"}`,
          {
            microgrid: event.microgrid,
          },
        );
      }
      state.put(gridMicrogridKey(event.microgrid), { islanded: event.islanded, changedAtMs: timeMs });
      return;
    }
  }
}

function requireMicrogrid(state: StateOverlay, id: string): void {
  if (getMicrogrid(state, id) === undefined)
    reject("GRID_UNKNOWN_MICROGRID", `no microgrid ${id}`, { microgrid: id });
}
