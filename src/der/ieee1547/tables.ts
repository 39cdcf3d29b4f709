/**
 * The numbers of IEEE 1547-2018 that Plurigrid decides with, as data, in the fixed-point units of fixed.ts:
 * voltage and per-unit power in micro p.u. (1 p.u. = 1_000_000), frequency in mHz, time in ms, droop gains
 * and power factors in micro units. Each value names the table it comes from. Trip settings, ride-through
 * regions, the default curves, frequency droop and enter service are the ones collected, with their sources,
 * in ../shared/docs/ieee1547-2018.md; the allowable ranges of the reactive power and volt-watt settings
 * (Tables 7-10 and 4) are those of the published standard, and the extremes of the ranges are the IEEE 1547.1
 * test characteristics 2 and 3 (for example volt-var VRef 0.95 and 1.05 p.u., Tr 1 s and 90 s).
 */

export type Category = "I" | "II" | "III";
export const CATEGORIES: readonly Category[] = ["I", "II", "III"];
/** Normal performance (reactive power) categories, §5.2. */
export type ReactiveCategory = "A" | "B";
export const REACTIVE_CATEGORIES: readonly ReactiveCategory[] = ["A", "B"];

/** An inclusive range of allowable settings, in fixed-point units. */
export interface Range {
  min: number;
  max: number;
}

export type VoltageTripName = "ov2" | "ov1" | "uv1" | "uv2";
export type FrequencyTripName = "of2" | "of1" | "uf1" | "uf2";
export const VOLTAGE_TRIPS: readonly VoltageTripName[] = ["ov2", "ov1", "uv1", "uv2"];
export const FREQUENCY_TRIPS: readonly FrequencyTripName[] = ["of2", "of1", "uf1", "uf2"];

/** One "shall trip" function: default pickup and clearing time, and the ranges of allowable settings. */
export interface TripSpec {
  /** Default pickup: micro p.u. for voltage, mHz for frequency. */
  pickup: number;
  clearingMs: number;
  pickupRange: Range;
  clearingRange: Range;
  /** The standard's table, as cited in violations. */
  table: string;
}

const vt = (
  table: string,
  pickup: number,
  clearingMs: number,
  pickupRange: [number, number],
  clearingRange: [number, number],
): TripSpec => ({
  pickup,
  clearingMs,
  pickupRange: { min: pickupRange[0], max: pickupRange[1] },
  clearingRange: { min: clearingRange[0], max: clearingRange[1] },
  table,
});

/** Voltage trip settings per abnormal performance category (pickup micro p.u., clearing time ms). */
export const VOLTAGE_TRIP: Readonly<Record<Category, Readonly<Record<VoltageTripName, TripSpec>>>> = {
  I: {
    // IEEE 1547-2018 Table 11: OV2 1.20 p.u., 0.16 s, fixed
    ov2: vt("Table 11", 1_200_000, 160, [1_200_000, 1_200_000], [160, 160]),
    // IEEE 1547-2018 Table 11: OV1 1.10 p.u., 2.0 s; pickup 1.10-1.20, time 1.0-13.0 s
    ov1: vt("Table 11", 1_100_000, 2_000, [1_100_000, 1_200_000], [1_000, 13_000]),
    // IEEE 1547-2018 Table 11: UV1 0.70 p.u., 2.0 s; pickup 0.0-0.88, time 2.0-21.0 s
    uv1: vt("Table 11", 700_000, 2_000, [0, 880_000], [2_000, 21_000]),
    // IEEE 1547-2018 Table 11: UV2 0.45 p.u., 0.16 s; pickup 0.0-0.50, time 0.16-2.0 s
    uv2: vt("Table 11", 450_000, 160, [0, 500_000], [160, 2_000]),
  },
  II: {
    // IEEE 1547-2018 Table 12: OV2 1.20 p.u., 0.16 s, fixed
    ov2: vt("Table 12", 1_200_000, 160, [1_200_000, 1_200_000], [160, 160]),
    // IEEE 1547-2018 Table 12: OV1 1.10 p.u., 2.0 s; pickup 1.10-1.20, time 1.0-13.0 s
    ov1: vt("Table 12", 1_100_000, 2_000, [1_100_000, 1_200_000], [1_000, 13_000]),
    // IEEE 1547-2018 Table 12: UV1 0.70 p.u., 10.0 s; pickup 0.0-0.88, time 2.0-21.0 s
    uv1: vt("Table 12", 700_000, 10_000, [0, 880_000], [2_000, 21_000]),
    // IEEE 1547-2018 Table 12: UV2 0.45 p.u., 0.16 s; pickup 0.0-0.50, time 0.16-2.0 s
    uv2: vt("Table 12", 450_000, 160, [0, 500_000], [160, 2_000]),
  },
  III: {
    // IEEE 1547-2018 Table 13: OV2 1.20 p.u., 0.16 s, fixed
    ov2: vt("Table 13", 1_200_000, 160, [1_200_000, 1_200_000], [160, 160]),
    // IEEE 1547-2018 Table 13: OV1 1.10 p.u., 13.0 s; pickup 1.10-1.20, time 1.0-13.0 s
    ov1: vt("Table 13", 1_100_000, 13_000, [1_100_000, 1_200_000], [1_000, 13_000]),
    // IEEE 1547-2018 Table 13: UV1 0.88 p.u., 21.0 s; pickup 0.0-0.88, time 21.0-50.0 s
    uv1: vt("Table 13", 880_000, 21_000, [0, 880_000], [21_000, 50_000]),
    // IEEE 1547-2018 Table 13: UV2 0.50 p.u., 2.0 s; pickup 0.0-0.50, time 2.0-21.0 s
    uv2: vt("Table 13", 500_000, 2_000, [0, 500_000], [2_000, 21_000]),
  },
};

