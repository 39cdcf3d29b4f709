import { describe, expect, it } from "vitest";
import { MAX_INTENTS_PER_INTERVAL } from "./limits.js";
import { intentTermsSchema, solutionSchema } from "./schema.js";

const issue = (r: { success: boolean; error?: { issues: { message: string }[] } }) =>
  r.success ? "ok" : (r.error?.issues[0].message ?? "");

describe("intent and solution schemas", () => {
  const terms = { interval: 5, side: "buy", quantityWh: 1_000, limitPrice: 100_000, bus: 3 };

  it("fills defaults and refuses terms that contradict themselves", () => {
    expect(intentTermsSchema.parse(terms)).toMatchObject({
      minFillWh: 0,
      predicates: [],
      priority: "normal",
    });
    expect(issue(intentTermsSchema.safeParse({ ...terms, minFillWh: 1_001 }))).toMatch(/minFillWh/);
    expect(
      issue(
        intentTermsSchema.safeParse({
          ...terms,
          side: "sell",
          der: "pv-1",
          bus: undefined,
          predicates: [{ maxCarbon: 5 }],
        }),
      ),
    ).toMatch(/only a buy intent/);
    expect(issue(intentTermsSchema.safeParse({ ...terms, side: "sell", priority: "critical" }))).toMatch(
      /priority/,
    );
    expect(issue(intentTermsSchema.safeParse({ ...terms, der: "pv-1" }))).toMatch(/der or bus/);
    expect(issue(intentTermsSchema.safeParse({ ...terms, predicates: [{ kinds: ["pv", "pv"] }] }))).toMatch(
      /repeat/,
    );
    expect(issue(intentTermsSchema.safeParse({ ...terms, predicates: [{ sameMicrogrid: false }] }))).not.toBe(
      "ok",
    );
    expect(issue(intentTermsSchema.safeParse({ ...terms, quantityWh: 1.5 }))).not.toBe("ok");
  });

  it("checks every fill and price tuple, naming the first bad one", () => {
    const good = { interval: 5, fills: [[0, 1, 10]], prices: [[0, 5]], referencePrice: 5 };
    expect(solutionSchema.parse(good)).toEqual({ ...good, busPrices: [], lifeline: [] });
    expect(
      issue(
        solutionSchema.safeParse({
          ...good,
          fills: [
            [0, 1, 10],
            [0, 2],
          ],
        }),
      ),
    ).toBe("fills: entry 1 must be a list of 3 integers");
    expect(issue(solutionSchema.safeParse({ ...good, fills: [[0, 1, 0]] }))).toMatch(/entry 0, position 2/);
    expect(issue(solutionSchema.safeParse({ ...good, fills: [[MAX_INTENTS_PER_INTERVAL, 1, 5]] }))).toMatch(
      /position 0/,
    );
    expect(issue(solutionSchema.safeParse({ ...good, prices: [[0, -1]] }))).toMatch(
      /prices: entry 0, position 1/,
    );
    expect(issue(solutionSchema.safeParse({ ...good, prices: [[0, "5"]] }))).toMatch(/prices/);
    expect(issue(solutionSchema.safeParse({ ...good, fills: "x" }))).toBe("fills: expected an array");
    expect(issue(solutionSchema.safeParse({ ...good, extra: 1 }))).not.toBe("ok");
  });
});
