import { evaluateTrace } from "../src/der/ieee1547/evaluate.js";
import { resolveSettings } from "../src/der/ieee1547/resolve.js";
import type { SettingsFile } from "../src/der/ieee1547/settings.js";
import type { DerState, TraceSample } from "../src/der/ieee1547/trace.js";
import { complianceVerdict } from "../src/protocol/grid/compliance.js";
import type { DeviceTrace } from "../src/protocol/grid/types.js";
import { MAX_TX_BYTES } from "../src/protocol/limits.js";
import type { Der } from "../src/protocol/registry/types.js";
import { perSecond, type Suite } from "./harness.js";

/**
 * IEEE 1547-2018: validating a full settings file (the protocol's check on every RegisterDer), evaluating a
 * protocol-sized trace (1,024 samples) and a file-sized one (100,000), and the largest verdict work one grid
 * event can ask of the protocol (16 traces of 1,024 samples).
 */

const example: SettingsFile = {
  category: "II",
  reactiveCategory: "B",
  trip: {
    ov2: { pu: 1.2, s: 0.16 },
    ov1: { pu: 1.1, s: 2 },
    uv1: { pu: 0.7, s: 10 },
    uv2: { pu: 0.45, s: 0.16 },
  },
  voltVar: {
    vRef: 1,
    points: [
      [0.92, 0.44],
      [0.98, 0],
      [1.02, 0],
      [1.08, -0.44],
    ],
    responseS: 5,
  },
  voltWatt: {
    points: [
      [1.06, 1],
      [1.1, 0.2],
    ],
    responseS: 10,
  },
  freqDroop: { dbOfHz: 0.036, dbUfHz: 0.036, kOf: 0.05, kUf: 0.05, responseS: 5 },
};

/** A repeating disturbance every 2,048 samples at 20 ms: sags, swells and frequency steps, with P and Q. */
function trace(n: number): TraceSample[] {
  const out: TraceSample[] = [];
  for (let i = 0; i < n; i++) {
    const phase = i % 2_048;
    const v =
      phase < 200
        ? 1_000_000
        : phase < 400
          ? 700_000
          : phase < 600
            ? 1_120_000
            : 1_000_000 + ((i * 7_919) % 40_000) - 20_000;
    const f = phase > 1_500 && phase < 1_700 ? 60_400 : 60_000 + ((i * 104_729) % 60) - 30;
    const state: DerState = phase >= 1_000 && phase < 1_100 ? "ceased" : "on";
    out.push({ tMs: i * 20, v, f, p: 800_000, q: 0, state });
  }
  return out;
}

export const suite: Suite = {
  name: "ieee1547",
  async run(ctx) {
    await ctx.measure(
      "resolve + validate a full settings file x1,000",
      () => {
        for (let i = 0; i < 1_000; i++) resolveSettings(example, { category: "II" });
      },
      { figure: perSecond(1_000) },
    );
    const s = resolveSettings(example, { category: "II" }).settings;
    const small = trace(1_024);
    await ctx.measure("evaluate a 1,024-sample trace, instants kept", () => evaluateTrace(s, small), {
      figure: perSecond(1_024),
    });
    const big = trace(100_000);
    await ctx.measure("evaluate a 100,000-sample trace, instants kept", () => evaluateTrace(s, big), {
      figure: perSecond(100_000),
    });
    const der: Der = {
      owner: "pg1",
      kind: "pv",
      bus: 1,
      ratingW: 5_000,
      energyWh: null,
      devicePublicKey: "00",
      deviceAccount: "pg1",
      ieee1547Category: "II",
      settings: example as Der["settings"],
      registeredAtMs: 0,
      settingsUpdatedAtMs: 0,
    };
    const traces: DeviceTrace[] = Array.from({ length: 16 }, (_, k) => ({
      der: `pv-${k}`,
      samples: small.map((x) => [x.tMs, x.v, x.f, x.p, x.q, x.state] as DeviceTrace["samples"][number]),
    }));
    // What fits in one transaction (MAX_TX_BYTES, less ~1 KiB of envelope, event and signature): the real bound.
    const tuples = small.map((x) => [x.tMs, x.v, x.f, x.p, x.q, x.state] as DeviceTrace["samples"][number]);
    let fit = 0;
    while (fit < tuples.length && JSON.stringify(tuples.slice(0, fit + 1)).length <= MAX_TX_BYTES - 1_024)
      fit++;
    const oneTx: DeviceTrace = { der: "pv-0", samples: tuples.slice(0, fit) };
    await ctx.measure(
      `protocol: verdict for one transaction's trace (${fit} samples)`,
      () => complianceVerdict(der, oneTx),
      {
        figure: perSecond(fit),
      },
    );
    await ctx.measure(
      "protocol: verdicts for one event with 16 x 1,024 samples",
      () => {
        for (const t of traces) complianceVerdict(der, t);
      },
      { figure: perSecond(16 * 1_024) },
    );
  },
};
