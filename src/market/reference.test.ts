import fc from "fast-check";
import type { Highs } from "highs";
import * as highsPackage from "highs";
import { beforeAll, describe, expect, it } from "vitest";
import { dataPath } from "../core/data.js";
import { highsSolver } from "../grid/lp/highs.js";
import type { LpSolver } from "../grid/lp/types.js";
import { readCase } from "../grid/matpower/index.js";
import type { Network } from "../grid/model.js";
import { ptdfMatrix } from "../grid/sensitivity/index.js";
import { describeData } from "../test-support/data.js";
import { clearMarket } from "./clear.js";
import { marketArb, treasury } from "./test-support.js";
import type { ClearingResult, Order } from "./types.js";

/**
 * The clearing against an independent formulation of the same market, written here in CPLEX LP text and
 * handed to the `highs` package directly (not through grid/lp): one variable per (buyer, seller) pair
 * whose predicates hold (no pool), least fills as binaries, and the network through a dense PTDF
 * (grid/sensitivity) instead of bus angles. The optimal welfares must agree within the rounding of fills
 * to whole Wh.
 */

type Loader = () => Promise<Highs>;
let raw: Highs;
let solver: LpSolver;

beforeAll(async () => {
  const mod = highsPackage as unknown as { default: Loader | { default: Loader } };
  raw = await (typeof mod.default === "function" ? mod.default : mod.default.default)();
  solver = await highsSolver();
});

/** Each predicate atom read straight from the definition. */
function accepts(self: Order, other: Order, busOf: (o: Order) => number | undefined): boolean {
  for (const p of self.predicates ?? []) {
    if ("kinds" in p && !(other.kind !== undefined && p.kinds.includes(other.kind))) return false;
    if ("maxCarbon" in p && !(other.carbon !== undefined && other.carbon <= p.maxCarbon)) return false;
    if ("sameMicrogrid" in p && !(self.microgrid !== undefined && self.microgrid === other.microgrid))
      return false;
    if ("sameIsland" in p && (busOf(self) === undefined || busOf(other) === undefined)) return false;
    if ("exclude" in p && (p.exclude.includes(other.id) || p.exclude.includes(other.participant ?? "")))
      return false;
  }
  return true;
}

interface Reference {
  status: "optimal" | "infeasible";
  welfare: number;
}

