/**
 * Solar position for a batch of points given as plain JSON (the input of `plurigrid sun`). Every point is
 * checked against one zod schema; the first problem is reported as SUN_INPUT_INVALID naming the index and
 * the field, so a person can fix the file. Pure: the caller reads the file.
 */
import { z } from "zod";
import { isPlurigridError, PlurigridError } from "../../core/errors.js";
import { parseUtcMs } from "../../core/time.js";
import { checkSpaInput, type SpaInput, solarPosition } from "./spa.js";

/** A bound on the batch size: one point costs ~10 µs, a million points is a few seconds. */
export const SUN_POINTS_MAX = 1_000_000;

const finite = z.number().finite();

/** One point: `utc` is an ISO 8601 UTC instant (…Z); angles in degrees, longitude east positive. */
export const sunPointSchema = z.strictObject({
  utc: z.string(),
  latitude: finite.min(-90).max(90),
  longitude: finite.min(-180).max(180),
  elevationM: finite.min(-6_500_000),
  pressureMbar: finite.min(0).max(5000),
  temperatureC: finite.min(-273).max(6000),
  /** ΔT = TT − UT1 in seconds. */
  deltaT: finite.min(-8000).max(8000),
});
export type SunPoint = z.infer<typeof sunPointSchema>;

/** The answer for one point (degrees; zenith without refraction, azimuth eastward from north). */
export interface SunAnswer {
  zenith: number;
  apparentZenith: number;
  azimuth: number;
}

/** The point's name of each SPA input field, for messages. */
const SPA_FIELD_NAMES: Record<string, string> = {
  utcMs: "utc",
  latitudeDeg: "latitude",
  longitudeDeg: "longitude",
  deltaTS: "deltaT",
};

function invalid(index: number | null, field: string, problem: string): never {
  const where = index === null ? "the input" : `point ${index}`;
  throw new PlurigridError(
    "SUN_INPUT_INVALID",
    `${where}${field === "" ? "" : `, field "${field}"`}: ${problem}`,
    {
      index,
      field,
    },
  );
}

/** Checks the parsed JSON of a points file and turns each point into an SPA input. */
export function sunInputs(json: unknown): SpaInput[] {
  if (!Array.isArray(json)) invalid(null, "", "expected a JSON array of points");
  if (json.length > SUN_POINTS_MAX) invalid(null, "", `at most ${SUN_POINTS_MAX} points per call`);
  return json.map((raw, index) => {
    const parsed = sunPointSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.code === "unrecognized_keys" ? issue.keys.join(", ") : issue.path.join(".");
      invalid(index, field, issue.message);
    }
    const p = parsed.data;
    let utcMs: number;
    try {
      utcMs = parseUtcMs(p.utc);
    } catch (e) {
      if (isPlurigridError(e)) invalid(index, "utc", e.message);
      throw e;
    }
    const input: SpaInput = {
      utcMs,
      latitudeDeg: p.latitude,
      longitudeDeg: p.longitude,
      elevationM: p.elevationM,
      pressureMbar: p.pressureMbar,
      temperatureC: p.temperatureC,
      deltaTS: p.deltaT,
    };
    try {
      checkSpaInput(input);
    } catch (e) {
      if (isPlurigridError(e, "SPA_INPUT_OUT_OF_RANGE")) {
        invalid(index, SPA_FIELD_NAMES[String(e.details.field)] ?? String(e.details.field), e.message);
      }
      throw e;
    }
    return input;
  });
}

/** Zenith, apparent zenith and azimuth of every point (NREL SPA), in input order. */
export function sunPositions(json: unknown): SunAnswer[] {
  return sunInputs(json).map((input) => {
    const p = solarPosition(input);
    return { zenith: p.zenithDeg, apparentZenith: p.apparentZenithDeg, azimuth: p.azimuthDeg };
  });
}
