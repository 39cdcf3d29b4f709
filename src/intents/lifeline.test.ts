import { describe, expect, it } from "vitest";
import { type Book, compileBook } from "./book.js";
import { buildMarketNetwork } from "./network.js";
import { type SolutionInput, solutionSchema } from "./schema.js";
import { book, intent } from "./test-support/books.js";
import { type ValidityResult, validateSolution } from "./validate.js";

const R = 150_000;
const lifeline = { priceMicrosPerKWh: R, baselineWhPerParticipant: 300 };
const check = (b: Book, s: SolutionInput): ValidityResult =>
  validateSolution(compileBook(b), solutionSchema.parse(s));
const codeOf = (r: ValidityResult) => (r.ok ? "ok" : r.code);

/**
 * A short island (600 Wh offered, 1,500 Wh asked): a critical load (0), a normal buyer (1), a seller willing
 * to sell at the regulated price (2).
 */
function short(extra: Parameters<typeof intent>[4] = {}): Book {
  const b = book([
    intent(0, "buy", 500, 200_000, { priority: "critical", participant: "clinic" }),
    intent(1, "buy", 1_000, 400_000, { participant: "factory" }),
    intent(2, "sell", 600, 100_000, { participant: "farm", ...extra }),
  ]);
  return { ...b, lifeline };
}

describe("lifeline validity", () => {
  it("accepts the critical load served first at the regulated price, the rest by price", () => {
    const s: SolutionInput = {
      interval: 7,
      fills: [
        [0, 2, 500],
        [1, 2, 100],
      ],
      prices: [
        [0, R],
        [1, 300_000],
        [2, 300_000],
      ],
      referencePrice: 300_000,
      lifeline: [
        [0, 500],
        [2, 500],
      ],
    };
    const r = check(short(), s);
    expect(codeOf(r)).toBe("ok");
    // Clinic pays 0.5 kWh × 150,000, the factory 0.1 kWh × 300,000; the farm receives both.
    if (r.ok) expect([r.buyerPaymentsMicros, r.sellerReceiptsMicros]).toEqual([105_000, 105_000]);
  });

  it("refuses energy sold on the market while a compatible critical load is short", () => {
    const s: SolutionInput = {
      interval: 7,
      fills: [[1, 2, 600]],
      prices: [
        [1, 300_000],
        [2, 300_000],
      ],
      referencePrice: 300_000,
    };
    expect(codeOf(check(short(), s))).toBe("SOLUTION_LIFELINE");
    // Unless the seller's predicates exclude the clinic: then the clinic cannot be served from it.
    expect(codeOf(check(short({ predicates: [{ exclude: ["clinic"] }] }), s))).toBe("ok");
    // A critical load filled completely on the market is served: no lifeline part is needed.
    const marketFirst: SolutionInput = {
      interval: 7,
      fills: [
        [0, 2, 500],
        [1, 2, 100],
      ],
      prices: [
        [0, 200_000],
        [1, 200_000],
        [2, 200_000],
      ],
      referencePrice: 200_000,
    };
    expect(codeOf(check(short(), marketFirst))).toBe("ok");
    // Without the lifeline rule in the market, the same solution is valid.
    expect(codeOf(check({ ...short(), lifeline: undefined }, s))).toBe("ok");
  });

  it("refuses lifeline parts that are out of balance, out of place or beyond the baseline", () => {
    const base: SolutionInput = {
      interval: 7,
      fills: [
        [0, 2, 500],
        [1, 2, 100],
      ],
      prices: [
        [0, R],
        [1, 300_000],
        [2, 300_000],
      ],
      referencePrice: 300_000,
      lifeline: [
        [0, 500],
        [2, 400],
      ],
    };
    expect(codeOf(check(short(), base))).toBe("SOLUTION_LIFELINE");
    // The normal buyer is not eligible.
    expect(
      codeOf(
        check(short(), {
          ...base,
          lifeline: [
            [0, 500],
            [1, 100],
            [2, 600],
          ],
        }),
      ),
    ).toBe("SOLUTION_LIFELINE");
    // A baseline household gets at most 300 Wh.
    const households = {
      ...book([
        intent(0, "buy", 500, 200_000, { priority: "baseline", participant: "home" }),
        intent(1, "buy", 1_000, 400_000),
        intent(2, "sell", 600, 100_000),
      ]),
      lifeline,
    };
    expect(
      codeOf(
        check(households, {
          ...base,
          lifeline: [
            [0, 400],
            [2, 400],
          ],
          prices: [
            [0, 200_000],
            [1, 300_000],
            [2, 300_000],
          ],
        }),
      ),
    ).toBe("SOLUTION_LIFELINE");
    // An island that is not short has no lifeline.
    const plenty = { ...short(), intents: [...short().intents, intent(3, "sell", 5_000, 350_000)] };
    expect(codeOf(check(plenty, base))).toBe("SOLUTION_LIFELINE");
    // A market without the rule takes no lifeline parts at all.
    expect(codeOf(check({ ...short(), lifeline: undefined }, base))).toBe("SOLUTION_MALFORMED");
  });

  it("does not ask for the impossible: a critical load behind a branch at its limit may stay short", () => {
    const network = buildMarketNetwork({
      busIds: [1, 2],
      branches: [{ fromBus: 1, toBus: 2, inService: true, xPu: 0.05, tap: 0, rateMw: 2 }],
    });
    // 2 MW for 15 minutes is 500 kWh: the clinic at bus 2 can get only half of its 1 MWh from bus 1.
    const b: Book = {
      ...book(
        [
          intent(0, "buy", 1_000_000, 200_000, { priority: "critical", bus: 2 }),
          intent(1, "buy", 2_000_000, 400_000, { bus: 1 }),
          intent(2, "sell", 1_000_000, 100_000, { bus: 1 }),
        ],
        network,
      ),
      lifeline,
    };
    const s: SolutionInput = {
      interval: 7,
      fills: [
        [0, 2, 500_000],
        [1, 2, 500_000],
      ],
      prices: [
        [0, R],
        [1, 300_000],
        [2, 300_000],
      ],
      referencePrice: 300_000,
      lifeline: [
        [0, 500_000],
        [2, 500_000],
      ],
    };
    expect(codeOf(check(b, s))).toBe("ok");
    // With a branch that could carry it all, the same solution leaves the clinic short for nothing.
    const wide = {
      ...b,
      network: buildMarketNetwork({
        busIds: [1, 2],
        branches: [{ fromBus: 1, toBus: 2, inService: true, xPu: 0.05, tap: 0, rateMw: 10 }],
      }),
    };
    expect(codeOf(check(wide, s))).toBe("SOLUTION_LIFELINE");
  });
});
