import { z } from "zod";
import {
  MAX_CASE_TEXT_BYTES,
  MAX_GENESIS_ACCOUNTS,
  MAX_GENESIS_DERS,
  MAX_GENESIS_MICROGRIDS,
  MAX_GENESIS_PARTICIPANTS,
  MAX_NETWORK_BRANCHES,
  MAX_NETWORK_BUSES,
} from "../limits.js";
import { marketParamsSchema } from "../market/types.js";
import {
  carbonSchema,
  derKindSchema,
  derSettingsSchema,
  ieee1547CategorySchema,
  microgridBusesSchema,
  rolesSchema,
  STORAGE_KINDS,
} from "../registry/types.js";
import {
  accountIdSchema,
  busIdSchema,
  chainIdSchema,
  hex32Schema,
  idSchema,
  nameSchema,
  nonNegativeIntSchema,
  positiveIntSchema,
  timeMsSchema,
} from "../schemas.js";
import { SIGNATURE_SCHEMES } from "../scheme.js";

/**
 * The genesis document: the chain's parameters and its initial state. Its hash (hashObject("plurigrid/genesis",
 * doc)) is kept in the state's params, so two nodes that agree on the root agree on their genesis.
 */

export const genesisParamsSchema = z.strictObject({
  /** Market interval length in minutes; must divide 1440 (core/time.ts). Default 15. */
  intervalMinutes: positiveIntSchema
    .refine((m) => 1440 % m === 0, { message: "interval length must divide a day (1440 minutes)" })
    .default(15),
  /** How many intervals back a meter reading may still arrive. Default 96 (one day of 15-minute intervals). */
  meterReadingMaxAgeIntervals: nonNegativeIntSchema.default(96),
  /** Market parameters (market/types.ts), each with a default. */
  market: marketParamsSchema.prefault({}),
  /**
   * The chain's signature scheme (scheme.ts). Absent = ed25519. "sim-digest" only on chain ids that start
   * with "sim-": simulation chains, which no node serves.
   */
  signatureScheme: z.enum(SIGNATURE_SCHEMES).optional(),
});

const matpowerNetworkSchema = z.strictObject({
  matpower: z.strictObject({
    /** The case file's text; its SHA-256 is kept in state. */
    text: z.string().max(MAX_CASE_TEXT_BYTES),
    name: nameSchema.optional(),
  }),
});

const listedNetworkSchema = z.strictObject({
  name: nameSchema.optional(),
  buses: z.array(busIdSchema).min(1).max(MAX_NETWORK_BUSES),
  branches: z
    .array(
      z.strictObject({
        from: busIdSchema,
        to: busIdSchema,
        inService: z.boolean().default(true),
        /** Series reactance, p.u. on 100 MVA (the market's flow check); rating in MW, 0 = unlimited. */
        xPu: z.number().positive().max(1e6).default(0.1),
        rateMw: z.number().min(0).max(1e9).default(0),
      }),
    )
    .max(MAX_NETWORK_BRANCHES),
  switches: z
    .array(z.strictObject({ from: busIdSchema, to: busIdSchema, closed: z.boolean() }))
    .max(MAX_NETWORK_BRANCHES)
    .default([]),
});

export const genesisNetworkSchema = z.union([matpowerNetworkSchema, listedNetworkSchema]);
export type GenesisNetwork = z.infer<typeof genesisNetworkSchema>;

export const genesisDocSchema = z.strictObject({
  chainId: chainIdSchema,
  /** Protocol time of genesis (ms since the epoch); the first block's time must be later. */
  genesisTimeMs: timeMsSchema,
  params: genesisParamsSchema.prefault({}),
  accounts: z
    .array(
      z.strictObject({
        id: accountIdSchema,
        micros: nonNegativeIntSchema.default(0),
        matrixMicros: nonNegativeIntSchema.default(0),
      }),
    )
    .max(MAX_GENESIS_ACCOUNTS)
    .default([]),
  participants: z
    .array(z.strictObject({ id: accountIdSchema, name: nameSchema, roles: rolesSchema }))
    .max(MAX_GENESIS_PARTICIPANTS)
    .default([]),
  network: genesisNetworkSchema,
  microgrids: z
    .array(z.strictObject({ id: idSchema, name: nameSchema, buses: microgridBusesSchema }))
    .max(MAX_GENESIS_MICROGRIDS)
    .default([]),
  ders: z
    .array(
      z
        .strictObject({
          id: idSchema,
          owner: accountIdSchema,
          kind: derKindSchema,
          bus: busIdSchema,
          ratingW: positiveIntSchema,
          energyWh: positiveIntSchema.optional(),
          carbonGPerKWh: carbonSchema.optional(),
          devicePublicKey: hex32Schema,
          ieee1547Category: ieee1547CategorySchema,
          settings: derSettingsSchema,
        })
        .refine((b) => !STORAGE_KINDS.includes(b.kind) || b.energyWh !== undefined, {
          message: "a battery or EV must state its energyWh",
          path: ["energyWh"],
        }),
    )
    .max(MAX_GENESIS_DERS)
    .default([]),
});

/** A genesis document as written (defaults not yet filled in). */
export type GenesisDoc = z.input<typeof genesisDocSchema>;
/** A genesis document after validation. */
export type GenesisDocParsed = z.output<typeof genesisDocSchema>;
