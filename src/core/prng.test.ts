import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPlurigridError } from "./errors.js";
import { createRng, rngFromState, SplitMix64 } from "./prng.js";

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isPlurigridError(e)) return e.code;
    throw e;
  }
  return undefined;
}

const MASK = (1n << 64n) - 1n;

/** xoshiro256** transcribed from the reference C (prng.di.unimi.it/xoshiro256starstar.c) in plain BigInt. */
function referenceXoshiro(state: readonly bigint[]): () => bigint {
  const s = [...state];
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (64n - k))) & MASK;
  return () => {
    const result = (rotl((s[1] * 5n) & MASK, 7n) * 9n) & MASK;
    const t = (s[1] << 17n) & MASK;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45n);
    return result;
  };
}

/** SplitMix64 transcribed from the reference C (prng.di.unimi.it/splitmix64.c). */
function referenceSplitMix(seed: bigint): () => bigint {
  let x = seed;
  return () => {
    x = (x + 0x9e3779b97f4a7c15n) & MASK;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
    return z ^ (z >> 31n);
  };
}

function referenceSeeded(seed: bigint): () => bigint {
  const sm = referenceSplitMix(seed);
  return referenceXoshiro([sm(), sm(), sm(), sm()]);
}

/** Pearson's chi-square statistic of observed counts against a uniform expectation. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
}

const seed64 = fc.bigInt({ min: 0n, max: MASK });

describe("published reference outputs", () => {
  it("SplitMix64 from seed 1234567", () => {
    const expected = [
      6457827717110365317n,
      3203168211198807973n,
      9817491932198370423n,
      4593380528125082431n,
      16408922859458223821n,
    ];
    const ref = referenceSplitMix(1234567n);
    const sm = new SplitMix64(1234567n);
    for (const e of expected) {
      expect(ref()).toBe(e);
      expect(sm.next()).toBe(e);
    }
  });

  it("xoshiro256** from the state {1, 2, 3, 4}", () => {
    // Output of the reference C implementation for s = {1, 2, 3, 4} (as used by the rand_xoshiro crate).
    const expected = [
      11520n,
      0n,
      1509978240n,
      1215971899390074240n,
      1216172134540287360n,
      607988272756665600n,
      16172922978634559625n,
      8476171486693032832n,
      10595114339597558777n,
      2904607092377533576n,
    ];
    const ref = referenceXoshiro([1n, 2n, 3n, 4n]);
    const rng = rngFromState([1n, 2n, 3n, 4n]);
    for (const e of expected) {
      expect(ref()).toBe(e);
      expect(rng.nextU64()).toBe(e);
    }
  });
});

describe("createRng", () => {
  it("matches the BigInt reference (SplitMix64 seeding + xoshiro256**) for any seed", () => {
    fc.assert(
      fc.property(seed64, (seed) => {
        const ref = referenceSeeded(seed);
        const a = createRng(seed);
        const b = createRng(seed);
        const c = createRng(seed);
        for (let i = 0; i < 40; i++) {
          const r = ref();
          expect(a.nextU64()).toBe(r);
          expect(b.nextU32()).toBe(Number(r >> 32n));
          expect(c.nextFloat()).toBe(Number(r >> 11n) * 2 ** -53);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("survives a long run against the reference, including state words with every high bit set", () => {
    const ref = referenceXoshiro([MASK, MASK - 1n, 1n << 63n, (1n << 63n) - 1n]);
    const rng = rngFromState([MASK, MASK - 1n, 1n << 63n, (1n << 63n) - 1n]);
    for (let i = 0; i < 20_000; i++) expect(rng.nextU64()).toBe(ref());
  });

  it("gives the same sequence for the same seed, as a number or a bigint, and different ones otherwise", () => {
    const draw = (seed: number | bigint) => {
      const r = createRng(seed);
      return Array.from({ length: 8 }, () => r.nextU64());
    };
    expect(draw(42)).toEqual(draw(42n));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(0)).not.toEqual(draw(1));
    expect(draw(MASK)).not.toEqual(draw(0));
    const firsts = new Set(Array.from({ length: 1000 }, (_, i) => createRng(i).nextU64()));
    expect(firsts.size).toBe(1000);
  });

  it("keeps floats in [0, 1)", () => {
    const rng = createRng(7);
    const buckets = new Array(20).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = rng.nextFloat();
      if (!(x >= 0 && x < 1)) outside++;
      buckets[Math.floor(x * 20)]++;
    }
    expect(outside).toBe(0);
    expect(chiSquare(buckets)).toBeLessThan(43.82); // chi-square, 19 dof, p = 0.001
  });

  it("rejects bad seeds and states with their codes", () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53, -1n, 1n << 64n, "1" as unknown as number]) {
      expect(
        codeOf(() => createRng(bad)),
        String(bad),
      ).toBe("PRNG_BAD_SEED");
    }
    expect(codeOf(() => rngFromState([0n, 0n, 0n, 0n]))).toBe("PRNG_BAD_STATE");
    expect(codeOf(() => rngFromState([1n, 2n, 3n]))).toBe("PRNG_BAD_STATE");
    expect(codeOf(() => rngFromState([1n, 2n, 3n, -4n]))).toBe("PRNG_BAD_STATE");
    expect(codeOf(() => rngFromState([1n, 2n, 3n, 1n << 64n]))).toBe("PRNG_BAD_STATE");
  });
});

describe("int", () => {
  it("stays in [lo, hi) for any range", () => {
    const bound = fc.integer({ min: -(2 ** 52), max: 2 ** 52 });
    fc.assert(
      fc.property(seed64, bound, bound, (seed, a, b) => {
        fc.pre(a !== b);
        const [lo, hi] = a < b ? [a, b] : [b, a];
        const rng = createRng(seed);
        for (let i = 0; i < 50; i++) {
          const x = rng.int(lo, hi);
          expect(Number.isSafeInteger(x) && x >= lo && x < hi).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
    const rng = createRng(1);
    for (let i = 0; i < 100; i++) expect(rng.int(5, 6)).toBe(5);
  });

  it("is roughly uniform (chi-square, fixed seed) for small and for large ranges", () => {
    const rng = createRng(20240601);
    const small = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) small[rng.int(0, 10)]++;
    expect(chiSquare(small)).toBeLessThan(27.88); // 9 dof, p = 0.001

    // A range that is not a power of two and needs the 53-bit path: 3 * 2^40.
    const range = 3 * 2 ** 40;
    const large = new Array(12).fill(0);
    for (let i = 0; i < 60_000; i++) large[Math.floor((rng.int(-range, 0) + range) / 2 ** 38)]++;
    expect(chiSquare(large)).toBeLessThan(32.91); // 11 dof, p = 0.001

    // A range just over 2^31, where modulo without rejection would be visibly biased towards small values.
    const skewRange = 2 ** 31 + 2 ** 30;
    let below = 0;
    const n = 60_000;
    for (let i = 0; i < n; i++) if (rng.int(0, skewRange) < 2 ** 30) below++;
    // Unbiased: P(x < 2^30) = 1/3 (sd ~ 0.0019); plain modulo would give 1/2.
    expect(Math.abs(below / n - 1 / 3)).toBeLessThan(0.01);
  });

  it("rejects bad ranges with PRNG_BAD_RANGE", () => {
    const rng = createRng(3);
    const bad: [number, number][] = [
      [5, 5],
      [6, 5],
      [0.5, 3],
      [0, Number.NaN],
      [0, Number.POSITIVE_INFINITY],
      [-(2 ** 53 - 1), 2 ** 53 - 1],
      [0, 2 ** 53],
    ];
    for (const [lo, hi] of bad)
      expect(
        codeOf(() => rng.int(lo, hi)),
        `${lo},${hi}`,
      ).toBe("PRNG_BAD_RANGE");
  });
});

describe("fork and shuffle", () => {
  it("forks named, reproducible substreams that do not depend on draws from the parent", () => {
    const draw = (r: { nextU64(): bigint }) => Array.from({ length: 8 }, () => r.nextU64());
    const parent = createRng(99);
    const weather = draw(parent.fork("weather"));
    draw(parent);
    expect(draw(parent.fork("weather"))).toEqual(weather);
    expect(draw(createRng(99).fork("weather"))).toEqual(weather);
    expect(draw(parent.fork("agents"))).not.toEqual(weather);
    expect(draw(createRng(100).fork("weather"))).not.toEqual(weather);
    expect(draw(createRng(99))).not.toEqual(weather);
    expect(draw(parent.fork("weather").fork("wind"))).not.toEqual(draw(parent.fork("wind")));
    expect(draw(parent.fork("weather").fork("wind"))).toEqual(
      draw(createRng(99).fork("weather").fork("wind")),
    );
    expect(codeOf(() => parent.fork(""))).toBe("PRNG_BAD_LABEL");
  });

  it("shuffles into a permutation, reproducibly", () => {
    fc.assert(
      fc.property(seed64, fc.array(fc.integer(), { maxLength: 50 }), (seed, items) => {
        const a = createRng(seed).shuffle([...items]);
        const b = createRng(seed).shuffle([...items]);
        expect(a).toEqual(b);
        expect([...a].sort((x, y) => x - y)).toEqual([...items].sort((x, y) => x - y));
      }),
      { numRuns: 300 },
    );
  });
});
