import { PlurigridError } from "./errors.js";
import { hashTagged } from "./hash.js";

/**
 * Seeded randomness for simulations and tests: xoshiro256** 1.0 (D. Blackman and S. Vigna, "Scrambled linear
 * pseudorandom number generators", ACM TOMS 47(4), 2021; reference code at https://prng.di.unimi.it/), its
 * 256-bit state filled from a 64-bit seed by SplitMix64 as the authors recommend.
 *
 * The 64-bit arithmetic runs on pairs of 32-bit halves (hi, lo) in plain numbers, so the hot path allocates
 * nothing and never touches BigInt; `nextU64` builds a bigint only for callers that want one. Everything here is
 * a pure function of the seed: the same seed gives the same numbers on every machine.
 */

export type RngState = readonly [bigint, bigint, bigint, bigint];

export interface Rng {
  /** The next 64-bit output, in [0, 2^64). */
  nextU64(): bigint;
  /** The upper 32 bits of the next output, in [0, 2^32). */
  nextU32(): number;
  /** A float in [0, 1) from the upper 53 bits of the next output (every multiple of 2^-53 equally likely). */
  nextFloat(): number;
  /** A uniform integer in [lo, hi) (half-open, like array indices); rejection sampling, so unbiased. */
  int(lo: number, hi: number): number;
  /**
   * An independent generator named by `label`: a pure function of this generator's seed (or of the state it
   * was created from) and the label, not of how many numbers were drawn. fork("weather") always gives the
   * same stream, and adding draws elsewhere never shifts it.
   */
  fork(label: string): Rng;
  /** Fisher–Yates shuffle in place (Knuth, TAOCP vol. 2, Algorithm P), returning `items`. */
  shuffle<T>(items: T[]): T[];
}

const MASK64 = (1n << 64n) - 1n;
const TWO_32 = 2 ** 32;
const TWO_53 = 2 ** 53;
const TWO_MINUS_53 = 2 ** -53;
const utf8 = new TextEncoder();

/** SplitMix64 (G. Steele, D. Lea, C. Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014). */
export class SplitMix64 {
  private x: bigint;

  constructor(seed: bigint) {
    this.x = BigInt.asUintN(64, seed);
  }

  next(): bigint {
    this.x = (this.x + 0x9e3779b97f4a7c15n) & MASK64;
    let z = this.x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    return z ^ (z >> 31n);
  }
}

function checkSeed(seed: bigint | number): bigint {
  if (typeof seed === "number" && Number.isSafeInteger(seed) && seed >= 0) return BigInt(seed);
  if (typeof seed === "bigint" && seed >= 0n && seed <= MASK64) return seed;
  throw new PlurigridError(
    "PRNG_BAD_SEED",
    `a seed must be an integer in [0, 2^64) (a number must also be a safe integer), got ${String(seed)}`,
    { seed: String(seed) },
  );
}

function u64ToBytes(words: readonly bigint[]): Uint8Array {
  const bytes = new Uint8Array(8 * words.length);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < words.length; i++) view.setBigUint64(8 * i, words[i]);
  return bytes;
}

class Xoshiro256StarStar implements Rng {
  // State words s0..s3 as 32-bit halves (kept as int32; only their bits matter).
  private s0h = 0;
  private s0l = 0;
  private s1h = 0;
  private s1l = 0;
  private s2h = 0;
  private s2l = 0;
  private s3h = 0;
  private s3l = 0;
  // The last output, as unsigned halves.
  private rh = 0;
  private rl = 0;

  constructor(
    state: RngState,
    /** Bytes that name this generator's origin (its seed, or the state it started from): the root of fork(). */
    private readonly origin: Uint8Array,
  ) {
    const half = (w: bigint, shift: bigint) => Number((w >> shift) & 0xffffffffn) | 0;
    [this.s0h, this.s0l] = [half(state[0], 32n), half(state[0], 0n)];
    [this.s1h, this.s1l] = [half(state[1], 32n), half(state[1], 0n)];
    [this.s2h, this.s2l] = [half(state[2], 32n), half(state[2], 0n)];
    [this.s3h, this.s3l] = [half(state[3], 32n), half(state[3], 0n)];
  }

