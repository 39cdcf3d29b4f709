import { z } from "zod";
import { PlurigridError } from "../core/errors.js";
import { PRICE_MAX, QUANTITY_MAX_WH } from "./orders.js";
import { type LifelineOptions, type Order, SOURCE_KINDS } from "./types.js";

/**
 * The market file of `plurigrid clear` (MARKET.json), one zod schema for both the check and the type:
 *
 *   {"intervalMinutes"?, "lifeline"?: {"priceMicrosPerKWh", "baselineWhPerParticipant"?},
 *    "intents": [{"id", "side", "quantityWh", "limitPrice", "bus"?, "participant"?, "microgrid"?,
 *                 "kind"?, "carbon"?, "minFillWh"?, "priority"?, "predicates"?}]}
 *
 * Predicates in this form are a list that must all hold, each one of {"kinds": [...]},
 * {"sameMicrogrid": true}, {"sameIsland": true}, {"maxBusDistance": n}, {"exclude": [ids]},
 * {"maxCarbon": g/kWh}.
 */
const int = (lo: number, hi: number) => z.number().int().min(lo).max(hi);

const predicate = z.union([
  z.strictObject({ kinds: z.array(z.enum(SOURCE_KINDS)).min(1) }),
  z.strictObject({ sameMicrogrid: z.literal(true) }),
  z.strictObject({ sameIsland: z.literal(true) }),
  z.strictObject({ maxBusDistance: int(0, 1_000_000) }),
  z.strictObject({ exclude: z.array(z.union([z.string().min(1), z.number().int()])).min(1) }),
  z.strictObject({ maxCarbon: int(0, 1_000_000) }),
]);

const intent = z
  .strictObject({
    id: z.union([z.string().min(1), z.number().int()]),
    side: z.enum(["buy", "sell"]),
    quantityWh: int(1, QUANTITY_MAX_WH),
    limitPrice: int(0, PRICE_MAX),
    minFillWh: int(0, QUANTITY_MAX_WH).optional(),
    bus: z.number().int().optional(),
    participant: z.string().min(1).optional(),
    microgrid: z.string().min(1).optional(),
    kind: z.enum(SOURCE_KINDS).optional(),
    carbon: int(0, 1_000_000).optional(),
    priority: z.enum(["critical", "baseline", "normal"]).optional(),
    predicates: z.array(predicate).optional(),
  })
  .refine((o) => (o.minFillWh ?? 0) <= o.quantityWh, {
    message: "minFillWh must not exceed quantityWh",
    path: ["minFillWh"],
  });

export const marketFileSchema = z.strictObject({
  intervalMinutes: int(1, 1440).optional(),
  lifeline: z
    .strictObject({
      priceMicrosPerKWh: int(0, PRICE_MAX),
      baselineWhPerParticipant: int(0, QUANTITY_MAX_WH).optional(),
    })
    .optional(),
  intents: z.array(intent),
});

export interface MarketFile {
  intervalMinutes?: number;
  lifeline?: LifelineOptions;
  orders: Order[];
}

/** Parses the text of a market file; MARKET_FILE_INVALID with the first problem's path otherwise. */
export function parseMarketFile(text: string): MarketFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PlurigridError("MARKET_FILE_INVALID", `the market file is not JSON: ${(e as Error).message}`);
  }
  const r = marketFileSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.join(".");
    throw new PlurigridError(
      "MARKET_FILE_INVALID",
      `the market file is invalid at ${where || "top"}: ${issue.message}`,
      {
        path: issue.path,
      },
    );
  }
  const orders = r.data.intents.map((it): Order => {
    const o: Order = {
      id: String(it.id),
      side: it.side,
      quantityWh: it.quantityWh,
      minFillWh: it.minFillWh ?? 0,
      limitPrice: it.limitPrice,
    };
    if (it.bus !== undefined) o.bus = it.bus;
    if (it.participant !== undefined) o.participant = it.participant;
    if (it.microgrid !== undefined) o.microgrid = it.microgrid;
    if (it.kind !== undefined) o.kind = it.kind;
    if (it.carbon !== undefined) o.carbon = it.carbon;
    if (it.priority !== undefined) o.priority = it.priority;
    if (it.predicates !== undefined && it.predicates.length > 0) {
      o.predicates = it.predicates.map((p) => ("exclude" in p ? { exclude: p.exclude.map(String) } : p));
    }
    return o;
  });
  const out: MarketFile = { orders };
  if (r.data.intervalMinutes !== undefined) out.intervalMinutes = r.data.intervalMinutes;
  if (r.data.lifeline !== undefined) out.lifeline = r.data.lifeline;
  return out;
}