/** Frequency trip settings, the same for every category (pickup mHz, clearing time ms). */
export const FREQUENCY_TRIP: Readonly<Record<FrequencyTripName, TripSpec>> = {
  // IEEE 1547-2018 Table 18: OF2 62.0 Hz, 0.16 s; 61.8-66.0 Hz, 0.16-1000 s
  of2: vt("Table 18", 62_000, 160, [61_800, 66_000], [160, 1_000_000]),
  // IEEE 1547-2018 Table 18: OF1 61.2 Hz, 300 s; 61.0-66.0 Hz, 180-1000 s
  of1: vt("Table 18", 61_200, 300_000, [61_000, 66_000], [180_000, 1_000_000]),
  // IEEE 1547-2018 Table 18: UF1 58.5 Hz, 300 s; 50.0-59.0 Hz, 180-1000 s
  uf1: vt("Table 18", 58_500, 300_000, [50_000, 59_000], [180_000, 1_000_000]),
  // IEEE 1547-2018 Table 18: UF2 56.5 Hz, 0.16 s; 50.0-57.0 Hz, 0.16-1000 s
  uf2: vt("Table 18", 56_500, 160, [50_000, 57_000], [160, 1_000_000]),
};

/**
 * What the standard requires while the voltage or frequency is in a band:
 * - continuous: continuous operation; mandatory: keep exchanging current for the minimum ride-through time;
 * - permissive: may cease to energize, must not trip, for the minimum time;
 * - momentary_cessation: cease to energize, must not trip, for the minimum time;
 * - cease_to_energize: cease, and may trip at once (the trip settings then decide when it shall);
 * - no_requirement: the standard says nothing; the DER may trip (its trip settings still bind).
 */
export type BandRequirement =
  | "continuous"
  | "mandatory"
  | "permissive"
  | "momentary_cessation"
  | "cease_to_energize"
  | "no_requirement";

/** Minimum ride-through time: fixed, or baseMs + slopeMsPerPu * (V - v0) (Tables 14 and 15), in ms. */
export type MinTime =
  | { kind: "none" }
  | { kind: "fixed"; ms: number }
  | { kind: "linear"; baseMs: number; v0: number; slopeMsPerPu: number };

/**
 * A band of voltage (micro p.u.) or frequency (mHz). `lo`/`hi` null = unbounded. Bands of one list cover the
 * whole axis without overlap; `side` says which excursion the band belongs to (the ride-through clock
 * starts when the quantity leaves the continuous band on that side).
 */
export interface Band {
  lo: number | null;
  loInclusive: boolean;
  hi: number | null;
  hiInclusive: boolean;
  requirement: BandRequirement;
  minTime: MinTime;
  side: "low" | "normal" | "high";
  table: string;
}

