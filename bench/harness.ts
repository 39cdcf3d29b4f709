/**
 * Benchmark harness: each measurement runs a warm-up, then `runs` timed repetitions, and reports the
 * median (and min/max) in milliseconds. Comparisons are ratios against a baseline measured in the same
 * run. Never used in tests: timings are reported, not asserted.
 */
import { performance } from "node:perf_hooks";

export interface Row {
  suite: string;
  name: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
  /** Optional derived figure, e.g. throughput or a ratio against a reference. */
  figure?: string;
}

export interface Suite {
  name: string;
  run(ctx: BenchContext): Promise<void>;
}

export class BenchContext {
  readonly rows: Row[] = [];
  constructor(
    readonly suite: string,
    readonly quick: boolean,
  ) {}

  /** Times `fn` (sync or async) `runs` times after one warm-up; returns the median in ms. */
  async measure(
    name: string,
    fn: () => unknown,
    opts: { runs?: number; figure?: (ms: number) => string } = {},
  ) {
    const runs = this.quick ? 1 : (opts.runs ?? 5);
    await fn();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await fn();
      times.push(performance.now() - t0);
    }
    const medianMs = median(times);
    const row: Row = {
      suite: this.suite,
      name,
      medianMs,
      minMs: Math.min(...times),
      maxMs: Math.max(...times),
      runs,
      figure: opts.figure?.(medianMs),
    };
    this.rows.push(row);
    printRow(row);
    return medianMs;
  }

  /** Records a figure measured elsewhere (e.g. a time reported by the code itself), median of `times`. */
  record(name: string, times: number[], figure?: (ms: number) => string): number {
    const medianMs = median(times);
    const row: Row = {
      suite: this.suite,
      name,
      medianMs,
      minMs: Math.min(...times),
      maxMs: Math.max(...times),
      runs: times.length,
      figure: figure?.(medianMs),
    };
    this.rows.push(row);
    printRow(row);
    return medianMs;
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function perSecond(count: number): (ms: number) => string {
  return (ms) => `${Math.round((count * 1000) / ms).toLocaleString("en-US")}/s`;
}

function printRow(r: Row): void {
  const ms = r.medianMs < 10 ? r.medianMs.toFixed(3) : r.medianMs.toFixed(1);
  process.stdout.write(
    `${r.suite.padEnd(10)} ${r.name.padEnd(52)} ${ms.padStart(10)} ms  (n=${r.runs})  ${r.figure ?? ""}\n`,
  );
}
