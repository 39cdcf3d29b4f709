import type { Network } from "../model.js";

/**
 * The first place where two networks differ, as a path such as `bus.vmPu[12]: 1.02 vs 1.0200000000000002`,
 * or null when they are identical. Numbers compare with Object.is: NaN equals NaN, -0 differs from 0, so
 * "identical" means bit-for-bit the same case (what a lossless export must give back).
 */
export function firstDifference(a: Network, b: Network): string | null {
  return diffValue(a, b, "");
}

function show(x: unknown): string {
  return typeof x === "string" ? JSON.stringify(x) : Object.is(x, -0) ? "-0" : String(x);
}

function diffValue(a: unknown, b: unknown, path: string): string | null {
  if (Object.is(a, b)) return null;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return `${path || "(root)"}: ${show(a)} vs ${show(b)}`;
  }
  if (ArrayBuffer.isView(a) || Array.isArray(a)) {
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: different array types`;
    if (x.length !== y.length) return `${path}: length ${x.length} vs ${y.length}`;
    for (let i = 0; i < x.length; i++) {
      const d = diffValue(x[i], y[i], `${path}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of [...keys].sort()) {
    const d = diffValue(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      path ? `${path}.${key}` : key,
    );
    if (d !== null) return d;
  }
  return null;
}
