import type { Command } from "commander";
import { toHex } from "../../core/hash.js";
import { accountIdOf, readKeyFile } from "../../core/keys.js";
import { type Format, formatOption, type Io, printJson } from "../output.js";

export function registerAccount(program: Command, io: Io): void {
  program
    .command("account")
    .description("print the account id of a key file")
    .requiredOption("--key <file>", "the key file (plurigrid keygen, or DIR/keys/ after plurigrid init)")
    .addOption(formatOption())
    .action((opts: { key: string; format: Format }) => {
      const format = opts.format;
      const key = readKeyFile(opts.key);
      const result = { account: accountIdOf(key.publicKey), publicKey: toHex(key.publicKey) };
      if (format === "json") printJson(io, result);
      else io.out(`${result.account}\n`);
    });
}
