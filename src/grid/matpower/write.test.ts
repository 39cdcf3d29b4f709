import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PlurigridError } from "../../core/errors.js";
import { emptySwitches, type GenCost, type Network } from "../model.js";
import { firstDifference } from "./diff.js";
import { parseMatpower } from "./parse.js";
import { writeMatpower } from "./write.js";

const INT32_MAX = 2 ** 31 - 1;

/** Any double a case may hold, including NaN, ±Inf, -0, subnormals and the extremes. */
const anyDouble = fc.double();
const int32 = fc.integer({ min: -INT32_MAX, max: INT32_MAX });

const floats = (n: number) =>
  fc.array(anyDouble, { minLength: n, maxLength: n }).map((xs) => Float64Array.from(xs));
const ints = (n: number, arb: fc.Arbitrary<number>) => fc.array(arb, { minLength: n, maxLength: n });

/** Extra columns: none, or the same number (1 to 3) in every row. */
const extraRows = (n: number) =>
  fc.oneof(
    fc.constant<number[][]>([]),
    fc
      .integer({ min: 1, max: 3 })
      .chain((k) =>
        fc.array(fc.array(anyDouble, { minLength: k, maxLength: k }), { minLength: n, maxLength: n }),
      ),
  );

const genCost: fc.Arbitrary<GenCost> = fc.oneof(
  fc.record({
    model: fc.constant(1 as const),
    startupCost: anyDouble,
    shutdownCost: anyDouble,
    coeffs: fc
      .integer({ min: 0, max: 4 })
      .chain((points) => fc.array(anyDouble, { minLength: 2 * points, maxLength: 2 * points })),
  }),
  fc.record({
    model: fc.constant(2 as const),
    startupCost: anyDouble,
    shutdownCost: anyDouble,
    coeffs: fc.array(anyDouble, { maxLength: 5 }),
  }),
);

/** Text MATLAB can hold between quotes: anything but a line break. */
const busName = fc.string({ unit: "grapheme", maxLength: 12 }).filter((s) => !/[\r\n]/.test(s));

const network: fc.Arbitrary<Network> = fc
  .record({
    nbus: fc.integer({ min: 1, max: 6 }),
    ngen: fc.integer({ min: 0, max: 4 }),
    nbranch: fc.integer({ min: 0, max: 6 }),
  })
  .chain(({ nbus, ngen, nbranch }) =>
    fc.record({
      name: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,20}$/),
      baseMva: fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
      bus: fc.record({
        count: fc.constant(nbus),
        id: fc
          .uniqueArray(fc.integer({ min: 1, max: INT32_MAX }), { minLength: nbus, maxLength: nbus })
          .map((a) => Int32Array.from(a)),
        type: ints(nbus, fc.integer({ min: 1, max: 4 })).map((a) => Int8Array.from(a)),
        pdMw: floats(nbus),
        qdMvar: floats(nbus),
        gsMw: floats(nbus),
        bsMvar: floats(nbus),
        area: ints(nbus, int32).map((a) => Int32Array.from(a)),
        vmPu: floats(nbus),
        vaDeg: floats(nbus),
        baseKv: floats(nbus),
        zone: ints(nbus, int32).map((a) => Int32Array.from(a)),
        vmMaxPu: floats(nbus),
        vmMinPu: floats(nbus),
      }),
      gen: fc.record({
        count: fc.constant(ngen),
        bus: ints(ngen, fc.integer({ min: 0, max: nbus - 1 })).map((a) => Int32Array.from(a)),
        pgMw: floats(ngen),
        qgMvar: floats(ngen),
        qgMaxMvar: floats(ngen),
        qgMinMvar: floats(ngen),
        vgPu: floats(ngen),
        mBaseMva: floats(ngen),
        status: ints(ngen, fc.integer({ min: 0, max: 1 })).map((a) => Uint8Array.from(a)),
        pgMaxMw: floats(ngen),
        pgMinMw: floats(ngen),
      }),
      branch: fc.record({
        count: fc.constant(nbranch),
        from: ints(nbranch, fc.integer({ min: 0, max: nbus - 1 })).map((a) => Int32Array.from(a)),
        to: ints(nbranch, fc.integer({ min: 0, max: nbus - 1 })).map((a) => Int32Array.from(a)),
        rPu: floats(nbranch),
        xPu: floats(nbranch),
        bPu: floats(nbranch),
        rateAMva: floats(nbranch),
        rateBMva: floats(nbranch),
        rateCMva: floats(nbranch),
        tap: floats(nbranch),
        shiftDeg: floats(nbranch),
        status: ints(nbranch, fc.integer({ min: 0, max: 1 })).map((a) => Uint8Array.from(a)),
        angMinDeg: floats(nbranch),
        angMaxDeg: floats(nbranch),
      }),
      costs: fc.integer({ min: 0, max: 2 }).chain((kind) =>
        fc.record({
          p: fc.array(genCost, { minLength: kind > 0 ? ngen : 0, maxLength: kind > 0 ? ngen : 0 }),
          q: fc.array(genCost, { minLength: kind > 1 ? ngen : 0, maxLength: kind > 1 ? ngen : 0 }),
        }),
      ),
      busNames: fc.oneof(fc.constant<string[]>([]), fc.array(busName, { minLength: nbus, maxLength: nbus })),
      extra: fc.record({ bus: extraRows(nbus), gen: extraRows(ngen), branch: extraRows(nbranch) }),
    }),
  )
  .map(({ costs, ...rest }) => ({
    ...rest,
    genCost: costs.p,
    genCostQ: costs.q.length > 0 && costs.p.length > 0 ? costs.q : [],
    switches: emptySwitches(),
  }));