const band = (
  table: string,
  side: Band["side"],
  lo: [number | null, boolean],
  hi: [number | null, boolean],
  requirement: BandRequirement,
  minTime: MinTime = { kind: "none" },
): Band => ({
  lo: lo[0],
  loInclusive: lo[1],
  hi: hi[0],
  hiInclusive: hi[1],
  requirement,
  minTime,
  side,
  table,
});
const fixedMs = (ms: number): MinTime => ({ kind: "fixed", ms });

/** Voltage ride-through bands, highest first (micro p.u.; minimum ride-through times in ms). */
export const VOLTAGE_RIDE_THROUGH: Readonly<Record<Category, readonly Band[]>> = {
  I: [
    // IEEE 1547-2018 Table 14: V > 1.20 cease to energize
    band("Table 14", "high", [1_200_000, false], [null, false], "cease_to_energize"),
    // IEEE 1547-2018 Table 14: 1.175 < V <= 1.20 permissive, 0.2 s
    band("Table 14", "high", [1_175_000, false], [1_200_000, true], "permissive", fixedMs(200)),
    // IEEE 1547-2018 Table 14: 1.15 < V <= 1.175 permissive, 0.5 s
    band("Table 14", "high", [1_150_000, false], [1_175_000, true], "permissive", fixedMs(500)),
    // IEEE 1547-2018 Table 14: 1.10 < V <= 1.15 permissive, 1.0 s
    band("Table 14", "high", [1_100_000, false], [1_150_000, true], "permissive", fixedMs(1_000)),
    // IEEE 1547-2018 Table 14: 0.88 <= V <= 1.10 continuous operation
    band("Table 14", "normal", [880_000, true], [1_100_000, true], "continuous"),
    // IEEE 1547-2018 Table 14: 0.70 <= V < 0.88 mandatory operation, 0.7 + 4 (V - 0.70) s
    band("Table 14", "low", [700_000, true], [880_000, false], "mandatory", {
      kind: "linear",
      baseMs: 700,
      v0: 700_000,
      slopeMsPerPu: 4_000,
    }),
    // IEEE 1547-2018 Table 14: 0.50 <= V < 0.70 permissive, 0.16 s
    band("Table 14", "low", [500_000, true], [700_000, false], "permissive", fixedMs(160)),
    // IEEE 1547-2018 Table 14: V < 0.50 cease to energize
    band("Table 14", "low", [null, false], [500_000, false], "cease_to_energize"),
  ],
  II: [
    // IEEE 1547-2018 Table 15: V > 1.20 cease to energize
    band("Table 15", "high", [1_200_000, false], [null, false], "cease_to_energize"),
    // IEEE 1547-2018 Table 15: 1.175 < V <= 1.20 permissive, 0.2 s
    band("Table 15", "high", [1_175_000, false], [1_200_000, true], "permissive", fixedMs(200)),
    // IEEE 1547-2018 Table 15: 1.15 < V <= 1.175 permissive, 0.5 s
    band("Table 15", "high", [1_150_000, false], [1_175_000, true], "permissive", fixedMs(500)),
    // IEEE 1547-2018 Table 15: 1.10 < V <= 1.15 permissive, 1.0 s
    band("Table 15", "high", [1_100_000, false], [1_150_000, true], "permissive", fixedMs(1_000)),
    // IEEE 1547-2018 Table 15: 0.88 <= V <= 1.10 continuous operation
    band("Table 15", "normal", [880_000, true], [1_100_000, true], "continuous"),
    // IEEE 1547-2018 Table 15: 0.65 <= V < 0.88 mandatory operation, 3 + 8.7 (V - 0.65) s
    band("Table 15", "low", [650_000, true], [880_000, false], "mandatory", {
      kind: "linear",
      baseMs: 3_000,
      v0: 650_000,
      slopeMsPerPu: 8_700,
    }),
    // IEEE 1547-2018 Table 15: 0.45 <= V < 0.65 permissive, 0.32 s
    band("Table 15", "low", [450_000, true], [650_000, false], "permissive", fixedMs(320)),
    // IEEE 1547-2018 Table 15: 0.30 <= V < 0.45 permissive, 0.16 s
    band("Table 15", "low", [300_000, true], [450_000, false], "permissive", fixedMs(160)),
    // IEEE 1547-2018 Table 15: V < 0.30 cease to energize
    band("Table 15", "low", [null, false], [300_000, false], "cease_to_energize"),
  ],
  III: [
    // IEEE 1547-2018 Table 16: V > 1.20 cease to energize
    band("Table 16", "high", [1_200_000, false], [null, false], "cease_to_energize"),
    // IEEE 1547-2018 Table 16: 1.10 < V <= 1.20 momentary cessation, 12 s
    band("Table 16", "high", [1_100_000, false], [1_200_000, true], "momentary_cessation", fixedMs(12_000)),
    // IEEE 1547-2018 Table 16: 0.88 <= V <= 1.10 continuous operation
    band("Table 16", "normal", [880_000, true], [1_100_000, true], "continuous"),
    // IEEE 1547-2018 Table 16: 0.70 <= V < 0.88 mandatory operation, 20 s
    band("Table 16", "low", [700_000, true], [880_000, false], "mandatory", fixedMs(20_000)),
    // IEEE 1547-2018 Table 16: 0.50 <= V < 0.70 mandatory operation, 10 s
    band("Table 16", "low", [500_000, true], [700_000, false], "mandatory", fixedMs(10_000)),
    // IEEE 1547-2018 Table 16: V < 0.50 momentary cessation, 1 s
    band("Table 16", "low", [null, false], [500_000, false], "momentary_cessation", fixedMs(1_000)),
  ],
};

