/**
 * A progress bar on stderr: redrawn in place on a terminal, a line every 10 % otherwise (CI logs), nothing
 * when quiet. Wall time is shown for people only and never enters any result.
 */
export interface Progress {
  update(done: number, total: number): void;
  finish(message?: string): void;
}

export function progressBar(
  label: string,
  stream: { write(s: string): unknown; isTTY?: boolean } = process.stderr,
  enabled = true,
): Progress {
  const t0 = performance.now();
  let lastDecile = -1;
  let lastDraw = 0;
  const width = 30;
  return {
    update(done, total) {
      if (!enabled || total <= 0) return;
      const frac = Math.min(1, done / total);
      if (stream.isTTY) {
        const now = performance.now();
        if (now - lastDraw < 80 && done < total) return;
        lastDraw = now;
        const filled = Math.round(frac * width);
        const s = ((now - t0) / 1000).toFixed(1);
        stream.write(
          `\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} ${s}s`,
        );
      } else {
        const decile = Math.floor(frac * 10);
        if (decile !== lastDecile) {
          lastDecile = decile;
          stream.write(`${label} ${decile * 10}% (${done}/${total})\n`);
        }
      }
    },
    finish(message) {
      if (!enabled) return;
      if (stream.isTTY) stream.write("\n");
      if (message) stream.write(`${message}\n`);
    },
  };
}
