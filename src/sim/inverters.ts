/**
 * How the PV inverters respond to the voltages of the interval's power flow, per their IEEE 1547-2018
 * settings (der/ieee1547), in steady state (one 15-minute snapshot, so response times and clearing times of
 * seconds have long run out):
 *
 * 1. reactive power (§5.3): the registered mode's set point, volt-var Q(V) or constant power factor Q(P), in
 *    p.u. of the inverter's rating; Q(V) depends on the voltage it changes, so the flow is solved again until
 *    every output is within 0.1 % of a rating of its set point (a fixed point, by a damped iteration; at most
 *    MAX_ROUNDS flows);
 * 2. volt-watt (§5.4.2): above V1 the active power is limited by the curve, and the flow solved again;
 * 3. trip (§6.4.1, Table 11/12): an inverter whose bus voltage is at or beyond the OV1 or UV1 pickup ceases to
 *    energize for the interval (its clearing time is seconds; it may re-enter service, after the 300 s
 *    enter-service delay, in the next interval); the flow is solved once more without it.
 */

import { MICRO } from "../der/ieee1547/fixed.js";
import { reactiveSetpoint, voltWattLimit } from "../der/ieee1547/setpoints.js";
import type { PhysicsResult } from "./physics.js";
import type { Agent } from "./world.js";

/** Most power flows solved for the reactive power fixed point. */
export const MAX_ROUNDS = 30;
/** Set points closer than this (p.u. of a rating) to the last round's are a fixed point. */
const Q_TOLERANCE_PU = 1e-3;

/** What the responses need of an agent. */
export type Inverter = Pick<Agent, "index" | "busIndex" | "pvRatingW" | "ieee1547">;

export interface InverterInputs {
  agents: readonly Inverter[];
  /** PV output per agent this interval, Wh (lowered here by volt-watt and trips). */
  pvOut: Float64Array;
  /** Net load per bus, MW and Mvar: the inputs of `flow`, changed here as the inverters respond. */
  pdMw: Float64Array;
  qdMvar: Float64Array;
  /** Wh in the interval to MW. */
  toMw: number;
  stepHours: number;
  flow: () => PhysicsResult;
}

export interface InverterOutcome {
  pf: PhysicsResult;
  /** PV energy the volt-watt curve held back, Wh. */
  voltWattWh: number;
  /** PV energy lost to inverters that tripped on voltage, Wh. */
  tripWh: number;
  /** Inverters that tripped. */
  trips: number;
  /** Reactive energy the inverters injected (+) or absorbed (−), net over all of them, varh. */
  reactiveVarh: number;
  /** Power flows solved for the reactive power fixed point (0 when every set point is 0). */
  rounds: number;
  /** False when MAX_ROUNDS flows did not reach the fixed point (the last round's set points are used). */
  settled: boolean;
}

export function respondPerIeee1547(first: PhysicsResult, x: InverterInputs): InverterOutcome {
  let pf = first;
  const pv = x.agents.filter((a) => a.ieee1547 !== null && a.pvRatingW > 0);
  const qMvar = new Float64Array(pv.length);
  const pMicro = (a: Inverter) => Math.round((x.pvOut[a.index] / (a.pvRatingW * x.stepHours)) * MICRO);
  const setQ = (i: number, q: number) => {
    x.qdMvar[pv[i].busIndex] += qMvar[i] - q; // injection lowers the bus's net reactive load
    qMvar[i] = q;
  };
  const setpoints = () =>
    pv.map((a) => {
      if (!pf.energized[a.busIndex] || x.pvOut[a.index] <= 0) return 0;
      const q = reactiveSetpoint(a.ieee1547!, Math.round(pf.vmPu[a.busIndex] * MICRO), pMicro(a)) ?? 0;
      return (q / MICRO) * (a.pvRatingW / 1e6);
    });

  // 1. Reactive power to its fixed point. Q(V) falls as V rises and V rises with Q, so the plain iteration
  // q <- Q(V(q)) overshoots where the feeder is weak (a large inverter at its end): it is damped, the step
  // halved whenever the largest gap between set point and output grows (as an inverter's open-loop response
  // time damps it in the field).
  let rounds = 0;
  let settled = true;
  let step = 1;
  let lastGap = Number.POSITIVE_INFINITY;
  for (;;) {
    const target = setpoints();
    let gap = 0;
    for (let i = 0; i < pv.length; i++) {
      gap = Math.max(gap, Math.abs(target[i] - qMvar[i]) / (pv[i].pvRatingW / 1e6));
    }
    if (gap <= Q_TOLERANCE_PU) break;
    if (rounds === MAX_ROUNDS) {
      settled = false;
      break;
    }
    if (gap >= lastGap) step /= 2;
    lastGap = gap;
    for (let i = 0; i < pv.length; i++) setQ(i, qMvar[i] + step * (target[i] - qMvar[i]));
    pf = x.flow();
    rounds++;
  }

  // 2. Volt-watt.
  let voltWattWh = 0;
  for (const a of pv) {
    if (x.pvOut[a.index] <= 0 || !pf.energized[a.busIndex]) continue;
    const limitMicro = voltWattLimit(a.ieee1547!, Math.round(pf.vmPu[a.busIndex] * MICRO));
    if (limitMicro === null || limitMicro >= MICRO) continue;
    const most = (Math.max(0, limitMicro) / MICRO) * a.pvRatingW * x.stepHours;
    if (x.pvOut[a.index] <= most) continue;
    const cut = x.pvOut[a.index] - most;
    x.pvOut[a.index] = most;
    x.pdMw[a.busIndex] += cut * x.toMw;
    voltWattWh += cut;
  }
  if (voltWattWh > 0) pf = x.flow();

  // 3. Trips on voltage.
  let tripWh = 0;
  let trips = 0;
  pv.forEach((a, i) => {
    if (x.pvOut[a.index] <= 0 || !pf.energized[a.busIndex]) return;
    const v = Math.round(pf.vmPu[a.busIndex] * MICRO);
    const { ov1, uv1 } = a.ieee1547!.trip;
    if (v < ov1.pickup && v > uv1.pickup) return;
    tripWh += x.pvOut[a.index];
    x.pdMw[a.busIndex] += x.pvOut[a.index] * x.toMw;
    x.pvOut[a.index] = 0;
    setQ(i, 0);
    trips++;
  });
  if (trips > 0) pf = x.flow();

  let reactiveVarh = 0;
  for (let i = 0; i < pv.length; i++) reactiveVarh += qMvar[i] * 1e6 * x.stepHours;
  return { pf, voltWattWh, tripWh, trips, reactiveVarh, rounds, settled };
}