  /** One xoshiro256** step: sets (rh, rl) to the output and advances the state. */
  private step(): void {
    // result = rotl(s1 * 5, 7) * 9, products modulo 2^64 from 32-bit halves: the low half's product is exact
    // in a double (< 2^36), its carry goes into the high half.
    const l1 = this.s1l >>> 0;
    const m5l = l1 * 5;
    const m5h = (Math.imul(this.s1h, 5) + Math.floor(m5l / TWO_32)) | 0;
    const m5lo = m5l >>> 0;
    const rotH = (m5h << 7) | (m5lo >>> 25);
    const rotL = ((m5lo << 7) | (m5h >>> 25)) >>> 0;
    const m9l = rotL * 9;
    this.rh = (Math.imul(rotH, 9) + Math.floor(m9l / TWO_32)) >>> 0;
    this.rl = m9l >>> 0;

    // t = s1 << 17
    const th = (this.s1h << 17) | (this.s1l >>> 15);
    const tl = this.s1l << 17;
    this.s2h ^= this.s0h;
    this.s2l ^= this.s0l;
    this.s3h ^= this.s1h;
    this.s3l ^= this.s1l;
    this.s1h ^= this.s2h;
    this.s1l ^= this.s2l;
    this.s0h ^= this.s3h;
    this.s0l ^= this.s3l;
    this.s2h ^= th;
    this.s2l ^= tl;
    // s3 = rotl(s3, 45): swap the halves (rotate by 32), then rotate by 13.
    const h = this.s3h;
    const l = this.s3l;
    this.s3h = (l << 13) | (h >>> 19);
    this.s3l = (h << 13) | (l >>> 19);
  }

  nextU64(): bigint {
    this.step();
    return (BigInt(this.rh) << 32n) | BigInt(this.rl);
  }

  nextU32(): number {
    this.step();
    return this.rh;
  }

  private next53(): number {
    this.step();
    return this.rh * 2 ** 21 + (this.rl >>> 11);
  }

  nextFloat(): number {
    return this.next53() * TWO_MINUS_53;
  }

  int(lo: number, hi: number): number {
    const range = hi - lo;
    if (
      !Number.isSafeInteger(lo) ||
      !Number.isSafeInteger(hi) ||
      !Number.isSafeInteger(range) ||
      range <= 0
    ) {
      throw new PlurigridError(
        "PRNG_BAD_RANGE",
        `int(lo, hi) needs safe integers with lo < hi and hi - lo < 2^53, got [${lo}, ${hi})`,
        { lo, hi },
      );
    }
    // Accept only draws below the largest multiple of `range`, so every residue is equally likely.
    if (range <= TWO_32) {
      const limit = TWO_32 - (TWO_32 % range);
      for (;;) {
        const x = this.nextU32();
        if (x < limit) return lo + (x % range);
      }
    }
    const limit = TWO_53 - (TWO_53 % range);
    for (;;) {
      const x = this.next53();
      if (x < limit) return lo + (x % range);
    }
  }

  fork(label: string): Rng {
    if (typeof label !== "string" || label.length === 0) {
      throw new PlurigridError("PRNG_BAD_LABEL", "fork(label) needs a non-empty string label", {
        label: String(label),
      });
    }
    const digest = hashTagged("plurigrid/prng-fork", this.origin, utf8.encode(label));
    const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
    const state = [0, 8, 16, 24].map((o) => view.getBigUint64(o)) as unknown as RngState;
    return makeRng(state, digest);
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}

function makeRng(state: RngState, origin: Uint8Array): Xoshiro256StarStar {
  if (state.every((w) => w === 0n)) {
    throw new PlurigridError("PRNG_BAD_STATE", "the xoshiro256** state must not be all zero", {});
  }
  return new Xoshiro256StarStar(state, origin);
}

/** A generator seeded from a 64-bit seed through SplitMix64 (the authors' recommended seeding). */
export function createRng(seed: bigint | number): Rng {
  const s = checkSeed(seed);
  const sm = new SplitMix64(s);
  const state: RngState = [sm.next(), sm.next(), sm.next(), sm.next()];
  return makeRng(state, u64ToBytes([s]));
}

/**
 * A generator that starts from an explicit state (four words in [0, 2^64), not all zero), as the reference
 * implementation's test vectors do. Its forks are named by that state.
 */
export function rngFromState(state: readonly bigint[]): Rng {
  if (
    !Array.isArray(state) ||
    state.length !== 4 ||
    !state.every((w) => typeof w === "bigint" && w >= 0n && w <= MASK64)
  ) {
    throw new PlurigridError("PRNG_BAD_STATE", "a xoshiro256** state is four bigints in [0, 2^64)", {});
  }
  const words = state as unknown as RngState;
  return makeRng(words, u64ToBytes(words));
}
