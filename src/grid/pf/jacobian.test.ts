import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assertCanonical } from "../sparse/csc.js";
import { complexMulVec } from "./complex-csc.js";
import { fillJacobian, jacobianPattern, unknownIndex } from "./jacobian.js";
import { classifyNodes, pfNodes } from "./nodes.js";
import { arbitraryNetwork, arbitraryVoltage } from "./test-support/arbitraries.js";
import { makeYbus } from "./ybus.js";

describe("power-flow Jacobian", () => {
  it("equals central differences of the mismatch on random networks and voltages", () => {
    fc.assert(
      fc.property(
        arbitraryNetwork().chain((net) => fc.tuple(fc.constant(net), arbitraryVoltage(net.bus.count))),
        ([net, [vRe, vIm]]) => {
          const nodes = pfNodes(net);
          const types = classifyNodes(net, nodes);
          const { ybus } = makeYbus(net, nodes);
          const n = nodes.count;
          const idx = unknownIndex(n, types.pv, types.pq);
          const jac = jacobianPattern(ybus, idx);
          const vm = Float64Array.from(vRe, (re, j) => Math.hypot(re, vIm[j]));
          const va = Float64Array.from(vRe, (re, j) => Math.atan2(vIm[j], re));
          // F(Va, Vm) = [Re S(pvpq); Im S(pq)] with S = V·conj(Ybus·V) (Sbus is constant).
          const evalF = (a: Float64Array, m: Float64Array): Float64Array => {
            const re = Float64Array.from(m, (x, j) => x * Math.cos(a[j]));
            const im = Float64Array.from(m, (x, j) => x * Math.sin(a[j]));
            const iRe = new Float64Array(n);
            const iIm = new Float64Array(n);
            complexMulVec(ybus, re, im, iRe, iIm);
            const f = new Float64Array(idx.size);
            for (let j = 0; j < n; j++) {
              if (idx.angleIdx[j] >= 0) f[idx.angleIdx[j]] = re[j] * iRe[j] + im[j] * iIm[j];
              if (idx.magIdx[j] >= 0) f[idx.magIdx[j]] = im[j] * iRe[j] - re[j] * iIm[j];
            }
            return f;
          };
          const sRe = new Float64Array(n);
          const sIm = new Float64Array(n);
          const iRe = new Float64Array(n);
          const iIm = new Float64Array(n);
          complexMulVec(ybus, vRe, vIm, iRe, iIm);
          for (let j = 0; j < n; j++) {
            sRe[j] = vRe[j] * iRe[j] + vIm[j] * iIm[j];
            sIm[j] = vIm[j] * iRe[j] - vRe[j] * iIm[j];
          }
          fillJacobian(jac, ybus, vRe, vIm, vm, sRe, sIm);
          const dense = Array.from({ length: idx.size }, () => new Float64Array(idx.size));
          const m = jac.matrix;
          for (let c = 0; c < m.nCols; c++) {
            for (let p = m.colPtr[c]; p < m.colPtr[c + 1]; p++) dense[m.rowIdx[p]][c] = m.values[p];
          }
          const h = 1e-6;
          for (let j = 0; j < n; j++) {
            for (const [col, which] of [
              [idx.angleIdx[j], "a"],
              [idx.magIdx[j], "m"],
            ] as const) {
              if (col < 0) continue;
              const target = which === "a" ? va : vm;
              const plus = target.slice();
              const minus = target.slice();
              plus[j] += h;
              minus[j] -= h;
              const fp = which === "a" ? evalF(plus, vm) : evalF(va, plus);
              const fm = which === "a" ? evalF(minus, vm) : evalF(va, minus);
              for (let r = 0; r < idx.size; r++) {
                const fd = (fp[r] - fm[r]) / (2 * h);
                expect(Math.abs(dense[r][col] - fd)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("numbers unknowns node by node: angle of each PV or PQ node, then magnitude of each PQ node", () => {
    const idx = unknownIndex(5, Int32Array.from([3]), Int32Array.from([1, 4]));
    expect(Array.from(idx.angleIdx)).toEqual([-1, 0, -1, 2, 3]);
    expect(Array.from(idx.magIdx)).toEqual([-1, 1, -1, -1, 4]);
    expect(idx.size).toBe(5);
  });

  it("builds a canonical pattern (rows strictly ascending in every column) on random networks", () => {
    fc.assert(
      fc.property(arbitraryNetwork(), (net) => {
        const nodes = pfNodes(net);
        const types = classifyNodes(net, nodes);
        const { ybus } = makeYbus(net, nodes);
        const jac = jacobianPattern(ybus, unknownIndex(nodes.count, types.pv, types.pq));
        expect(() => assertCanonical(jac.matrix)).not.toThrow();
        // Every slot is used by exactly one Ybus entry and block.
        const used = new Uint8Array(jac.matrix.rowIdx.length);
        for (const s of [jac.s11, jac.s12, jac.s21, jac.s22]) for (const q of s) if (q >= 0) used[q]++;
        expect(used.every((u) => u === 1)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
