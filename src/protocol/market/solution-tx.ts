import { assert } from "../../core/errors.js";
import { compileBook } from "../../intents/book.js";
import { type Solution, solutionSchema } from "../../intents/schema.js";
import { validateSolution } from "../../intents/validate.js";
import { canonicalText, taggedHashOfStringHex, tagPrefix } from "../hashing.js";
import { hasRole } from "../registry/state.js";
import { describeIssue } from "../schemas.js";
import type { ProtocolEvent } from "../seam.js";
import { defineTx, reject, type TxContext } from "../txdef.js";
import { loadBook } from "./book.js";
import {
  EMPTY_INTERVAL,
  getInterval,
  intervalKey,
  intervalTimes,
  readMarketParams,
  solutionSeenKey,
  uploadKey,
  uploadPartKey,
  winnerKey,
} from "./state.js";
import {
  type IntervalRecord,
  type SolutionSummary,
  submitSolutionBodySchema,
  submitSolutionPartBodySchema,
  type WinnerRecord,
} from "./types.js";

const SOLUTION_TAG = tagPrefix("plurigrid/solution");

/** The sender may submit a solution for t now: it is a solver and t's solution window is open. */
function checkSolutionWindow(ctx: TxContext, t: number): void {
  if (!hasRole(ctx.state, ctx.sender, "solver")) {
    reject("MARKET_NOT_SOLVER", "only a participant with the solver role can submit solutions");
  }
  const times = intervalTimes(t, ctx.params.intervalMinutes, readMarketParams(ctx.state));
  if (ctx.timeMs < times.gateClosureMs) {
    reject(
      "MARKET_SOLUTION_EARLY",
      `solutions for interval ${t} open at its gate closure, ${times.gateClosureMs}`,
      {
        interval: t,
      },
    );
  }
  if (ctx.timeMs >= times.deadlineMs) {
    reject("MARKET_SOLUTION_LATE", `the deadline for solutions to interval ${t} was ${times.deadlineMs}`, {
      interval: t,
    });
  }
}

/** Runs every validity predicate; a valid solution is recorded, and becomes the best if it beats it. */
function acceptSolution(ctx: TxContext, solution: Solution): ProtocolEvent[] {
  const { state } = ctx;
  const t = solution.interval;
  // = hex(hashObject("plurigrid/solution", solution)), through the protocol's faster canonical text.
  const hash = taggedHashOfStringHex(SOLUTION_TAG, canonicalText(solution));
  if (state.get(solutionSeenKey(t, hash)) !== undefined) {
    reject("MARKET_DUPLICATE_SOLUTION", `solution ${hash} was already submitted for interval ${t}`);
  }
  const book = loadBook(state, t, ctx.params, ctx.timeMs);
  const verdict = validateSolution(compileBook(book), solution);
  if (!verdict.ok) reject(verdict.code, verdict.message, verdict.details);

  const summary: SolutionSummary = {
    hash,
    solver: ctx.sender,
    welfareMicros: verdict.welfareMicros,
    provenOptimal: verdict.provenOptimal,
    congestionRentMicros: verdict.congestionRentMicros,
    submittedAtMs: ctx.timeMs,
    height: ctx.height,
  };
  state.put(solutionSeenKey(t, hash), summary);
  const interval: IntervalRecord = getInterval(state, t) ?? EMPTY_INTERVAL;
  const best = interval.best;
  const wins =
    best === null ||
    summary.welfareMicros > best.welfareMicros ||
    (summary.welfareMicros === best.welfareMicros && hash < best.hash);
  state.put(intervalKey(t), {
    ...interval,
    solutions: interval.solutions + 1,
    best: wins ? summary : best,
    solutionHashes: [...(interval.solutionHashes ?? []), hash],
  });
  if (wins) {
    const content: WinnerRecord = {
      hash,
      fills: solution.fills,
      prices: solution.prices,
      referencePrice: solution.referencePrice,
      busPrices: solution.busPrices,
      lifeline: solution.lifeline,
    };
    state.put(winnerKey(t), content);
  }
  return [
    {
      type: "solution",
      attributes: {
        interval: t,
        hash,
        welfareMicros: verdict.welfareMicros,
        provenOptimal: verdict.provenOptimal,
        best: wins,
      },
    },
  ];
}

/** A whole solution for interval t from a solver, inside t's solution window. */
export const submitSolution = defineTx(submitSolutionBodySchema, (ctx, body) => {
  checkSolutionWindow(ctx, body.interval);
  return acceptSolution(ctx, body);
});

/** One slice of a large solution's JSON text; the last slice completes and checks it. */
export const submitSolutionPart = defineTx(submitSolutionPartBodySchema, (ctx, body) => {
  const { state, sender } = ctx;
  const t = body.interval;
  checkSolutionWindow(ctx, t);
  const headerKey = uploadKey(t, sender);
  let header = state.get<{ parts: number; received: number }>(headerKey);
  if (body.part === 0) {
    if (header !== undefined)
      for (let i = 0; i < header.received; i++) state.delete(uploadPartKey(t, sender, i));
    header = { parts: body.parts, received: 0 };
  } else if (header === undefined || header.parts !== body.parts || header.received !== body.part) {
    reject(
      "MARKET_UPLOAD_OUT_OF_ORDER",
      `part ${body.part} of ${body.parts} does not follow the upload so far (${header === undefined ? "none" : `${header.received} of ${header.parts}`})`,
      { part: body.part },
    );
  }
  if (body.part < body.parts - 1) {
    state.put(uploadPartKey(t, sender, body.part), { data: body.data });
    state.put(headerKey, { parts: body.parts, received: body.part + 1 });
    return [{ type: "solution_part", attributes: { interval: t, part: body.part, parts: body.parts } }];
  }
  const pieces: string[] = [];
  for (let i = 0; i < body.part; i++) {
    const piece = state.get<{ data: string }>(uploadPartKey(t, sender, i));
    assert(piece !== undefined, `upload part ${i} is stored`);
    pieces.push(piece.data);
    state.delete(uploadPartKey(t, sender, i));
  }
  pieces.push(body.data);
  state.delete(headerKey);
  let json: unknown;
  try {
    json = JSON.parse(pieces.join(""));
  } catch (e) {
    reject("SOLUTION_MALFORMED", `the uploaded solution is not JSON: ${(e as Error).message}`);
  }
  const parsed = solutionSchema.safeParse(json);
  if (!parsed.success) reject("SOLUTION_MALFORMED", describeIssue("solution", parsed.error));
  if (parsed.data.interval !== t) {
    reject("SOLUTION_MALFORMED", `the uploaded solution is for interval ${parsed.data.interval}, not ${t}`);
  }
  return acceptSolution(ctx, parsed.data);
});
