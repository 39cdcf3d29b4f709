import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { dataDir } from "../../core/data.js";
import { describeData } from "../../test-support/data.js";
import type { Network } from "../model.js";
import { firstDifference } from "./diff.js";
import { parseMatpower, writeMatpower } from "./index.js";
import { readCase } from "./parse.js";

const gridDir = () => join(dataDir(), "grid");
const caseFiles = (): string[] =>
  existsSync(gridDir())
    ? readdirSync(gridDir())
        .filter((f) => f.endsWith(".m"))
        .sort()
    : [];

/** Sizes MATPOWER itself reported for the cases in ref/ (computed in Octave, not by this reader). */
function refSizes(name: string): { nbus: number; nbranch: number; ngen: number } | undefined {
  const path = join(gridDir(), "ref", `${name}.json`);
  return existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : undefined;
}

const cache = new Map<string, Network>();
function load(file: string): Network {
  let net = cache.get(file);
  if (net === undefined) {
    net = readCase(join(gridDir(), file));
    cache.set(file, net);
  }
  return net;
}

const sum = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0);

describeData("MATPOWER cases in shared/data/grid", () => {
  it("finds the case files", () => {
    expect(caseFiles().length).toBeGreaterThanOrEqual(30);
  });

  for (const file of caseFiles()) {
    const name = file.replace(/\.m$/, "");

    it(`reads ${file}`, () => {
      const net = load(file);
      expect(net.name).toBe(name);
      expect(net.bus.count).toBeGreaterThan(0);
      expect(net.gen.count).toBeGreaterThan(0);
      expect(net.branch.count).toBeGreaterThan(0);
      expect(new Set(net.bus.id).size).toBe(net.bus.count);
      expect(net.bus.type.filter((t) => t === 3).length).toBeGreaterThanOrEqual(1);
      // The bus count is in the name: case2383wp has 2383 buses, case_ACTIVSg10k 10,000.
      const digits = /(\d+)(k?)/.exec(name.replace("pglib_opf_", ""));
      if (digits) expect(net.bus.count).toBe(Number(digits[1]) * (digits[2] === "k" ? 1000 : 1));
      const ref = refSizes(name);
      if (ref) {
        expect(net.bus.count).toBe(ref.nbus);
        expect(net.branch.count).toBe(ref.nbranch);
        expect(net.gen.count).toBe(ref.ngen);
      }
    });

    it(`writes ${file} back exactly`, () => {
      const net = load(file);
      const back = parseMatpower(writeMatpower(net));
      expect(firstDifference(back, net)).toBeNull();
    });
  }

  it("reads polynomial costs (case9)", () => {
    const net = load("case9.m");
    expect(net.genCost).toEqual([
      { model: 2, startupCost: 1500, shutdownCost: 0, coeffs: [0.11, 5, 150] },
      { model: 2, startupCost: 2000, shutdownCost: 0, coeffs: [0.085, 1.2, 600] },
      { model: 2, startupCost: 3000, shutdownCost: 0, coeffs: [0.1225, 1, 335] },
    ]);
    expect(net.genCostQ).toEqual([]);
  });

  it("reads piecewise linear costs (case_RTS_GMLC)", () => {
    const net = load("case_RTS_GMLC.m");
    expect(net.genCost.length).toBe(net.gen.count);
    expect(net.genCost[0]).toEqual({
      model: 1,
      startupCost: 51.747,
      shutdownCost: 51.747,
      coeffs: [8, 1085.77625, 12, 1477.23196, 16, 1869.51562, 20, 2298.06357],
    });
    const pwl = net.genCost.filter((c) => c.model === 1);
    expect(pwl.length).toBeGreaterThan(0);
    // MATPOWER requires the breakpoints' MW values to increase (idx_cost.m: p0 < p1 < ... < pn).
    for (const c of pwl) {
      for (let k = 2; k < c.coeffs.length; k += 2) expect(c.coeffs[k]).toBeGreaterThan(c.coeffs[k - 2]);
    }
  });

  it("reads bus names where the case has them", () => {
    expect(load("case14.m").busNames.slice(0, 2)).toEqual(["Bus 1     HV", "Bus 2     HV"]);
    expect(load("case118.m").busNames[0]).toBe("Riversde  V2");
    const activ = load("case_ACTIVSg2000.m");
    expect(activ.busNames.length).toBe(2000);
    expect(activ.busNames[0]).toBe("ODESSA 2 0");
    expect(load("case9.m").busNames).toEqual([]);
  });

  it("keeps the result and user columns of wide tables", () => {
    const net = load("case_ACTIVSg2000.m");
    expect(net.extra.bus.length).toBe(net.bus.count);
    expect(net.extra.bus[0].length).toBe(17 - 13);
    expect(net.extra.gen[0].length).toBe(25 - 10);
    expect(net.extra.branch[0].length).toBe(21 - 13);
    expect(load("pglib_opf_case14_ieee.m").extra).toEqual({ bus: [], gen: [], branch: [] });
  });

  it("applies the feeders' conversions to per unit and MW (33-bus system: 3715 kW and 2300 kVAr of load)", () => {
    // Baran & Wu (1989): total load 3715 kW, 2300 kVAr; 12.66 kV, r of line 1-2 is 0.0922 ohm.
    const net = load("case33bw.m");
    expect(sum(net.bus.pdMw)).toBeCloseTo(3.715, 12);
    expect(sum(net.bus.qdMvar)).toBeCloseTo(2.3, 12);
    expect(net.branch.rPu[0]).toBeCloseTo(0.0922 / ((12.66 * 12.66) / 10), 15);
    // MATPOWER's own DC power flow (ref/) is lossless: the slack supplies exactly the load (these feeders
    // have no shunts). The AC one supplies the load plus losses, to its 1e-8 mismatch tolerance.
    for (const feeder of ["case33bw", "case69"]) {
      const ref = JSON.parse(readFileSync(join(gridDir(), "ref", `${feeder}.json`), "utf8"));
      const loadMw = sum(load(`${feeder}.m`).bus.pdMw);
      // Octave's JSON writes a one-element array as a number.
      expect(loadMw).toBeCloseTo(sum([ref.dcpf.pg].flat()), 12);
      expect(loadMw).toBeCloseTo(sum([ref.acpf.pg].flat()) - ref.acpf.losses_mw, 6);
    }
    // case141 gives kVA at power factor 0.85: Q / P = tan(acos(0.85)) on every loaded bus.
    const n141 = load("case141.m");
    for (let i = 0; i < n141.bus.count; i++) {
      if (n141.bus.pdMw[i] > 0)
        expect(n141.bus.qdMvar[i] / n141.bus.pdMw[i]).toBeCloseTo(Math.tan(Math.acos(0.85)), 12);
    }
  });
});
