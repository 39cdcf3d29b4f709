/**
 * MATPOWER's own answers for the case files (../shared/data/grid/ref, see its README), for tests.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dataDir, dataPath, hasData } from "../../../core/data.js";

export interface AcpfReference {
  success: boolean;
  iterations: number;
  vm: number[];
  va_deg: number[];
  pg: number[];
  qg: number[];
  pf: number[];
  qf: number[];
  pt: number[];
  qt: number[];
  losses_mw: number;
}

export interface DcpfReference {
  success: boolean;
  va_deg: number[];
  pf: number[];
  pg: number[];
}

export interface CaseReference {
  case: string;
  acpf: AcpfReference;
  dcpf: DcpfReference;
}

export interface CaseTiming {
  buses: number;
  acpfConverged: boolean;
  acpfIterations: number;
  acpfSeconds: number;
  dcpfSeconds: number;
}

/** Case names (file name without .m) that have a reference answer file; empty without the data folder. */
export function referenceCases(): string[] {
  if (!hasData()) return [];
  const dir = `${dataDir()}/grid/ref`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json") && f !== "timings.json")
    .map((f) => f.slice(0, -5))
    .sort();
}

export function loadReference(name: string): CaseReference {
  const ref = JSON.parse(readFileSync(dataPath("grid", "ref", `${name}.json`), "utf8")) as CaseReference;
  // The files were written from Octave, which stores a one-element vector as a bare number.
  const asArray = (v: unknown): number[] => (typeof v === "number" ? [v] : (v as number[]));
  for (const key of ["vm", "va_deg", "pg", "qg", "pf", "qf", "pt", "qt"] as const)
    ref.acpf[key] = asArray(ref.acpf[key]);
  for (const key of ["va_deg", "pf", "pg"] as const) ref.dcpf[key] = asArray(ref.dcpf[key]);
  return ref;
}

/** MATPOWER's convergence and iteration count for every case file; empty without the data folder. */
export function caseTimings(): Record<string, CaseTiming> {
  if (!hasData()) return {};
  const path = `${dataDir()}/grid/ref/timings.json`;
  if (!existsSync(path)) return {};
  return (JSON.parse(readFileSync(path, "utf8")) as { cases: Record<string, CaseTiming> }).cases;
}

/** max_i |a[i] − b[i]|; NaN anywhere gives NaN (so a comparison with a bound fails). */
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
