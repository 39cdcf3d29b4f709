import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { PlurigridError } from "../../core/errors.js";
import { type CheckAnswer, checkIeee1547 } from "../../der/ieee1547/check.js";
import { type Format, formatOption, type Io, printJson, table } from "../output.js";

function readJson(path: string, what: "settings" | "trace"): unknown {
  const code = what === "settings" ? "IEEE1547_SETTINGS_INVALID" : "IEEE1547_TRACE_INVALID";
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new PlurigridError("IEEE1547_FILE_NOT_FOUND", `cannot read the ${what} file ${path}`, {
      path,
      reason: e instanceof Error ? e.message : String(e),
    });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PlurigridError(code, `${path} is not JSON: ${(e as Error).message}`, { path });
  }
}

function summary(a: CheckAnswer): string {
  const lines: string[] = [];
  if (a.valid) {
    const s = a.settings;
    lines.push(
      `settings: valid for Category ${a.category} (reactive power Category ${s?.reactiveCategory}, mode ${s?.reactiveMode})`,
    );
  } else {
    lines.push(
      `settings: ${a.violations.length} setting(s) outside IEEE 1547-2018 for Category ${a.category}`,
    );
    lines.push(
      table(
        ["code", "setting", "value", "allowed", "table"],
        a.violations.map((v) => [
          v.code,
          v.setting,
          String(v.value),
          v.allowed === null ? "-" : `${v.allowed[0]} .. ${v.allowed[1]}`,
          v.table,
        ]),
      ),
    );
  }
  const t = a.trace;
  if (t !== null) {
    lines.push(
      `trace: ${t.instants.length} samples, ${t.compliant ? "compliant" : `NOT compliant (${t.violations.length} violation(s)${t.truncated ? ", more not listed" : ""})`}`,
    );
    if (t.violations.length > 0) {
      lines.push(
        table(
          ["from s", "to s", "code", "clause", "what"],
          t.violations.map((v) => [v.fromS, v.toS, v.code, v.clause, v.message]),
        ),
      );
    }
    // The required region each time it changes.
    const changes = t.instants.filter((x, i) => i === 0 || x.region !== t.instants[i - 1].region);
    lines.push(
      table(
        ["t s", "V p.u.", "f Hz", "state", "region", "ride-through until s", "shall trip by s"],
        changes.map((x) => [
          x.tS,
          x.vPu,
          x.fHz,
          x.state,
          x.region,
          x.rideThroughUntilS ?? "-",
          x.shallTripByS ?? "-",
        ]),
      ),
    );
  }
  return `${lines.join("\n")}\n`;
}

export function registerIeee1547(program: Command, io: Io): void {
  const cmd = program
    .command("ieee1547")
    .description("IEEE 1547-2018 settings validation and compliance verdicts");
  cmd
    .command("check")
    .description("validate a DER's IEEE 1547-2018 settings file and, with --trace, judge a measured response")
    .requiredOption("--settings <file>", "settings file (JSON; see docs/ieee1547.md)")
    .option("--trace <file>", 'measured trace: {"samples":[{"tS","vPu","fHz","pPu"?,"qPu"?,"state"}]}')
    .option("--storage", "the DER can absorb active power (battery, EV): volt-watt P2 may be negative")
    .addOption(formatOption())
    .action((opts: { settings: string; trace?: string; storage?: boolean; format: Format }) => {
      const settings = readJson(opts.settings, "settings");
      const trace = opts.trace === undefined ? undefined : readJson(opts.trace, "trace");
      const answer = checkIeee1547(settings, trace, { absorbsActivePower: opts.storage === true });
      if (opts.format === "json") printJson(io, answer);
      else io.out(summary(answer));
      if (!answer.valid) {
        const v = answer.violations[0];
        const more = answer.violations.length > 1 ? ` (and ${answer.violations.length - 1} more)` : "";
        throw new PlurigridError(v.code, `${opts.settings}: ${v.message}${more}`, {
          setting: v.setting,
          value: v.value,
          allowed: v.allowed,
          table: v.table,
        });
      }
    });
}
