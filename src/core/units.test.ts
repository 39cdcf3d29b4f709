import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPlurigridError } from "./errors.js";
import {
  add,
  averagePower,
  energyCost,
  energyFromPower,
  Micros,
  MicrosPerKWh,
  mulDiv,
  sub,
  sum,
  W,
  Wh,
} from "./units.js";

const MAX = Number.MAX_SAFE_INTEGER;

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isPlurigridError(e)) return e.code;
    throw e;
  }
  return undefined;
}

/** Reference: exact rational a*b/d rounded half to even, written independently from the code under test. */
function refMulDiv(a: bigint, b: bigint, d: bigint): bigint {
  const n = a * b;
  // Work on magnitudes, then restore the sign: half-to-even is symmetric about zero.
  const negative = n < 0n !== d < 0n && n !== 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  const q = an / ad;
  const r = an - q * ad;
  let m = q;
  if (2n * r > ad) m = q + 1n;
  else if (2n * r === ad) m = q % 2n === 0n ? q : q + 1n;
  return negative ? -m : m;
}

const safeInt = fc.integer({ min: -MAX, max: MAX });
const smallInt = fc.integer({ min: -1_000_000_000, max: 1_000_000_000 });
const anyInt = fc.oneof(safeInt, smallInt, fc.integer({ min: -100, max: 100 }));

