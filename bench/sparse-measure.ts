/**
 * Timings and fill of the sparse LU (src/grid/sparse) on power-flow-sized matrices.
 * Run: npx tsx bench/sparse-measure.ts [repeats]
 *
 * Matrices: a 2D grid Laplacian (~30,000 unknowns) with an unsymmetric perturbation; a random
 * power-network-like graph (spanning tree plus short chords, degree ~2.7) expanded into the 2x2-block
 * Jacobian pattern [[B, B], [B, B]]; and the same Jacobian pattern from the branch list of
 * case13659pegase. Prints medians in ms, nnz(L+U) and the fill of AMD vs RCM vs natural order.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dataPath } from "../src/core/data.js";
import {
  analyze,
  type CscMatrix,
  choleskyNnz,
  factor,
  fromTriplets,
  type LuNumeric,
  luNnz,
  multiply,
  naturalOrder,
  pivotRcond,
  rcmOrder,
  refactor,
  solve,
} from "../src/grid/sparse/index.js";

const repeats = Number(process.argv[2] ?? 7);

/** Deterministic PRNG (mulberry32) so runs are comparable. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function grid2d(side: number, seed: number): CscMatrix {
  const rand = rng(seed);
  const n = side * side;
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const i = y * side + x;
      r.push(i);
      c.push(i);
      v.push(4.5);
      const nb = [
        x > 0 ? i - 1 : -1,
        x < side - 1 ? i + 1 : -1,
        y > 0 ? i - side : -1,
        y < side - 1 ? i + side : -1,
      ];
      for (const j of nb) {
        if (j < 0) continue;
        r.push(i);
        c.push(j);
        v.push(-1 + 0.3 * (rand() - 0.5));
      }
    }
  }
  return fromTriplets(n, n, r, c, v);
}

/** Bus graph as an edge list [from, to] (0-based). */
function randomNetwork(nBus: number, seed: number): Int32Array {
  const rand = rng(seed);
  const edges: number[] = [];
  for (let i = 1; i < nBus; i++) {
    // Attach to a recent bus: long thin trees like transmission corridors.
    const j = Math.max(0, i - 1 - Math.floor(rand() * Math.min(i, 30)));
    edges.push(i, j);
  }
  const chords = Math.floor(0.35 * nBus);
  for (let t = 0; t < chords; t++) {
    const i = Math.floor(rand() * nBus);
    const j = Math.min(nBus - 1, Math.max(0, i + Math.floor((rand() - 0.5) * 200)));
    if (i !== j) edges.push(i, j);
  }
  return Int32Array.from(edges);
}

/** Jacobian-like [[B, B'], [B'', B''']] on 2n unknowns from a bus graph, nonsingular, unsymmetric values. */
function jacobianLike(nBus: number, edges: Int32Array, seed: number): CscMatrix {
  const rand = rng(seed);
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  const diag = new Float64Array(nBus);
  for (let e = 0; e < edges.length; e += 2) {
    const f = edges[e];
    const t = edges[e + 1];
    if (f === t) continue;
    const b = 5 + 20 * rand();
    diag[f] += b;
    diag[t] += b;
    for (const [i, j] of [
      [f, t],
      [t, f],
    ]) {
      // dP/dθ, dP/dV, dQ/dθ, dQ/dV blocks: values differ per block and direction.
      r.push(i, i, nBus + i, nBus + i);
      c.push(j, nBus + j, j, nBus + j);
      v.push(-b * (1 + 0.05 * rand()), 0.1 * b * rand(), -0.1 * b * rand(), -b * (1 + 0.05 * rand()));
    }
  }
  for (let i = 0; i < nBus; i++) {
    const d = diag[i] + 1;
    r.push(i, i, nBus + i, nBus + i);
    c.push(i, nBus + i, i, nBus + i);
    v.push(d * 1.01, 0.2 * d * rand(), 0.2 * d * rand(), d * 0.99);
  }
  return fromTriplets(2 * nBus, 2 * nBus, r, c, v);
}

