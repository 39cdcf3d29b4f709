import type { Command } from "commander";
import { registerAccount } from "./commands/account.js";
import { registerClear } from "./commands/clear.js";
import { registerCluster } from "./commands/cluster.js";
import { registerDemo } from "./commands/demo.js";
import { registerIeee1547 } from "./commands/ieee1547.js";
import { registerInit } from "./commands/init.js";
import { registerKeygen } from "./commands/keygen.js";
import { registerNode } from "./commands/node.js";
import { registerOpf } from "./commands/opf.js";
import { registerPf } from "./commands/pf.js";
import { registerSim } from "./commands/sim.js";
import { registerSun } from "./commands/sun.js";
import { registerSweep } from "./commands/sweep.js";
import { registerTx } from "./commands/tx.js";
import { registerVerify } from "./commands/verify.js";
import type { Io } from "./output.js";

/** Every command, one file each under commands/. The order here is the order of `plurigrid --help`. */
export function registerCommands(program: Command, io: Io): void {
  registerDemo(program, io);
  registerSim(program, io);
  registerSweep(program, io);
  registerPf(program, io);
  registerOpf(program, io);
  registerClear(program, io);
  registerSun(program, io);
  registerIeee1547(program, io);
  registerKeygen(program, io);
  registerAccount(program, io);
  registerInit(program, io);
  registerNode(program, io);
  registerCluster(program, io);
  registerTx(program, io);
  registerVerify(program, io);
}
