/** Random small networks for property tests of the power flow (fast-check arbitraries). */
import fc from "fast-check";
import { BusType, type BusTypeCode, type Network } from "../../model.js";
import { testNetwork } from "../../topology/test-network.js";

export interface RandomNetworkOptions {
  maxBuses?: number;
  /** Allow taps and phase shifters. */
  transformers?: boolean;
}

/**
 * A connected network: a random spanning tree plus extra branches (parallel ones allowed), bus 0 the
 * reference with a generator, random PV buses, loads, shunts, line charging, taps and shifts.
 */
export function arbitraryNetwork(options: RandomNetworkOptions = {}): fc.Arbitrary<Network> {
  const maxBuses = options.maxBuses ?? 10;
  const transformers = options.transformers ?? true;
  const branchArb = fc.record({
    rPu: fc.double({ min: 0.001, max: 0.05, noNaN: true }),
    xPu: fc.double({ min: 0.01, max: 0.3, noNaN: true }),
    bPu: fc.double({ min: 0, max: 0.2, noNaN: true }),
    tap: transformers
      ? fc.oneof(fc.constant(0), fc.double({ min: 0.9, max: 1.1, noNaN: true }))
      : fc.constant(0),
    shiftDeg: transformers
      ? fc.oneof(fc.constant(0), fc.double({ min: -10, max: 10, noNaN: true }))
      : fc.constant(0),
  });
  return fc.integer({ min: 2, max: maxBuses }).chain((n) =>
    fc
      .record({
        parents: fc.array(fc.nat(), { minLength: n - 1, maxLength: n - 1 }),
        treeBranches: fc.array(branchArb, { minLength: n - 1, maxLength: n - 1 }),
        extra: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1), branchArb), { maxLength: n }),
        pv: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        pdMw: fc.array(fc.double({ min: 0, max: 30, noNaN: true }), { minLength: n, maxLength: n }),
        qdMvar: fc.array(fc.double({ min: -5, max: 15, noNaN: true }), { minLength: n, maxLength: n }),
        gsMw: fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: n, maxLength: n }),
        bsMvar: fc.array(fc.double({ min: -5, max: 10, noNaN: true }), { minLength: n, maxLength: n }),
        vgPu: fc.array(fc.double({ min: 0.98, max: 1.05, noNaN: true }), { minLength: n, maxLength: n }),
      })
      .map((r) => {
        const branches = r.treeBranches.map((b, i) => ({ ...b, from: r.parents[i] % (i + 1), to: i + 1 }));
        for (const [a, b, br] of r.extra) if (a !== b) branches.push({ ...br, from: a, to: b });
        const buses = Array.from({ length: n }, (_, i) => ({
          type: (i === 0 ? BusType.REF : r.pv[i] ? BusType.PV : BusType.PQ) as BusTypeCode,
          pdMw: r.pdMw[i],
          qdMvar: r.qdMvar[i],
          gsMw: r.gsMw[i],
          bsMvar: r.bsMvar[i],
        }));
        const gens = [];
        for (let i = 0; i < n; i++) {
          if (i === 0 || r.pv[i]) gens.push({ bus: i, pgMw: i === 0 ? 0 : r.pdMw[i] * 0.8, vgPu: r.vgPu[i] });
        }
        return testNetwork({ buses, branches, gens });
      }),
  );
}

/** Random complex voltages near 1 p.u. for n nodes, as [re, im]. */
export function arbitraryVoltage(n: number): fc.Arbitrary<[Float64Array, Float64Array]> {
  return fc
    .array(
      fc.tuple(
        fc.double({ min: 0.9, max: 1.1, noNaN: true }),
        fc.double({ min: -0.5, max: 0.5, noNaN: true }),
      ),
      { minLength: n, maxLength: n },
    )
    .map((p) => [
      Float64Array.from(p, ([m, a]) => m * Math.cos(a)),
      Float64Array.from(p, ([m, a]) => m * Math.sin(a)),
    ]);
}
