/**
 * Bounds of the market module's transactions (the languages' own bounds are in intents/limits.ts).
 * A solution too large for one transaction (MAX_TX_BYTES, 32 KiB) is sent in parts of JSON text: 512 parts
 * of 30,000 characters hold about 15 MB, enough for a 100,000-fill solution (about 2.4 MB).
 */
export const MAX_SOLUTION_PARTS = 512;
export const MAX_SOLUTION_PART_CHARS = 30_000;
/** Entries of one SubmitIntentSeries: a day of 1-minute intervals (a series also stays within one series day). */
export const MAX_SERIES_INTERVALS = 1440;
