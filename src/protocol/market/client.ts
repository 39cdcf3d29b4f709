import type { Book } from "../../intents/book.js";
import type { Solution } from "../../intents/schema.js";
import { readParams } from "../chain.js";
import { StateOverlay } from "../overlay.js";
import type { StateReader } from "../seam.js";
import { loadBook } from "./book.js";
import { MAX_SOLUTION_PART_CHARS } from "./limits.js";
import type { SubmitSolutionPartBody } from "./types.js";

/**
 * What a solver outside the protocol needs (the node's reference solver, the simulator, other solvers): the
 * book of an interval exactly as SubmitSolution will check it, and a large solution cut into parts.
 */

/** The book of interval t from committed state, as a solution arriving at protocol time `nowMs` sees it. */
export function readBook(reader: StateReader, t: number, nowMs: number): Book {
  const state = new StateOverlay(reader);
  return loadBook(state, t, readParams(state), nowMs);
}

/** A solution as SubmitSolutionPart bodies: its JSON text in slices of at most MAX_SOLUTION_PART_CHARS. */
export function solutionParts(
  solution: Solution,
  partChars = MAX_SOLUTION_PART_CHARS,
): SubmitSolutionPartBody[] {
  const text = JSON.stringify(solution);
  const size = Math.max(1, Math.min(partChars, MAX_SOLUTION_PART_CHARS));
  const parts = Math.ceil(text.length / size);
  const out: SubmitSolutionPartBody[] = [];
  for (let i = 0; i < parts; i++) {
    out.push({ interval: solution.interval, part: i, parts, data: text.slice(i * size, (i + 1) * size) });
  }
  return out;
}
