import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { PlurigridError } from "../../core/errors.js";
import { type SunAnswer, sunPositions } from "../../der/solar/points.js";
import { type Format, fixed, formatOption, type Io, printJson, table } from "../output.js";

function readPoints(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new PlurigridError("SUN_INPUT_NOT_FOUND", `cannot read the points file ${path}`, {
      path,
      reason: e instanceof Error ? e.message : String(e),
    });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PlurigridError("SUN_INPUT_INVALID", `${path} is not JSON: ${(e as Error).message}`, {
      path,
      index: null,
      field: "",
    });
  }
}

function sunTable(json: unknown, answers: SunAnswer[]): string {
  const points = json as { utc: string; latitude: number; longitude: number }[];
  return `${table(
    ["utc", "latitude", "longitude", "zenith", "apparent zenith", "azimuth"],
    answers.map((a, i) => [
      points[i].utc,
      points[i].latitude,
      points[i].longitude,
      fixed(a.zenith, 6),
      fixed(a.apparentZenith, 6),
      fixed(a.azimuth, 6),
    ]),
  )}\n`;
}

export function registerSun(program: Command, io: Io): void {
  program
    .command("sun")
    .description("solar zenith and azimuth (NREL SPA) for a list of instants and sites")
    .requiredOption(
      "--input <file>",
      'JSON array of {"utc","latitude","longitude","elevationM","pressureMbar","temperatureC","deltaT"}',
    )
    .addOption(formatOption())
    .action((opts: { input: string; format: Format }) => {
      const json = readPoints(opts.input);
      const answers = sunPositions(json);
      if (opts.format === "json") printJson(io, answers);
      else io.out(sunTable(json, answers));
    });
}
