import type { Command } from "commander";
import { toHex } from "../../core/hash.js";
import { accountIdOf, generateKeyPair, writeKeyFile } from "../../core/keys.js";
import { type Format, formatOption, type Io, printJson } from "../output.js";

export function registerKeygen(program: Command, io: Io): void {
  program
    .command("keygen")
    .description("create an Ed25519 key file (mode 0600) and print its account id")
    .requiredOption("--out <file>", "where to write the key file (never overwritten)")
    .addOption(formatOption())
    .action((opts: { out: string; format: Format }) => {
      const format = opts.format;
      const key = generateKeyPair();
      writeKeyFile(opts.out, key);
      const result = { file: opts.out, account: accountIdOf(key.publicKey), publicKey: toHex(key.publicKey) };
      if (format === "json") printJson(io, result);
      else io.out(`wrote ${result.file}\naccount    ${result.account}\npublic key ${result.publicKey}\n`);
    });
}
