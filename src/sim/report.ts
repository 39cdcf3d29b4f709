import type { RunResult } from "./run.js";

export function renderReport(r: RunResult, summary: Record<string, unknown>, resultHash: string): string {
  void r;
  return `<!doctype html><html><body><pre>${resultHash}\n${JSON.stringify(summary.totals, null, 2)}</pre></body></html>`;
}
