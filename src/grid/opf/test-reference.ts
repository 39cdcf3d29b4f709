/** MATPOWER's DC-OPF answers (../shared/data/grid/ref, see its README), for tests. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dataDir, dataPath, hasData } from "../../core/data.js";

export interface DcOpfReference {
  success: boolean;
  f: number;
  lam_p: number[];
  pg: number[];
  va_deg: number[];
  pf: number[];
  mu_sf: number[];
  mu_st: number[];
  solver: string;
}

/** Names of the cases whose reference file holds a successful DC-OPF; empty without the data folder. */
export function dcOpfReferenceCases(): string[] {
  if (!hasData()) return [];
  const dir = `${dataDir()}/grid/ref`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json") && f !== "timings.json")
    .map((f) => f.slice(0, -5))
    .filter((name) => loadDcOpfReference(name)?.success === true)
    .sort();
}

export function loadDcOpfReference(name: string): DcOpfReference | undefined {
  const file = JSON.parse(readFileSync(dataPath("grid", "ref", `${name}.json`), "utf8")) as {
    dcopf?: DcOpfReference;
  };
  const ref = file.dcopf;
  if (!ref) return undefined;
  // Octave writes a one-element vector as a bare number.
  const asArray = (v: unknown): number[] => (typeof v === "number" ? [v] : (v as number[]));
  for (const key of ["lam_p", "pg", "va_deg", "pf", "mu_sf", "mu_st"] as const) ref[key] = asArray(ref[key]);
  return ref;
}

/** max_i |a[i] − b[i]|; NaN anywhere or a length mismatch gives NaN (so a bound check fails). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.NaN;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(d)) return Number.NaN;
    if (d > m) m = d;
  }
  return m;
}