/**
 * Frequency ride-through bands, every category (mHz). The 299 s of mandatory operation is cumulative within
 * any 10-minute window in the standard; here it is counted from the start of the excursion (see README).
 */
export const FREQUENCY_RIDE_THROUGH: readonly Band[] = [
  // IEEE 1547-2018 Table 19: f > 62.0 Hz no ride-through requirement
  band("Table 19", "high", [62_000, false], [null, false], "no_requirement"),
  // IEEE 1547-2018 Table 19: 61.8 < f <= 62.0 Hz not specified
  band("Table 19", "high", [61_800, false], [62_000, true], "no_requirement"),
  // IEEE 1547-2018 Table 19: 61.2 < f <= 61.8 Hz mandatory operation, 299 s
  band("Table 19", "high", [61_200, false], [61_800, true], "mandatory", fixedMs(299_000)),
  // IEEE 1547-2018 Table 19: 58.8 <= f <= 61.2 Hz continuous operation
  band("Table 19", "normal", [58_800, true], [61_200, true], "continuous"),
  // IEEE 1547-2018 Table 19: 57.0 <= f < 58.8 Hz mandatory operation, 299 s
  band("Table 19", "low", [57_000, true], [58_800, false], "mandatory", fixedMs(299_000)),
  // IEEE 1547-2018 Table 19: f < 57.0 Hz no ride-through requirement
  band("Table 19", "low", [null, false], [57_000, false], "no_requirement"),
];

/** Rate of change of frequency a DER rides through, mHz/s. */
export const ROCOF_RIDE_THROUGH_MILLI_HZ_PER_S: Readonly<Record<Category, number>> = {
  I: 500, // IEEE 1547-2018 Table 21: Category I, 0.5 Hz/s
  II: 2_000, // IEEE 1547-2018 Table 21: Category II, 2.0 Hz/s
  III: 3_000, // IEEE 1547-2018 Table 21: Category III, 3.0 Hz/s
};

/** Minimum reactive power capability, micro p.u. of the nameplate apparent power (= the rating here). */
export const REACTIVE_CAPABILITY: Readonly<
  Record<ReactiveCategory, { injectMicroPu: number; absorbMicroPu: number }>
> = {
  A: { injectMicroPu: 440_000, absorbMicroPu: 250_000 }, // IEEE 1547-2018 Table 7: Category A, 44 % injection, 25 % absorption
  B: { injectMicroPu: 440_000, absorbMicroPu: 440_000 }, // IEEE 1547-2018 Table 7: Category B, 44 % injection and absorption
};

/** A volt-var curve: VRef and four (V, Q) points (micro p.u., Q positive = injection), open-loop response. */
export interface VoltVarCurve {
  vRef: number;
  points: readonly (readonly [number, number])[];
  responseMs: number;
}

