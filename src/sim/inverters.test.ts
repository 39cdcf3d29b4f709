import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { dataDir } from "../core/data.js";
import { MICRO } from "../der/ieee1547/fixed.js";
import { resolveSettings } from "../der/ieee1547/resolve.js";
import { reactiveSetpoint } from "../der/ieee1547/setpoints.js";
import { parseMatpower } from "../grid/matpower/index.js";
import { busIndexById, type Network } from "../grid/model.js";
import { describeData } from "../test-support/data.js";
import { type Inverter, respondPerIeee1547 } from "./inverters.js";
import { powerFlow } from "./physics.js";

/**
 * The inverters' IEEE 1547 responses on the 33-bus feeder (case33bw) with a large PV plant at its far end
 * (bus 18), at noon with the feeder's loads at a tenth: the plant pushes the end of the feeder above 1.05 p.u.
 */

const HOURS = 0.25;
const TO_MW = 1 / (HOURS * 1e6);

function setup(reactiveMode: "constantPf" | "voltVar", pvW: number, voltWatt = true) {
  const net: Network = parseMatpower(readFileSync(join(dataDir(), "grid", "case33bw.m"), "utf8"), "case33bw");
  const bus = busIndexById(net).get(18)!;
  const settings = resolveSettings(
    { reactiveMode, ...(voltWatt ? { voltWatt: {} } : {}) },
    { category: "III" },
  ).settings;
  const inverter: Inverter = { index: 0, busIndex: bus, pvRatingW: pvW, ieee1547: settings };
  const pvOut = Float64Array.of(pvW * HOURS);
  const pdMw = net.bus.pdMw.map((p) => p / 10);
  const qdMvar = net.bus.qdMvar.map((q) => q / 10);
  pdMw[bus] -= pvOut[0] * TO_MW;
  const inService = new Uint8Array(net.branch.count).fill(1);
  const flow = () => powerFlow(net, { pdMw, qdMvar, inService, slackBuses: [0] }, 5);
  const outcome = respondPerIeee1547(flow(), {
    agents: [inverter],
    pvOut,
    pdMw,
    qdMvar,
    toMw: TO_MW,
    stepHours: HOURS,
    flow,
  });
  return { outcome, bus, pvOut, settings, before: flow };
}

describeData("IEEE 1547 inverter responses in the simulator", () => {
  it("unity power factor: no reactive power, and no flow solved for it", () => {
    const { outcome } = setup("constantPf", 1_500_000);
    expect(outcome.rounds).toBe(0);
    expect(outcome.reactiveVarh).toBe(0);
    expect(outcome.settled).toBe(true);
  });

  it("volt-var: reaches the curve's fixed point, absorbs reactive power and lowers the plant's voltage", () => {
    const unity = setup("constantPf", 3_000_000, false);
    const vv = setup("voltVar", 3_000_000, false);
    const vUnity = unity.outcome.pf.vmPu[unity.bus];
    const vVoltVar = vv.outcome.pf.vmPu[vv.bus];
    expect(vUnity).toBeGreaterThan(1.03); // above the curve's deadband (V2 = 1.02 by default)
    expect(vv.outcome.settled).toBe(true);
    expect(vv.outcome.rounds).toBeGreaterThan(0);
    expect(vv.outcome.reactiveVarh).toBeLessThan(0); // absorbing
    expect(vVoltVar).toBeLessThan(vUnity);
    // At the final voltage the curve asks for the Q the inverter holds, within the fixed point's tolerance.
    const q = reactiveSetpoint(vv.settings, Math.round(vVoltVar * MICRO), MICRO)!;
    const held = vv.outcome.reactiveVarh / (3_000_000 * HOURS);
    expect(Math.abs(held - q / MICRO)).toBeLessThan(2e-3);
  });

  it("volt-watt holds back active power above V1 and keeps the plant below its trip", () => {
    const plain = setup("constantPf", 12_000_000, false);
    const vw = setup("constantPf", 12_000_000, true);
    expect(plain.outcome.trips).toBe(1);
    expect(vw.outcome.trips).toBe(0);
    expect(vw.outcome.voltWattWh).toBeGreaterThan(0);
    expect(vw.pvOut[0]).toBeLessThan(12_000_000 * HOURS);
  });

  it("a plant that drives its bus to the OV1 pickup trips and loses the interval's energy", () => {
    const { outcome, pvOut, bus } = setup("constantPf", 12_000_000, false);
    expect(outcome.trips).toBe(1);
    expect(pvOut[0]).toBe(0);
    expect(outcome.tripWh).toBeGreaterThan(0);
    expect(outcome.pf.vmPu[bus]).toBeLessThan(1.1);
  });
});
