/**
 * The only clock of Plurigrid. Protocol time is decided here, by the block producer, and stored in the
 * block header: replay and verify read it from the header and never from a clock, so they reach the same
 * state on any machine at any later time.
 */

/** Wall-clock milliseconds since the Unix epoch. */
export function wallClockMs(): number {
  return Date.now();
}

/** The time of the next block: the wall clock, but strictly after the previous block (seam.ts). */
export function nextBlockTimeMs(previousTimeMs: number, nowMs: number): number {
  return Math.max(previousTimeMs + 1, Math.floor(nowMs));
}
