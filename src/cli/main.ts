/**
 * The `plurigrid` command. Exit codes: 0 success, 1 a user error (printed as `error CODE: message`),
 * 2 a usage error (unknown command or option, missing argument).
 */
import { Command, CommanderError } from "commander";
import { isPlurigridError } from "../core/errors.js";
import { registerCommands } from "./commands.js";
import { type Io, processIo } from "./output.js";
import { packageVersion } from "./version.js";

export const EXIT_OK = 0;
export const EXIT_USER_ERROR = 1;
export const EXIT_USAGE = 2;

export function buildProgram(io: Io): Command {
  const program = new Command("plurigrid")
    .description(
      "Plurigrid: intent-based coordination of energy between microgrids.\n" +
        "Every command that prints results takes --format json for scripts.",
    )
    .version(packageVersion(), "-V, --version", "print the version")
    .option("--debug", "print stack traces of errors")
    .showHelpAfterError("(run plurigrid --help for the list of commands)")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  registerCommands(program, io);
  for (const cmd of program.commands)
    cmd.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  return program;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const program = buildProgram(io);
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === "commander.helpDisplayed" ||
        e.code === "commander.version" ||
        e.code === "commander.help"
      ) {
        return EXIT_OK;
      }
      return EXIT_USAGE;
    }
    const debug = argv.includes("--debug");
    if (isPlurigridError(e)) {
      io.err(`error ${e.code}: ${e.message}\n`);
      if (debug && e.stack) io.err(`${e.stack}\n`);
      return EXIT_USER_ERROR;
    }
    // Anything else is a bug in Plurigrid: say so, with the stack, rather than hide it.
    io.err(`internal error: ${e instanceof Error ? (debug ? e.stack : e.message) : String(e)}\n`);
    if (!debug) io.err("(run again with --debug for the stack trace)\n");
    return EXIT_USER_ERROR;
  }
}