export const VOLT_VAR_DEFAULT: Readonly<Record<ReactiveCategory, VoltVarCurve>> = {
  // IEEE 1547-2018 Table 8, Category A defaults: VRef 1.00, (0.90, +0.25) (1.00, 0) (1.00, 0) (1.10, -0.25), 10 s
  A: {
    vRef: 1_000_000,
    points: [
      [900_000, 250_000],
      [1_000_000, 0],
      [1_000_000, 0],
      [1_100_000, -250_000],
    ],
    responseMs: 10_000,
  },
  // IEEE 1547-2018 Table 8, Category B defaults: VRef 1.00, (0.92, +0.44) (0.98, 0) (1.02, 0) (1.08, -0.44), 5 s
  B: {
    vRef: 1_000_000,
    points: [
      [920_000, 440_000],
      [980_000, 0],
      [1_020_000, 0],
      [1_080_000, -440_000],
    ],
    responseMs: 5_000,
  },
};

/** IEEE 1547-2018 Table 8 ranges of allowable volt-var settings (both categories), micro p.u. and ms. */
export const VOLT_VAR_RANGE = {
  vRef: { min: 950_000, max: 1_050_000 }, // Table 8: VRef 0.95-1.05 Vn
  v2BelowVRef: { min: 0, max: 30_000 }, // Table 8: V2 from VRef - 0.03 Vn to VRef
  v3AboveVRef: { min: 0, max: 30_000 }, // Table 8: V3 from VRef to VRef + 0.03 Vn
  v1BelowVRefMax: 180_000, // Table 8: V1 from VRef - 0.18 Vn to V2 - 0.02 Vn
  v4AboveVRefMax: 180_000, // Table 8: V4 from V3 + 0.02 Vn to VRef + 0.18 Vn
  minGap: 20_000, // Table 8: V1 <= V2 - 0.02 Vn, V4 >= V3 + 0.02 Vn
  responseMs: { min: 1_000, max: 90_000 }, // Table 8: open-loop response time 1-90 s
  table: "Table 8",
} as const;

/** Volt-watt: (V1, P1 = Prated), (V2, P2), open-loop response; P in micro p.u. of the rating. */
export interface VoltWattCurve {
  points: readonly (readonly [number, number])[];
  responseMs: number;
}

// IEEE 1547-2018 Table 10, Categories A and B defaults: (1.06, Prated), (1.10, 0.2 Prated), 10 s (P2 = min(0.2
// Prated, Pmin) for generation-only DER; Pmin is not known to Plurigrid, so 0.2 Prated; 0 for DER that absorb).
export const VOLT_WATT_DEFAULT: VoltWattCurve = {
  points: [
    [1_060_000, 1_000_000],
    [1_100_000, 200_000],
  ],
  responseMs: 10_000,
};
/** Default P2 for DER that can absorb active power (storage): IEEE 1547-2018 Table 10, P'2 = 0. */
export const VOLT_WATT_DEFAULT_P2_ABSORBING = 0;

export const VOLT_WATT_RANGE = {
  v1: { min: 1_050_000, max: 1_090_000 }, // Table 10: V1 1.05-1.09 Vn
  v2AboveV1Min: 10_000, // Table 10: V2 from V1 + 0.01 Vn
  v2Max: 1_100_000, // Table 10: ... to 1.10 Vn
  p1: { min: 1_000_000, max: 1_000_000 }, // Table 10: P1 = Prated
  p2: { min: 0, max: 1_000_000 }, // Table 10: P2 from Pmin (>= 0) to Prated
  p2Absorbing: { min: -1_000_000, max: 1_000_000 }, // Table 10: P'2 down to P'rated (absorbing)
  responseMs: { min: 500, max: 60_000 }, // Table 10: open-loop response time 0.5-60 s
  table: "Table 10",
} as const;

/** Watt-var: three (P, Q) points, micro p.u. (Q positive = injection). */
export interface WattVarCurve {
  points: readonly (readonly [number, number])[];
}
// IEEE 1547-2018 Table 9 defaults: (0.2, 0) (0.5, 0) (1.0, -Q) with Q the Table 7 absorption capability
export const WATT_VAR_DEFAULT: Readonly<Record<ReactiveCategory, WattVarCurve>> = {
  A: {
    points: [
      [200_000, 0],
      [500_000, 0],
      [1_000_000, -250_000],
    ],
  },
  B: {
    points: [
      [200_000, 0],
      [500_000, 0],
      [1_000_000, -440_000],
    ],
  },
};
export const WATT_VAR_RANGE = {
  p1: { min: 0, max: 900_000 }, // Table 9: P1 from Pmin to P2 - 0.1 Prated
  minGap: 100_000, // Table 9: P2 within P1 + 0.1 and P3 - 0.1 Prated
  p3Max: 1_000_000, // Table 9: P3 up to Prated
  table: "Table 9",
} as const;

