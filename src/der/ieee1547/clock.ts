/**
 * How long a quantity has been out of its continuous band on one side: the clock the minimum ride-through
 * times run on. Voltage (Tables 14-16): the time since the current excursion began. Frequency (Table 19): the
 * 299 s of mandatory operation are cumulative within any 10-minute window, so the clock sums the time spent on
 * that side within the last 10 minutes, over however many excursions.
 */
export class ExcursionClock {
  /** Closed stretches [from, to) on this side that may still fall inside the window; oldest first. */
  private readonly closed: [number, number][] = [];
  private openSinceMs: number | null = null;

  /** windowMs null: only the current excursion counts. */
  constructor(private readonly windowMs: number | null) {}

  /** From `tMs` on, the quantity is (or is not) on this side. */
  update(inside: boolean, tMs: number): void {
    if (inside) {
      if (this.openSinceMs === null) this.openSinceMs = tMs;
      return;
    }
    if (this.openSinceMs !== null) {
      if (this.windowMs !== null) this.closed.push([this.openSinceMs, tMs]);
      this.openSinceMs = null;
    }
  }

  get inside(): boolean {
    return this.openSinceMs !== null;
  }

  /** Time on this side up to `tMs` that counts toward the ride-through time. */
  elapsedMs(tMs: number): number {
    if (this.windowMs === null) return this.openSinceMs === null ? 0 : tMs - this.openSinceMs;
    const from = tMs - this.windowMs;
    while (this.closed.length > 0 && this.closed[0][1] <= from) this.closed.shift();
    let sum = 0;
    for (const [a, b] of this.closed) sum += b - Math.max(a, from);
    if (this.openSinceMs !== null) sum += tMs - Math.max(this.openSinceMs, from);
    return sum;
  }
}

/** IEEE 1547-2018 Table 19: the frequency ride-through times are cumulative within any 10 minutes. */
export const FREQUENCY_RIDE_THROUGH_WINDOW_MS = 600_000;
