import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dataPath } from "../../core/data.js";
import { isPlurigridError } from "../../core/errors.js";
import { describeData } from "../../test-support/data.js";
import { readCase } from "../matpower/index.js";
import type { Network } from "../model.js";
import { testNetwork } from "../topology/test-network.js";
import { complexEntry, complexMulVec } from "./complex-csc.js";
import { arbitraryNetwork, arbitraryVoltage } from "./test-support/arbitraries.js";
import { makeYbus } from "./ybus.js";

type C = [number, number];
const add = (a: C, b: C): C => [a[0] + b[0], a[1] + b[1]];
const sub = (a: C, b: C): C => [a[0] - b[0], a[1] - b[1]];
const mul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const div = (a: C, b: C): C => {
  const d = b[0] * b[0] + b[1] * b[1];
  return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d];
};
const conj = (a: C): C => [a[0], -a[1]];

/**
 * Terminal currents of a branch from the circuit itself (not from the admittance formulas): an ideal
 * transformer t:1 at the from end feeds the internal node Vf/t; the series impedance carries
 * Is = (Vf/t − Vt)/z; half the charging sits at each side of it.
 */
function branchCurrents(net: Network, k: number, v: C[]): { from: C; to: C } {
  const br = net.branch;
  const tap = br.tap[k] === 0 ? 1 : br.tap[k];
  const sh = (br.shiftDeg[k] * Math.PI) / 180;
  const t: C = [tap * Math.cos(sh), tap * Math.sin(sh)];
  const vf = v[br.from[k]];
  const vt = v[br.to[k]];
  const inner = div(vf, t);
  const is = div(sub(inner, vt), [br.rPu[k], br.xPu[k]]);
  const jb2: C = [0, br.bPu[k] / 2];
  // Power is conserved by the ideal transformer: Vf·conj(If) = inner·conj(Iinner), so If = Iinner/conj(t).
  const from = div(add(is, mul(jb2, inner)), conj(t));
  const to = add([-is[0], -is[1]], mul(jb2, vt));
  return { from, to };
}

function checkAgainstCircuit(net: Network, vRe: Float64Array, vIm: Float64Array): void {
  const { ybus, yf, yt } = makeYbus(net);
  const n = net.bus.count;
  const v: C[] = Array.from({ length: n }, (_, i) => [vRe[i], vIm[i]]);
  const expected: C[] = Array.from({ length: n }, (_, i) =>
    mul([net.bus.gsMw[i] / net.baseMva, net.bus.bsMvar[i] / net.baseMva], v[i]),
  );
  const expectedF: C[] = [];
  const expectedT: C[] = [];
  for (let k = 0; k < net.branch.count; k++) {
    const c = net.branch.status[k] ? branchCurrents(net, k, v) : { from: [0, 0] as C, to: [0, 0] as C };
    expectedF.push(c.from);
    expectedT.push(c.to);
    expected[net.branch.from[k]] = add(expected[net.branch.from[k]], c.from);
    expected[net.branch.to[k]] = add(expected[net.branch.to[k]], c.to);
  }
  const iRe = new Float64Array(n);
  const iIm = new Float64Array(n);
  complexMulVec(ybus, vRe, vIm, iRe, iIm);
  for (let i = 0; i < n; i++) {
    expect(iRe[i]).toBeCloseTo(expected[i][0], 8);
    expect(iIm[i]).toBeCloseTo(expected[i][1], 8);
  }
  const nl = net.branch.count;
  const fRe = new Float64Array(nl);
  const fIm = new Float64Array(nl);
  complexMulVec(yf, vRe, vIm, fRe, fIm);
  const tRe = new Float64Array(nl);
  const tIm = new Float64Array(nl);
  complexMulVec(yt, vRe, vIm, tRe, tIm);
  for (let k = 0; k < nl; k++) {
    expect(fRe[k]).toBeCloseTo(expectedF[k][0], 8);
    expect(fIm[k]).toBeCloseTo(expectedF[k][1], 8);
    expect(tRe[k]).toBeCloseTo(expectedT[k][0], 8);
    expect(tIm[k]).toBeCloseTo(expectedT[k][1], 8);
  }
}

describe("makeYbus", () => {
  it("gives the terminal currents of the pi-model circuit on random networks (taps, shifts, charging)", () => {
    fc.assert(
      fc.property(
        arbitraryNetwork().chain((net) => fc.tuple(fc.constant(net), arbitraryVoltage(net.bus.count))),
        ([net, [vRe, vIm]]) => checkAgainstCircuit(net, vRe, vIm),
      ),
      { numRuns: 300 },
    );
  });

  it("is symmetric without phase shifters and keeps row/column patterns sorted", () => {
    fc.assert(
      fc.property(arbitraryNetwork({ transformers: false }), (net) => {
        const { ybus } = makeYbus(net);
        for (let j = 0; j < ybus.cols; j++) {
          for (let p = ybus.colPtr[j]; p < ybus.colPtr[j + 1]; p++) {
            if (p > ybus.colPtr[j]) expect(ybus.rowIdx[p]).toBeGreaterThan(ybus.rowIdx[p - 1]);
            const q = complexEntry(ybus, j, ybus.rowIdx[p]);
            expect(q).toBeGreaterThanOrEqual(0);
            expect(ybus.re[q]).toBeCloseTo(ybus.re[p], 12);
            expect(ybus.im[q]).toBeCloseTo(ybus.im[p], 12);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("leaves out branches that are out of service and sums parallel ones", () => {
    const net = testNetwork({
      buses: [{ type: 3 }, { type: 1 }],
      branches: [
        { from: 0, to: 1, rPu: 0, xPu: 0.1 },
        { from: 0, to: 1, rPu: 0, xPu: 0.1 },
        { from: 0, to: 1, rPu: 0, xPu: 0.05, status: 0 },
      ],
    });
    const { ybus } = makeYbus(net);
    // Two parallel x = 0.1 lines: y = −j20 on the diagonal, +j20 off it.
    expect(ybus.im[complexEntry(ybus, 0, 0)]).toBeCloseTo(-20, 12);
    expect(ybus.im[complexEntry(ybus, 0, 1)]).toBeCloseTo(20, 12);
    expect(ybus.rowIdx.length).toBe(4);
  });

  it("refuses a zero-impedance branch with PF_ZERO_IMPEDANCE", () => {
    const net = testNetwork({
      buses: [{ type: 3 }, { type: 1 }],
      branches: [{ from: 0, to: 1, rPu: 0, xPu: 0 }],
    });
    let error: unknown = null;
    try {
      makeYbus(net);
    } catch (e) {
      error = e;
    }
    expect(isPlurigridError(error, "PF_ZERO_IMPEDANCE")).toBe(true);
  });
});

describeData("makeYbus on case files", () => {
  it("matches the circuit on case1354pegase (phase shifters and off-nominal taps)", () => {
    const net = readCase(dataPath("grid", "case1354pegase.m"));
    const n = net.bus.count;
    const vRe = new Float64Array(n);
    const vIm = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const a = (net.bus.vaDeg[i] * Math.PI) / 180;
      vRe[i] = net.bus.vmPu[i] * Math.cos(a);
      vIm[i] = net.bus.vmPu[i] * Math.sin(a);
    }
    checkAgainstCircuit(net, vRe, vIm);
  });
});
