import type { Command } from "commander";
import { initDataDir } from "../../node/init.js";
import { type Format, formatOption, type Io, printJson, table } from "../output.js";

export function registerInit(program: Command, io: Io): void {
  program
    .command("init")
    .description(
      "create a chain in a data folder (demo genesis: case33bw as one microgrid, four funded accounts)",
    )
    .requiredOption("--data <dir>", "data folder (created if absent; must not hold a chain yet)")
    .option("--genesis <file>", "genesis document (JSON) instead of the demo genesis")
    .addOption(formatOption())
    .action((opts: { data: string; genesis?: string; format: Format }) => {
      const r = initDataDir(opts.data, { genesisFile: opts.genesis });
      if (opts.format === "json") {
        printJson(io, r);
        return;
      }
      io.out(`created chain ${r.chainId} in ${r.dbPath}\ngenesis state root ${r.stateRoot}\n`);
      if (r.demoAccounts.length > 0) {
        io.out(`\ndemo accounts (key files mode 0600):\n`);
        io.out(
          `${table(
            ["name", "account", "key file"],
            r.demoAccounts.map((a) => [a.name, a.account, a.keyFile]),
          )}\n`,
        );
      }
      io.out(`\nstart it with: plurigrid node --data ${opts.data}\n`);
    });
}