/** Constant power factor: IEEE 1547-2018 §5.3.2, default unity; any value within the Table 7 capability. */
export const CONSTANT_PF_DEFAULT = { pfMicro: 1_000_000, excitation: "injecting" as const };
/**
 * Lowest power factor whose reactive power at rated active power stays within the Table 7 capability:
 * 1 / sqrt(1 + Q^2), rounded up to the micro unit (Q = 0.44: 0.915316; Q = 0.25: 0.970143).
 */
export const CONSTANT_PF_MIN_MICRO: Readonly<
  Record<ReactiveCategory, { injecting: number; absorbing: number }>
> = {
  A: { injecting: 915_316, absorbing: 970_143 }, // IEEE 1547-2018 Table 7, Category A
  B: { injecting: 915_316, absorbing: 915_316 }, // IEEE 1547-2018 Table 7, Category B
};

/** Constant reactive power: IEEE 1547-2018 §5.3.5, default 0, within the Table 7 capability. */
export const CONSTANT_VAR_DEFAULT_MICRO_PU = 0;

/** Frequency droop (frequency-watt), deadbands in mHz, gains in micro units, response in ms. */
export interface FreqDroopSettings {
  dbOfMilliHz: number;
  dbUfMilliHz: number;
  kOfMicro: number;
  kUfMicro: number;
  responseMs: number;
}
// IEEE 1547-2018 Table 24 defaults, all categories: db 0.036 Hz, k 0.05, open-loop response 5 s
export const FREQ_DROOP_DEFAULT: FreqDroopSettings = {
  dbOfMilliHz: 36,
  dbUfMilliHz: 36,
  kOfMicro: 50_000,
  kUfMicro: 50_000,
  responseMs: 5_000,
};
/** IEEE 1547-2018 Table 24 ranges: from the most responsive allowed setting to the largest. */
export const FREQ_DROOP_RANGE: Readonly<Record<Category, { db: Range; k: Range; responseMs: Range }>> = {
  // Table 24, Categories I and II: db 0.017-1.0 Hz, k 0.03-0.05, response 1-10 s
  I: {
    db: { min: 17, max: 1_000 },
    k: { min: 30_000, max: 50_000 },
    responseMs: { min: 1_000, max: 10_000 },
  },
  II: {
    db: { min: 17, max: 1_000 },
    k: { min: 30_000, max: 50_000 },
    responseMs: { min: 1_000, max: 10_000 },
  },
  // Table 24, Category III: db 0.017-1.0 Hz, k 0.02-0.05, response 0.2-10 s
  III: {
    db: { min: 17, max: 1_000 },
    k: { min: 20_000, max: 50_000 },
    responseMs: { min: 200, max: 10_000 },
  },
};

/** Enter service (clause 4.10): voltage micro p.u., frequency mHz, delay and ramp ms. */
export interface EnterServiceSettings {
  vMin: number;
  vMax: number;
  fMin: number;
  fMax: number;
  delayMs: number;
  rampMs: number;
}
// IEEE 1547-2018 clause 4.10.3, Table 4 defaults: 0.917-1.05 p.u., 59.5-60.1 Hz, delay 300 s, ramp 300 s
export const ENTER_SERVICE_DEFAULT: EnterServiceSettings = {
  vMin: 917_000,
  vMax: 1_050_000,
  fMin: 59_500,
  fMax: 60_100,
  delayMs: 300_000,
  rampMs: 300_000,
};
export const ENTER_SERVICE_RANGE = {
  vMin: { min: 880_000, max: 950_000 }, // Table 4: minimum voltage 0.88-0.95 p.u.
  vMax: { min: 1_050_000, max: 1_060_000 }, // Table 4: maximum voltage 1.05-1.06 p.u.
  fMin: { min: 59_000, max: 59_900 }, // Table 4: minimum frequency 59.0-59.9 Hz
  fMax: { min: 60_100, max: 61_000 }, // Table 4: maximum frequency 60.1-61.0 Hz
  delayMs: { min: 0, max: 600_000 }, // Table 4: enter service delay 0-600 s
  rampMs: { min: 1_000, max: 1_000_000 }, // Table 4: enter service period (ramp) 1-1000 s
  table: "Table 4",
} as const;