/** max Σ (b − s)/1000 · x_bs over allowed pairs; PTDF flow limits when `net` is given (one island). */
function referenceOptimum(orders: readonly Order[], net?: Network, intervalMinutes = 15): Reference {
  const buys = orders.map((o, i) => [o, i] as const).filter(([o]) => o.side === "buy");
  const sells = orders.map((o, i) => [o, i] as const).filter(([o]) => o.side === "sell");
  const pairs: [number, number][] = [];
  for (const [b, i] of buys) {
    for (const [s, j] of sells) {
      if (accepts(b, s, (o) => o.bus) && accepts(s, b, (o) => o.bus)) pairs.push([i, j]);
    }
  }
  if (pairs.length === 0) return { status: "optimal", welfare: 0 };
  const v = (k: number) => `x${k}`;
  const obj = pairs
    .map(([i, j], k) => `${(orders[i].limitPrice - orders[j].limitPrice) / 1000} ${v(k)}`)
    .join(" + ")
    .replace(/\+ -/g, "- ");
  const rows: string[] = [];
  const binaries: string[] = [];
  orders.forEach((o, i) => {
    const mine = pairs.map((p, k) => [p, k] as const).filter(([p]) => p[0] === i || p[1] === i);
    if (mine.length === 0) return;
    const sum = mine.map(([, k]) => v(k)).join(" + ");
    if ((o.minFillWh ?? 0) > 0) {
      binaries.push(`z${i}`);
      rows.push(`q${i}: ${sum} - ${o.quantityWh} z${i} <= 0`);
      rows.push(`m${i}: ${sum} - ${o.minFillWh} z${i} >= 0`);
    } else {
      rows.push(`q${i}: ${sum} <= ${o.quantityWh}`);
    }
  });
  if (net !== undefined) {
    const ptdf = ptdfMatrix(net);
    const index = new Map(Array.from(net.bus.id, (id, i) => [id, i]));
    const hours = intervalMinutes / 60;
    for (let l = 0; l < net.branch.count; l++) {
      const rate = net.branch.rateAMva[l];
      if (!(rate > 0) || net.branch.status[l] === 0) continue;
      // Flow (Wh) = Σ_pairs x · (PTDF[l][seller bus] − PTDF[l][buyer bus]).
      const terms: string[] = [];
      pairs.forEach(([i, j], k) => {
        const c =
          ptdf.data[l * ptdf.cols + index.get(orders[j].bus!)!] -
          ptdf.data[l * ptdf.cols + index.get(orders[i].bus!)!];
        if (Math.abs(c) > 1e-12) terms.push(`${c >= 0 ? "+" : "-"} ${Math.abs(c)} ${v(k)}`);
      });
      if (terms.length === 0) continue;
      const limit = rate * 1e6 * hours;
      rows.push(`fa${l}: ${terms.join(" ")} <= ${limit}`);
      rows.push(`fb${l}: ${terms.join(" ")} >= ${-limit}`);
    }
  }
  const text = [
    "Maximize",
    ` obj: ${obj}`,
    "Subject To",
    ...rows.map((r) => ` ${r}`),
    "Bounds",
    ...binaries.map((z) => ` 0 <= ${z} <= 1`),
    ...(binaries.length > 0 ? ["General", ` ${binaries.join(" ")}`] : []),
    "End",
  ].join("\n");
  const r = raw.solve(text, { mip_rel_gap: 0 } as Parameters<Highs["solve"]>[1]);
  if (r.Status === "Infeasible") return { status: "infeasible", welfare: Number.NaN };
  expect(r.Status).toBe("Optimal");
  return { status: "optimal", welfare: r.ObjectiveValue };
}

/**
 * Mine rounds fills to whole Wh: each order may move by up to 1 Wh (worth its limit/1000) either way, and a
 * rounded fill may use the last watts of a branch rating that the exact optimum leaves unused (the flow check
 * below allows it), so mine can beat the continuous optimum by as much as it can lose; plus the 0.5 of
 * rounding the welfare to micro-units.
 */
function expectWelfare(orders: readonly Order[], mine: ClearingResult, ref: Reference): void {
  const slack = orders.reduce((s, o) => s + (2 * o.limitPrice) / 1000, 0.5 + 1e-6);
  expect(mine.welfare).toBeLessThanOrEqual(ref.welfare + slack);
  expect(mine.welfare).toBeGreaterThanOrEqual(ref.welfare - slack);
}

function expectPredicatesHold(orders: readonly Order[], r: ClearingResult): void {
  const byId = new Map(orders.map((o) => [o.id, o]));
  for (const f of r.fills) {
    const b = byId.get(f.buyer)!;
    const s = byId.get(f.seller)!;
    expect(b.side).toBe("buy");
    expect(s.side).toBe("sell");
    expect(accepts(b, s, (o) => o.bus)).toBe(true);
    expect(accepts(s, b, (o) => o.bus)).toBe(true);
  }
}

function expectRational(orders: readonly Order[], r: ClearingResult): void {
  r.intents.forEach((o, i) => {
    const ord = orders[i];
    expect(Number.isSafeInteger(o.filledWh)).toBe(true);
    expect(o.filledWh).toBeLessThanOrEqual(ord.quantityWh);
    if (o.filledWh > 0) {
      // Least fills hold (the lifeline is not used here).
      expect(o.filledWh).toBeGreaterThanOrEqual(ord.minFillWh ?? 0);
      expect(Number.isSafeInteger(o.price)).toBe(true);
      if (ord.side === "buy") expect(o.price!).toBeLessThanOrEqual(ord.limitPrice);
      else expect(o.price!).toBeGreaterThanOrEqual(ord.limitPrice);
    } else {
      expect(o.price).toBeNull();
    }
  });
  expect(treasury(orders, r)).toBeGreaterThanOrEqual(0);
}

const lpShape = { maxOrders: 10, maxPrice: 1000, maxQuantityWh: 10_000 };

