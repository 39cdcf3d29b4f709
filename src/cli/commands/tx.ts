import { type Command, InvalidArgumentError, Option } from "commander";
import { PlurigridError } from "../../core/errors.js";
import { accountIdOf, parseAccountId, readKeyFile } from "../../core/keys.js";
import { NodeClient } from "../../node/client.js";
import { createSignedTx } from "../../protocol/index.js";
import { type Format, formatOption, type Io, printJson } from "../output.js";
import { integerOption } from "./node.js";

function positiveAmount(value: string): number {
  if (!/^[1-9][0-9]*$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError("expected a positive whole number of micro-units");
  }
  return Number(value);
}

interface TransferOpts {
  key: string;
  to: string;
  amount: number;
  asset: "micros" | "matrix";
  node: string;
  timeoutMs: number;
  format: Format;
}

export function registerTx(program: Command, io: Io): void {
  const tx = program.command("tx").description("sign and submit transactions to a node");
  tx.command("transfer")
    .description("transfer funds; waits until the transaction is committed (exit 0) or rejected (exit 1)")
    .requiredOption("--key <file>", "key file of the sender")
    .requiredOption("--to <account>", "receiving account id (pg1...)")
    .requiredOption("--amount <n>", "amount in micro-units (1 unit = 1,000,000)", positiveAmount)
    .addOption(new Option("--asset <asset>", "which balance").choices(["micros", "matrix"]).default("micros"))
    .requiredOption("--node <url>", "node URL, e.g. http://127.0.0.1:26657")
    .option("--timeout-ms <n>", "give up waiting after this long", integerOption(1, 3_600_000), 60_000)
    .addOption(formatOption())
    .action(async (opts: TransferOpts) => {
      const key = readKeyFile(opts.key);
      const to = parseAccountId(opts.to);
      const client = new NodeClient(opts.node);
      const { chainId } = await client.status();
      const from = accountIdOf(key.publicKey);
      const { pendingNonce } = await client.nonce(from);
      const signed = createSignedTx(key, {
        chainId,
        type: "Transfer",
        nonce: pendingNonce,
        body: { to, amount: opts.amount, asset: opts.asset },
      });
      const status = await client.submitAndWait(signed.bytes, signed.hash, opts.timeoutMs);
      if (opts.format === "json")
        printJson(io, { ...status, hash: signed.hash, from, to, nonce: pendingNonce });
      if (status.status === "rejected") {
        const where = status.height !== undefined ? ` (in block ${status.height})` : "";
        throw new PlurigridError(status.code, `${status.message}${where}`, { hash: signed.hash });
      }
      if (status.status !== "committed")
        throw new PlurigridError("TX_TIMEOUT", `transaction ${signed.hash} is ${status.status}`);
      if (opts.format !== "json") io.out(`committed ${signed.hash} at height ${status.height}\n`);
    });
  tx.addHelpCommand(false);
}