function pegaseEdges(): { nBus: number; edges: Int32Array } | null {
  let text: string;
  try {
    text = readFileSync(dataPath("grid", "case13659pegase.m"), "utf8");
  } catch {
    return null;
  }
  const section = (name: string): string[] => {
    const start = text.indexOf(`mpc.${name} = [`);
    const end = text.indexOf("];", start);
    return text
      .slice(start, end)
      .split("\n")
      .slice(1)
      .map((l) => l.trim())
      .filter((l) => l.length > 0 && !l.startsWith("%"));
  };
  const busIds = section("bus").map((l) => Number(l.split(/\s+/)[0]));
  const index = new Map<number, number>();
  for (let k = 0; k < busIds.length; k++) index.set(busIds[k], k);
  const edges: number[] = [];
  for (const line of section("branch")) {
    const f = line.split(/\s+/);
    const from = index.get(Number(f[0]));
    const to = index.get(Number(f[1]));
    if (from !== undefined && to !== undefined) edges.push(from, to);
  }
  return { nBus: busIds.length, edges: Int32Array.from(edges) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** Floating-point operations of one refactor: 2 per multiply-add of the left-looking updates. */
function refactorFlops(numeric: LuNumeric): number {
  let flops = 0;
  const { uRowIdx, lColPtr } = numeric;
  for (let p = 0; p < uRowIdx.length; p++) {
    const j = uRowIdx[p];
    flops += 2 * (lColPtr[j + 1] - lColPtr[j]);
  }
  return flops + numeric.lColPtr[numeric.n];
}

function rhs(n: number): Float64Array {
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.sin(i + 1);
  return b;
}

/** First calls in a fresh process: what a one-shot command pays while V8 compiles the kernels. */
function measureCold(a: CscMatrix): string {
  const b = rhs(a.nCols);
  const t0 = performance.now();
  const sym = analyze(a);
  const t1 = performance.now();
  const numeric = factor(a, sym);
  const t2 = performance.now();
  solve(numeric, Float64Array.from(b));
  const t3 = performance.now();
  const tRefactor: number[] = [];
  for (let r = 0; r < 4; r++) tRefactor.push(time(() => refactor(a, numeric)));
  const [tAnalyze, tFactor, tSolve] = [t1 - t0, t2 - t1, t3 - t2];
  return JSON.stringify({ tAnalyze, tFactor, tSolve, tRefactor });
}

function measure(name: string, a: CscMatrix): void {
  const n = a.nCols;
  const cold = spawnSync(process.execPath, [...process.execArgv, process.argv[1], "--cold", name], {
    encoding: "utf8",
  });
  const tAnalyze: number[] = [];
  const tFactor: number[] = [];
  const tRefactor: number[] = [];
  const tSolve: number[] = [];
  let numeric = factor(a, analyze(a));
  const b = rhs(n);
  for (let r = 0; r < repeats; r++) {
    let sym = analyze(a);
    tAnalyze.push(time(() => (sym = analyze(a))));
    tFactor.push(time(() => (numeric = factor(a, sym))));
    tRefactor.push(
      time(() => {
        if (!refactor(a, numeric).ok) throw new Error("refactor failed");
      }),
    );
    const x = Float64Array.from(b);
    tSolve.push(time(() => solve(numeric, x)));
  }
  const x = solve(numeric, Float64Array.from(b));
  const ax = multiply(a, x);
  let rn = 0;
  let bn = 0;
  let xn = 0;
  let an = 0;
  for (let i = 0; i < n; i++) {
    rn = Math.max(rn, Math.abs(ax[i] - b[i]));
    bn = Math.max(bn, Math.abs(b[i]));
    xn = Math.max(xn, Math.abs(x[i]));
  }
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = a.colPtr[j]; p < a.colPtr[j + 1]; p++) s += Math.abs(a.values[p]);
    an = Math.max(an, s);
  }
  const fill = luNnz(numeric);
  const flops = refactorFlops(numeric);
  const amdPerm = analyze(a).colPerm;
  const symFill = (perm: Int32Array): number => 2 * choleskyNnz(a, perm) - n;
  const tRe = median(tRefactor);
  console.log(`\n${name}: n=${n} nnz(A)=${a.colPtr[n]}`);
  console.log(
    `  warm: analyze ${median(tAnalyze).toFixed(1)} ms | factor ${median(tFactor).toFixed(1)} ms | refactor ${tRe.toFixed(
      1,
    )} ms (${(flops / 1e6).toFixed(1)} Mflop, ${(flops / 1e3 / tRe).toFixed(0)} Mflop/s) | solve ${median(
      tSolve,
    ).toFixed(2)} ms  (medians of ${repeats})`,
  );
  if (cold.status === 0) {
    const c = JSON.parse(cold.stdout.trim().split("\n").pop() ?? "{}");
    console.log(
      `  cold (fresh process): analyze ${c.tAnalyze.toFixed(1)} ms | factor ${c.tFactor.toFixed(1)} ms | solve ${c.tSolve.toFixed(
        1,
      )} ms | refactors ${c.tRefactor.map((t: number) => t.toFixed(1)).join(", ")} ms`,
    );
  } else {
    console.log(`  cold run failed: ${cold.stderr.slice(0, 300)}`);
  }
  console.log(
    `  nnz(L+U) ${fill.nnzLU} (L ${fill.nnzL}, U ${fill.nnzU}), off-diagonal pivots ${numeric.offDiagonalPivots}, ` +
      `||Ax-b||/||b|| ${(rn / bn).toExponential(2)}, backward error ||Ax-b||/(||A|| ||x|| + ||b||) ${(
        rn / (an * xn + bn)
      ).toExponential(2)}, pivot rcond ${pivotRcond(numeric).toExponential(2)}`,
  );
  console.log(
    `  fill nnz(L+U) with diagonal pivots: AMD ${symFill(amdPerm)} | RCM ${symFill(rcmOrder(a))} | natural ${symFill(
      naturalOrder(n),
    )}`,
  );
}

const matrices: Record<string, () => CscMatrix | null> = {
  "2D grid 173x173 (unsymmetric values)": () => grid2d(173, 1),
  "random network, 13659 buses, Jacobian-like 2n": () => jacobianLike(13659, randomNetwork(13659, 7), 3),
  "case13659pegase branch pattern, Jacobian-like 2n": () => {
    const pegase = pegaseEdges();
    return pegase === null ? null : jacobianLike(pegase.nBus, pegase.edges, 5);
  },
};

const coldIndex = process.argv.indexOf("--cold");
if (coldIndex >= 0) {
  const a = matrices[process.argv[coldIndex + 1]]?.();
  if (a) console.log(measureCold(a));
} else {
  for (const [name, build] of Object.entries(matrices)) {
    const a = build();
    if (a === null) console.log(`\n${name}: case13659pegase.m not found, skipped`);
    else measure(name, a);
  }
}
