import type { Command } from "commander";
import { registerKeygen } from "./commands/keygen.js";
import type { Io } from "./output.js";

/** Every command, one file each under commands/. The order here is the order of `plurigrid --help`. */
export function registerCommands(program: Command, io: Io): void {
  registerKeygen(program, io);
}
