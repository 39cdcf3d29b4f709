/**
 * Meter readings: a day of 15-minute readings (96) for each of 100 DERs, applied in one block either as
 * 9,600 SubmitMeterReading transactions (one state key each) or as 100 SubmitMeterReadings series (one key
 * per DER and day). Signature verdicts are passed in, as the node does after verifying in worker threads, so
 * the figures are the protocol's own work: decoding, the checks, the state writes and the state tree.
 */
import { intervalOf } from "../src/core/time.js";
import { applyBlock } from "../src/protocol/block.js";
import {
  GENESIS_TIME_MS,
  genesisPv,
  idOf,
  signed,
  TestChain,
  testGenesis,
  testKeys,
} from "../src/protocol/test-support/fixtures.js";
import type { BenchContext, Suite } from "./harness.js";

const PER_DAY = 96;

async function run(ctx: BenchContext): Promise<void> {
  const ders = ctx.quick ? 20 : 100;
  const keys = testKeys(ders + 2);
  const [operator, alice] = keys;
  const meters = keys.slice(2);
  const chain = new TestChain(
    testGenesis([operator, alice], 1_000, {
      params: { intervalMinutes: 15, meterReadingMaxAgeIntervals: PER_DAY },
      participants: [
        { id: idOf(operator), name: "operator", roles: ["operator"] },
        { id: idOf(alice), name: "Alice", roles: ["prosumer"] },
      ],
      ders: meters.map((m, i) => genesisPv(`pv-${i}`, alice, m, 1 + (i % 6))),
    }),
  );
  // Genesis is at 00:00Z: the block comes at the end of that day, when all 96 intervals have ended.
  const first = intervalOf(GENESIS_TIME_MS, 15);
  const header = chain.nextHeader((first + PER_DAY) * 15 * 60_000 - GENESIS_TIME_MS);
  const values = Array.from({ length: PER_DAY }, (_, i) => ((i * 37) % 2_000) - 300);
  const singles = meters.flatMap((m, d) =>
    values.map(
      (energyWh, i) =>
        signed(m, "SubmitMeterReading", i, { der: `pv-${d}`, interval: first + i, energyWh }).bytes,
    ),
  );
  const series = meters.map(
    (m, d) =>
      signed(m, "SubmitMeterReadings", 0, { der: `pv-${d}`, firstInterval: first, energyWh: values }).bytes,
  );
  for (const [name, txs] of [
    ["single readings", singles],
    ["series", series],
  ] as const) {
    const opts = { signaturesVerified: txs.map(() => true) };
    const probe = applyBlock(chain.state, header, txs, opts);
    const keys = probe.changes.filter(([k]) => k.startsWith("oracle/")).length;
    const bytes = txs.reduce((a, t) => a + t.length, 0);
    await ctx.measure(
      `a day of ${ders} DERs as ${name}: ${txs.length} txs`,
      () => applyBlock(chain.state, header, txs, opts),
      {
        figure: () =>
          `${keys} oracle keys, ${probe.changes.length} changes, ${(bytes / 1024).toFixed(0)} KiB of txs`,
      },
    );
  }
}

export const suite: Suite = { name: "oracle-series", run };
