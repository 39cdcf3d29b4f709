/**
 * Protocol throughput: applyBlock on blocks of 1,000 signed transfers among 10,000 funded accounts, with the
 * signature checks inside applyBlock and with verdicts passed in (as the node does after verifying in worker
 * threads), plus the parts that bound it: decoding, Ed25519 verification, the state tree update.
 */
import { sha256 } from "../src/core/hash.js";
import { applyBlock } from "../src/protocol/block.js";
import { decodeTx } from "../src/protocol/envelope.js";
import { MemoryState } from "../src/protocol/memory-state.js";
import { treeUpdates, updateTree } from "../src/protocol/smt/update.js";
import { TestChain, testGenesis, testKeys, transfer } from "../src/protocol/test-support/fixtures.js";
import { verifyTxSignature } from "../src/protocol/verify.js";
import { type BenchContext, perSecond, type Suite } from "./harness.js";

const ACCOUNTS = 10_000;
const TXS_PER_BLOCK = 1_000;

/** Deterministic pseudo-random index from a counter (no Math.random: the workload is the same every run). */
function pick(i: number, salt: number, n: number): number {
  const h = sha256(new TextEncoder().encode(`${salt}:${i}`));
  return ((h[0] << 16) | (h[1] << 8) | h[2]) % n;
}

async function run(ctx: BenchContext): Promise<void> {
  const accounts = ctx.quick ? 500 : ACCOUNTS;
  const keys = testKeys(accounts);
  const chain = new TestChain(testGenesis(keys, 1_000_000_000));
  const nonces = new Array<number>(accounts).fill(0);
  const makeBlock = (salt: number): Uint8Array[] => {
    const txs: Uint8Array[] = [];
    for (let i = 0; i < TXS_PER_BLOCK; i++) {
      const s = pick(i, salt, accounts);
      let r = pick(i, salt + 1_000_000, accounts);
      if (r === s) r = (r + 1) % accounts;
      txs.push(transfer(keys[s], nonces[s]++, keys[r], 1 + (i % 1000)));
    }
    return txs;
  };
  // Two blocks committed first, so the measured block runs on a state that has seen traffic.
  for (let b = 0; b < 2; b++)
    chain.block(makeBlock(b), { signaturesVerified: new Array(TXS_PER_BLOCK).fill(true) });
  const txs = makeBlock(7);
  const header = chain.nextHeader();
  const verdicts = txs.map((b) => verifyTxSignature(b));
  const check = applyBlock(chain.state, header, txs, { signaturesVerified: verdicts });
  const accepted = check.results.filter((r) => r.ok).length;
  if (accepted !== TXS_PER_BLOCK) throw new Error(`only ${accepted} of ${TXS_PER_BLOCK} transfers applied`);
  process.stdout.write(
    `protocol   ${accounts} accounts, ${chain.state.size} state rows; block of ${TXS_PER_BLOCK} transfers writes ${check.changes.length} rows\n`,
  );

  await ctx.measure(
    "applyBlock 1k transfers, signatures checked",
    () => applyBlock(chain.state, header, txs),
    {
      runs: 3,
      figure: perSecond(TXS_PER_BLOCK),
    },
  );
  await ctx.measure(
    "applyBlock 1k transfers, signaturesVerified given",
    () => applyBlock(chain.state, header, txs, { signaturesVerified: verdicts }),
    { runs: 15, figure: perSecond(TXS_PER_BLOCK) },
  );
  await ctx.measure("  part: decodeTx x1k (canonical check + zod)", () => txs.map(decodeTx), {
    runs: 7,
    figure: perSecond(TXS_PER_BLOCK),
  });
  await ctx.measure(
    "  part: verifyTxSignature x1k (Ed25519, one core)",
    () => txs.map((b) => verifyTxSignature(b)),
    {
      runs: 3,
      figure: perSecond(TXS_PER_BLOCK),
    },
  );
  const appChanges = check.changes.filter(([k]) => !k.startsWith("smt/"));
  await ctx.measure(
    `  part: state tree update, ${appChanges.length} keys`,
    () => updateTree(chain.state, treeUpdates(appChanges)),
    { runs: 7, figure: perSecond(TXS_PER_BLOCK) },
  );
  const empty = new MemoryState();
  await ctx.measure(
    `  ref: tree from scratch, ${appChanges.length} keys`,
    () => updateTree(empty, treeUpdates(appChanges)),
    {
      runs: 7,
    },
  );
  // CPU time of this process alone: steadier than wall time on a machine shared with other work.
  const cpuRuns = ctx.quick ? 1 : 9;
  const cpuMs = (f: () => unknown): number[] =>
    Array.from({ length: cpuRuns }, () => {
      const start = process.cpuUsage();
      f();
      const used = process.cpuUsage(start);
      return (used.user + used.system) / 1000;
    });
  ctx.record(
    "applyBlock 1k transfers, verdicts given (CPU time)",
    cpuMs(() => applyBlock(chain.state, header, txs, { signaturesVerified: verdicts })),
    perSecond(TXS_PER_BLOCK),
  );
  ctx.record(
    "  part: state tree update (CPU time)",
    cpuMs(() => updateTree(chain.state, treeUpdates(appChanges))),
    perSecond(TXS_PER_BLOCK),
  );
  ctx.record(
    "  part: decodeTx x1k (CPU time)",
    cpuMs(() => txs.map(decodeTx)),
    perSecond(TXS_PER_BLOCK),
  );
}

export const suite: Suite = { name: "protocol", run };