describe("constructors", () => {
  it("accept safe integers and fold -0 into 0", () => {
    expect(Wh(1500)).toBe(1500);
    expect(W(-7)).toBe(-7);
    expect(Micros(MAX)).toBe(MAX);
    expect(Object.is(MicrosPerKWh(-0), 0)).toBe(true);
  });

  it("reject fractions, NaN and infinities with UNIT_NOT_INTEGER", () => {
    for (const bad of [0.5, -1.25, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(codeOf(() => Wh(bad))).toBe("UNIT_NOT_INTEGER");
      expect(codeOf(() => W(bad))).toBe("UNIT_NOT_INTEGER");
      expect(codeOf(() => Micros(bad))).toBe("UNIT_NOT_INTEGER");
      expect(codeOf(() => MicrosPerKWh(bad))).toBe("UNIT_NOT_INTEGER");
    }
    expect(codeOf(() => Wh("5" as unknown as number))).toBe("UNIT_NOT_INTEGER");
  });

  it("reject integers beyond 2^53 - 1 with UNIT_OVERFLOW", () => {
    for (const bad of [MAX + 1, -(MAX + 1), 1e300]) {
      expect(codeOf(() => Wh(bad))).toBe("UNIT_OVERFLOW");
      expect(codeOf(() => Micros(bad))).toBe("UNIT_OVERFLOW");
    }
  });
});

describe("add / sub", () => {
  it("agree with exact bigint arithmetic, or throw UNIT_OVERFLOW exactly when it leaves the safe range", () => {
    fc.assert(
      fc.property(anyInt, anyInt, (a, b) => {
        for (const [op, exact] of [
          [() => add(Wh(a), Wh(b)), BigInt(a) + BigInt(b)],
          [() => sub(Wh(a), Wh(b)), BigInt(a) - BigInt(b)],
        ] as const) {
          const inRange = exact >= BigInt(-MAX) && exact <= BigInt(MAX);
          if (inRange) expect(BigInt(op())).toBe(exact);
          else expect(codeOf(op)).toBe("UNIT_OVERFLOW");
        }
      }),
      { numRuns: 500 },
    );
  });

  it("throw UNIT_OVERFLOW at the edges instead of rounding", () => {
    expect(codeOf(() => add(Micros(MAX), Micros(1)))).toBe("UNIT_OVERFLOW");
    expect(codeOf(() => sub(Micros(-MAX), Micros(1)))).toBe("UNIT_OVERFLOW");
    expect(codeOf(() => add(Micros(MAX), Micros(MAX)))).toBe("UNIT_OVERFLOW");
    expect(add(Micros(MAX), Micros(-1))).toBe(MAX - 1);
    expect(codeOf(() => sum([Wh(MAX - 5), Wh(3), Wh(3)]))).toBe("UNIT_OVERFLOW");
    expect(sum([Wh(1), Wh(2), Wh(3)])).toBe(6);
    expect(sum<Wh>([])).toBe(0);
  });

  it("reject operands that are not integers even when the types were bypassed", () => {
    expect(codeOf(() => add(0.5 as Wh, Wh(1)))).toBe("UNIT_NOT_INTEGER");
    expect(codeOf(() => sub(Wh(1), (MAX + 2) as Wh))).toBe("UNIT_OVERFLOW");
  });

  it("keep units apart at compile time", () => {
    // @ts-expect-error: energy and power do not add.
    const mixed = () => add(Wh(1), W(1));
    // @ts-expect-error: a plain number is not a unit.
    const plain = () => add(Wh(1), 1);
    expect(typeof mixed).toBe("function");
    expect(typeof plain).toBe("function");
  });
});

describe("mulDiv", () => {
  it("matches exact bigint arithmetic rounded half to even", () => {
    fc.assert(
      fc.property(anyInt, anyInt, anyInt, (a, b, d) => {
        if (d === 0) {
          expect(codeOf(() => mulDiv(a, b, d))).toBe("UNIT_DIVIDE_BY_ZERO");
          return;
        }
        const exact = refMulDiv(BigInt(a), BigInt(b), BigInt(d));
        if (exact >= BigInt(-MAX) && exact <= BigInt(MAX)) expect(BigInt(mulDiv(a, b, d))).toBe(exact);
        else expect(codeOf(() => mulDiv(a, b, d))).toBe("UNIT_OVERFLOW");
      }),
      { numRuns: 1000 },
    );
  });

  it("rounds ties to even and is symmetric about zero", () => {
    // 5/2 = 2.5 -> 2, 7/2 = 3.5 -> 4, 1/2 -> 0, 3/2 -> 2; and the mirror images.
    expect([mulDiv(5, 1, 2), mulDiv(7, 1, 2), mulDiv(1, 1, 2), mulDiv(3, 1, 2)]).toEqual([2, 4, 0, 2]);
    expect([mulDiv(-5, 1, 2), mulDiv(7, -1, 2), mulDiv(1, 1, -2), mulDiv(-3, -1, -2)]).toEqual([
      -2, -4, 0, -2,
    ]);
    // Not a tie: nearest wins. 10/3 -> 3, 11/3 -> 4, -11/3 -> -4.
    expect([mulDiv(10, 1, 3), mulDiv(11, 1, 3), mulDiv(-11, 1, 3)]).toEqual([3, 4, -4]);
    fc.assert(
      fc.property(anyInt, anyInt, anyInt, (a, b, d) => {
        fc.pre(d !== 0);
        const exact = refMulDiv(BigInt(a), BigInt(b), BigInt(d));
        fc.pre(exact >= BigInt(-MAX) && exact <= BigInt(MAX));
        expect(mulDiv(-a, b, d)).toBe(-mulDiv(a, b, d) + 0);
      }),
      { numRuns: 300 },
    );
  });

  it("is exact where doubles are not: the product may exceed 2^53", () => {
    // (2^53 - 1) * (2^53 - 1) / (2^53 - 1) = 2^53 - 1 exactly; the double product would have rounded.
    expect(mulDiv(MAX, MAX, MAX)).toBe(MAX);
    expect(mulDiv(MAX, 3, 3)).toBe(MAX);
    expect(codeOf(() => mulDiv(MAX, 2, 1))).toBe("UNIT_OVERFLOW");
  });

  it("rejects a zero divisor and non-integer operands with their codes", () => {
    expect(codeOf(() => mulDiv(1, 2, 0))).toBe("UNIT_DIVIDE_BY_ZERO");
    expect(codeOf(() => mulDiv(0, 0, -0))).toBe("UNIT_DIVIDE_BY_ZERO");
    expect(codeOf(() => mulDiv(1.5, 2, 3))).toBe("UNIT_NOT_INTEGER");
    expect(codeOf(() => mulDiv(1, Number.NaN, 3))).toBe("UNIT_NOT_INTEGER");
    expect(codeOf(() => mulDiv(1, 2, MAX + 1))).toBe("UNIT_OVERFLOW");
  });
});

describe("energyCost", () => {
  it("is Wh * price / 1000 rounded half to even", () => {
    // 1 kWh at 250 000 micros/kWh (0.25 per kWh) costs 250 000 micros.
    expect(energyCost(Wh(1000), MicrosPerKWh(250_000))).toBe(250_000);
    // 1 Wh at 1500 micros/kWh = 1.5 micros -> 2; at 2500 = 2.5 -> 2; at 3500 = 3.5 -> 4.
    expect(energyCost(Wh(1), MicrosPerKWh(1500))).toBe(2);
    expect(energyCost(Wh(1), MicrosPerKWh(2500))).toBe(2);
    expect(energyCost(Wh(1), MicrosPerKWh(3500))).toBe(4);
    // A seller's negative energy (delivery) at a positive price: a payment of the same size, opposite sign.
    expect(energyCost(Wh(-1), MicrosPerKWh(2500))).toBe(-2);
    fc.assert(
      fc.property(anyInt, anyInt, (e, p) => {
        const exact = refMulDiv(BigInt(e), BigInt(p), 1000n);
        const run = () => energyCost(Wh(e), MicrosPerKWh(p));
        if (exact >= BigInt(-MAX) && exact <= BigInt(MAX)) expect(BigInt(run())).toBe(exact);
        else expect(codeOf(run)).toBe("UNIT_OVERFLOW");
      }),
      { numRuns: 300 },
    );
  });

  it("throws UNIT_OVERFLOW when the cost leaves the safe range", () => {
    expect(codeOf(() => energyCost(Wh(MAX), MicrosPerKWh(2000)))).toBe("UNIT_OVERFLOW");
    expect(codeOf(() => energyCost(1.5 as Wh, MicrosPerKWh(1)))).toBe("UNIT_NOT_INTEGER");
  });
});

describe("energyFromPower / averagePower", () => {
  it("compute W * s / 3600 and Wh * 3600 / s with the same rounding", () => {
    expect(energyFromPower(W(4000), 900)).toBe(1000); // 4 kW for 15 min = 1 kWh
    expect(averagePower(Wh(1000), 900)).toBe(4000);
    expect(energyFromPower(W(1), 1800)).toBe(0); // 0.5 Wh -> 0 (even)
    expect(energyFromPower(W(3), 1800)).toBe(2); // 1.5 Wh -> 2
    expect(energyFromPower(W(5), 0)).toBe(0);
    fc.assert(
      fc.property(anyInt, fc.integer({ min: 1, max: 10 * 365 * 86_400 }), (p, s) => {
        const e = refMulDiv(BigInt(p), BigInt(s), 3600n);
        const run = () => energyFromPower(W(p), s);
        if (e >= BigInt(-MAX) && e <= BigInt(MAX)) expect(BigInt(run())).toBe(e);
        else expect(codeOf(run)).toBe("UNIT_OVERFLOW");
        const back = refMulDiv(BigInt(p), 3600n, BigInt(s));
        const runBack = () => averagePower(Wh(p), s);
        if (back >= BigInt(-MAX) && back <= BigInt(MAX)) expect(BigInt(runBack())).toBe(back);
        else expect(codeOf(runBack)).toBe("UNIT_OVERFLOW");
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips power when the energy is exact", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 1, max: 10_000 }), (p, k) => {
        const s = 3600 * k; // whole hours, so W * s / 3600 has no remainder
        expect(averagePower(energyFromPower(W(p), s), s)).toBe(p);
      }),
      { numRuns: 300 },
    );
  });

  it("reject bad durations with their codes", () => {
    expect(codeOf(() => averagePower(Wh(10), 0))).toBe("UNIT_DIVIDE_BY_ZERO");
    expect(codeOf(() => energyFromPower(W(10), -1))).toBe("UNIT_NEGATIVE_DURATION");
    expect(codeOf(() => averagePower(Wh(10), -60))).toBe("UNIT_NEGATIVE_DURATION");
    expect(codeOf(() => energyFromPower(W(10), 0.5))).toBe("UNIT_NOT_INTEGER");
    expect(codeOf(() => energyFromPower(W(MAX), 7200))).toBe("UNIT_OVERFLOW");
  });
});