describe("writeMatpower", () => {
  it("round trips any network exactly: parse(write(net)) is net, bit for bit", () => {
    fc.assert(
      fc.property(network, (net) => {
        const text = writeMatpower(net);
        const back = parseMatpower(text);
        const diff = firstDifference(back, net);
        if (diff !== null) throw new Error(`${diff}\n${text}`);
      }),
      { numRuns: 300 },
    );
  });

  it("is a fixed point after one round: write(parse(write(net))) is the same text", () => {
    fc.assert(
      fc.property(network, (net) => {
        const text = writeMatpower(net);
        expect(writeMatpower(parseMatpower(text))).toBe(text);
      }),
      { numRuns: 100 },
    );
  });

  const tiny = (): Network =>
    parseMatpower(
      [
        "function mpc = tiny",
        "mpc.version = '2';",
        "mpc.baseMVA = 100;",
        "mpc.bus = [1 3 0 0 0 0 1 1 0 135 1 1.1 0.9; 2 1 -0 0 0 0 1 1 0 135 1 Inf -Inf];",
        "mpc.gen = [2 10 0 10 -10 1 100 1 20 0];",
        "mpc.branch = [1 2 1e-7 0.1 0 0 0 0 0 0 1 -360 360];",
      ].join("\n"),
    );

  it("writes MATLAB's spellings: Inf, -Inf, -0, shortest decimals", () => {
    const text = writeMatpower(tiny());
    expect(text).toMatch(/^function mpc = tiny\n/);
    expect(text).toContain("mpc.version = '2';");
    expect(text).toContain("\t2\t1\t-0\t0\t0\t0\t1\t1\t0\t135\t1\tInf\t-Inf;");
    expect(text).toContain("\t1\t2\t1e-7\t0.1\t");
    expect(text).not.toContain("Infinity");
  });

  it("turns a name that is not a MATLAB identifier into one", () => {
    const net = { ...tiny(), name: "9-bus case" };
    expect(writeMatpower(net)).toMatch(/^function mpc = case_9_bus_case\n/);
    expect(parseMatpower(writeMatpower(net)).name).toBe("case_9_bus_case");
  });

  it("refuses a network that would not read back as itself", () => {
    const broken: [string, (n: Network) => void][] = [
      ["short column", (n) => (n.bus.pdMw = new Float64Array(1))],
      ["gen bus index", (n) => (n.gen.bus[0] = 5)],
      ["duplicate bus number", (n) => (n.bus.id[1] = n.bus.id[0])],
      ["costs for some generators", (n) => (n.genCost = [])] as [string, (n: Network) => void],
      ["ragged extra", (n) => (n.extra.bus = [[1], [1, 2]])],
      ["line break in a name", (n) => (n.busNames = ["a", "b\nc"])],
      [
        "odd piecewise linear",
        (n) => (n.genCost = [{ model: 1, startupCost: 0, shutdownCost: 0, coeffs: [1, 2, 3] }]),
      ],
      ["status 2", (n) => (n.branch.status[0] = 2)],
    ];
    for (const [what, breakIt] of broken) {
      const net = tiny();
      if (what === "costs for some generators") {
        net.genCostQ = [{ model: 2, startupCost: 0, shutdownCost: 0, coeffs: [1] }];
      }
      breakIt(net);
      let error: unknown;
      try {
        writeMatpower(net);
      } catch (e) {
        error = e;
      }
      expect(error, what).toBeInstanceOf(PlurigridError);
      expect((error as PlurigridError).code, what).toBe("CASE_WRITE");
    }
  });
});
