/**
 * EV charging from sessions (arrival, departure, energy need, maximum charging power) to energy per market
 * interval, integer Wh. Two strategies bound what any smart charging can do:
 *
 * - "asap": charge at full power from arrival until the need is met (uncontrolled charging);
 * - "alap": the same, but as late as possible before departure.
 *
 * The energy an interval can take is ⌊maxPowerW · overlap_s / 3600⌋ Wh, so the average power in an
 * interval never exceeds the maximum. Energy that cannot fit before departure (or inside the horizon) is
 * reported per session as `unmetWh`, never silently dropped.
 */
import { PlurigridError } from "../../core/errors.js";

export interface EvSession {
  arrivalMs: number;
  departureMs: number;
  energyNeedWh: number;
  maxPowerW: number;
}

export type EvStrategy = "asap" | "alap";

export interface EvProfile {
  startMs: number;
  stepMs: number;
  /** Charging energy of all sessions per interval, Wh. */
  energyWh: number[];
  /** Energy each session still lacks at departure (or at the end of the horizon), Wh. */
  unmetWh: number[];
}

function checkSession(s: EvSession, index: number): void {
  const bad = (field: keyof EvSession, problem: string) => {
    throw new PlurigridError("EV_SESSION_INVALID", `EV session ${index}, field "${field}": ${problem}`, {
      index,
      field,
      value: s[field],
    });
  };
  for (const f of ["arrivalMs", "departureMs", "energyNeedWh", "maxPowerW"] as const) {
    if (!Number.isSafeInteger(s[f])) bad(f, "must be an integer");
  }
  if (s.departureMs <= s.arrivalMs) bad("departureMs", "must be after the arrival");
  if (s.energyNeedWh < 0) bad("energyNeedWh", "must not be negative");
  if (s.maxPowerW <= 0) bad("maxPowerW", "must be positive");
}

export function evProfile(
  sessions: readonly EvSession[],
  startMs: number,
  intervalMinutes: number,
  count: number,
  strategy: EvStrategy = "asap",
): EvProfile {
  const stepMs = intervalMinutes * 60_000;
  if (!Number.isSafeInteger(stepMs) || stepMs <= 0 || !Number.isSafeInteger(count) || count < 0) {
    throw new PlurigridError("EV_HORIZON_INVALID", "interval length and count must be positive integers", {
      intervalMinutes,
      count,
    });
  }
  const energyWh = new Array<number>(count).fill(0);
  const unmetWh: number[] = [];
  sessions.forEach((s, index) => {
    checkSession(s, index);
    const caps: [number, number][] = [];
    const first = Math.max(0, Math.floor((s.arrivalMs - startMs) / stepMs));
    const last = Math.min(count - 1, Math.ceil((s.departureMs - startMs) / stepMs) - 1);
    for (let k = first; k <= last; k++) {
      const from = Math.max(startMs + k * stepMs, s.arrivalMs);
      const to = Math.min(startMs + (k + 1) * stepMs, s.departureMs);
      if (to > from) caps.push([k, Math.floor((s.maxPowerW * (to - from)) / 3_600_000)]);
    }
    if (strategy === "alap") caps.reverse();
    let left = s.energyNeedWh;
    for (const [k, cap] of caps) {
      if (left === 0) break;
      const e = Math.min(cap, left);
      energyWh[k] += e;
      left -= e;
    }
    unmetWh.push(left);
  });
  return { startMs, stepMs, energyWh, unmetWh };
}
