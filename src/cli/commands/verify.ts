import type { Command } from "commander";
import { PlurigridError } from "../../core/errors.js";
import { compareWithPeer } from "../../node/compare.js";
import { dbPathOf } from "../../node/init.js";
import { verifyChain } from "../../node/verify.js";
import { type Format, formatOption, type Io, printJson } from "../output.js";
import { integerOption } from "./node.js";

export function registerVerify(program: Command, io: Io): void {
  program
    .command("verify")
    .description(
      "replay every block from genesis and check signatures, roots, hash links and the stored state",
    )
    .requiredOption("--data <dir>", "data folder of the chain")
    .option("--threads <n>", "worker threads for signatures (0: none)", integerOption(0, 64))
    .option("--peer <url>", "also compare with another node's chain and name the first divergent height")
    .addOption(formatOption())
    .action(async (opts: { data: string; threads?: number; peer?: string; format: Format }) => {
      const outcome = await verifyChain(dbPathOf(opts.data), { threads: opts.threads });
      const peer =
        outcome.ok && opts.peer !== undefined
          ? await compareWithPeer(dbPathOf(opts.data), opts.peer)
          : undefined;
      if (opts.format === "json") printJson(io, peer === undefined ? outcome : { ...outcome, peer });
      if (!outcome.ok) {
        const where = outcome.height === null ? "in the stored state" : `at height ${outcome.height}`;
        throw new PlurigridError("VERIFY_DIVERGED", `${where}: ${outcome.what}`, {
          height: outcome.height,
          ...(outcome.key !== undefined ? { key: outcome.key } : {}),
        });
      }
      if (opts.format !== "json") {
        io.out(
          `verified ${outcome.height} blocks, ${outcome.txCount} transactions\n` +
            `height     ${outcome.height}\nstate root ${outcome.stateRoot}\nblock hash ${outcome.blockHash}\n`,
        );
      }
      if (peer === undefined) return;
      if (peer.divergentHeight !== null) {
        throw new PlurigridError(
          "VERIFY_PEER_DIVERGED",
          `this chain and ${peer.peer} differ from height ${peer.divergentHeight}: block ${peer.localHash} here, ${peer.peerHash} there`,
          { height: peer.divergentHeight, peer: peer.peer },
        );
      }
      if (opts.format !== "json") {
        io.out(`agrees with ${peer.peer} up to height ${peer.agreeUpTo} (its tip: ${peer.peerHeight})\n`);
      }
    });
}