describe("clearing against an independent LP (no network)", () => {
  it("least fills (MIP): equal welfare, rational, balanced", () => {
    fc.assert(
      fc.property(marketArb({ ...lpShape, minFills: true }), (orders) => {
        const mine = clearMarket(orders, { solver });
        expectWelfare(orders, mine, referenceOptimum(orders));
        expectRational(orders, mine);
      }),
      { numRuns: 80 },
    );
  });

  it("value predicates as products: equal welfare, no predicate broken, rational, balanced", () => {
    fc.assert(
      fc.property(marketArb({ ...lpShape, predicates: true }), (orders) => {
        const mine = clearMarket(orders, { solver });
        expectWelfare(orders, mine, referenceOptimum(orders));
        expectPredicatesHold(orders, mine);
        expectRational(orders, mine);
      }),
      { numRuns: 150 },
    );
  });

  it("predicates and least fills together", () => {
    fc.assert(
      fc.property(marketArb({ ...lpShape, predicates: true, minFills: true }), (orders) => {
        const mine = clearMarket(orders, { solver });
        expectWelfare(orders, mine, referenceOptimum(orders));
        expectPredicatesHold(orders, mine);
        expectRational(orders, mine);
      }),
      { numRuns: 100 },
    );
  });

  it("the fast path and the LP agree where both apply", () => {
    fc.assert(
      fc.property(marketArb(lpShape), (orders) => {
        const fast = clearMarket(orders);
        expectWelfare(orders, fast, referenceOptimum(orders));
        expect(Math.abs(fast.welfare - referenceOptimum(orders).welfare)).toBeLessThanOrEqual(0.5 + 1e-6);
      }),
      { numRuns: 150 },
    );
  });
});

/** A case with small ratings on some branches so that a few kW congest them. */
function congested(name: string, seed: number): Network {
  const net = readCase(dataPath("grid", `${name}.m`));
  let s = seed >>> 0;
  for (let k = 0; k < net.branch.count; k++) {
    s = (s * 1103515245 + 12345) >>> 0;
    // Between 5 and 40 kW on about a third of the branches, unlimited on the rest.
    net.branch.rateAMva[k] = s % 3 === 0 ? 0.005 + ((s >>> 8) % 36) / 1000 : 0;
  }
  return net;
}

describeData("network-constrained clearing against an independent PTDF LP", () => {
  for (const name of ["case9", "case14", "case30"]) {
    it(`${name}: equal welfare, flows within limits, rational, balanced`, () => {
      const buses = Array.from(readCase(dataPath("grid", `${name}.m`)).bus.id);
      fc.assert(
        fc.property(
          marketArb({ ...lpShape, buses, predicates: true, minFills: true }),
          fc.integer({ min: 1, max: 1000 }),
          (orders, seed) => {
            const net = congested(name, seed);
            const mine = clearMarket(orders, { network: net, solver });
            const ref = referenceOptimum(orders, net);
            expect(["cleared", "empty"]).toContain(mine.status);
            expectWelfare(orders, mine, ref);
            expectPredicatesHold(orders, mine);
            expectRational(orders, mine);
            // Flows of the rounded fills: within the rating plus 1 kW (250 Wh over 15 minutes).
            const ptdf = ptdfMatrix(net);
            const index = new Map(Array.from(net.bus.id, (id, i) => [id, i]));
            const inj = new Float64Array(net.bus.count);
            mine.intents.forEach((o, i) => {
              inj[index.get(orders[i].bus!)!] += (orders[i].side === "sell" ? 1 : -1) * o.filledWh;
            });
            for (let l = 0; l < net.branch.count; l++) {
              if (!(net.branch.rateAMva[l] > 0)) continue;
              let flow = 0;
              for (let b = 0; b < net.bus.count; b++) flow += ptdf.data[l * ptdf.cols + b] * inj[b];
              expect(Math.abs(flow)).toBeLessThanOrEqual(net.branch.rateAMva[l] * 1e6 * 0.25 + 250);
            }
          },
        ),
        { numRuns: name === "case30" ? 30 : 60 },
      );
    });
  }
});
