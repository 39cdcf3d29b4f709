import { z } from "zod";
import { canonicalString } from "../../core/canonical.js";
import { MAX_BUSES_PER_MICROGRID, MAX_DER_SETTINGS_BYTES, MAX_ROLES } from "../limits.js";
import {
  accountIdSchema,
  busIdSchema,
  distinct,
  hex32Schema,
  idSchema,
  nameSchema,
  positiveIntSchema,
} from "../schemas.js";

/** Who takes part and with what: participants and their roles, microgrids (sets of buses) and DERs. */

export const ROLES = ["prosumer", "producer", "consumer", "solver", "operator", "oracle"] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;
/** Roles that only an operator (or genesis) can grant: they carry authority over others. */
export const PRIVILEGED_ROLES: readonly Role[] = ["operator", "oracle"];
/** Roles that may own DERs. */
export const DER_OWNER_ROLES: readonly Role[] = ["prosumer", "producer", "consumer", "operator"];

export const rolesSchema = z
  .array(roleSchema)
  .min(1)
  .max(MAX_ROLES)
  .refine(distinct, { message: "roles must not repeat" });

export const DER_KINDS = [
  "pv",
  "wind",
  "battery",
  "load",
  "ev",
  "chp",
  "hydro",
  "diesel",
  "fuel_cell",
  "heat_pump",
] as const;
export const derKindSchema = z.enum(DER_KINDS);
export type DerKind = z.infer<typeof derKindSchema>;
/** Kinds that store energy and so must state their capacity (energyWh). */
export const STORAGE_KINDS: readonly DerKind[] = ["battery", "ev"];

/** IEEE 1547-2018 abnormal operating performance categories (§6.4.1: I, II, III). */
export const ieee1547CategorySchema = z.enum(["I", "II", "III"]);
export type Ieee1547Category = z.infer<typeof ieee1547CategorySchema>;

/**
 * A DER's IEEE 1547 settings, kept as data. Only the shape is checked here (a JSON object of bounded size);
 * the rules of the standard plug in at validateDerSettings (der-settings.ts).
 */
export const derSettingsSchema = z
  .record(z.string().max(64), z.json())
  .refine((s) => canonicalString(s).length <= MAX_DER_SETTINGS_BYTES, {
    message: `settings must encode to at most ${MAX_DER_SETTINGS_BYTES} bytes`,
  });
export type DerSettings = z.infer<typeof derSettingsSchema>;

export const registerParticipantBodySchema = z.strictObject({ name: nameSchema, roles: rolesSchema });
export type RegisterParticipantBody = z.infer<typeof registerParticipantBodySchema>;

export const setRolesBodySchema = z.strictObject({ participant: accountIdSchema, roles: rolesSchema });
export type SetRolesBody = z.infer<typeof setRolesBodySchema>;

export const microgridBusesSchema = z
  .array(busIdSchema)
  .min(1)
  .max(MAX_BUSES_PER_MICROGRID)
  .refine(distinct, { message: "buses must not repeat" });

export const registerMicrogridBodySchema = z.strictObject({
  id: idSchema,
  name: nameSchema,
  buses: microgridBusesSchema,
});
export type RegisterMicrogridBody = z.infer<typeof registerMicrogridBodySchema>;

/** Carbon intensity in g CO2e/kWh: an integer up to 2,000 (above any fuel's life-cycle figure). */
export const carbonSchema = z.int().min(0).max(2000);

export const registerDerBodySchema = z
  .strictObject({
    id: idSchema,
    kind: derKindSchema,
    /** External bus number of the connection point. */
    bus: busIdSchema,
    /** Nameplate active power rating, W. */
    ratingW: positiveIntSchema,
    /** Usable energy capacity, Wh (storage only). */
    energyWh: positiveIntSchema.optional(),
    /** Life-cycle carbon intensity of the energy it sells, g CO2e/kWh (what `maxCarbon` predicates read). */
    carbonGPerKWh: carbonSchema.optional(),
    /** The device's own Ed25519 key: it signs the DER's meter readings and event reports. */
    devicePublicKey: hex32Schema,
    ieee1547Category: ieee1547CategorySchema,
    settings: derSettingsSchema,
  })
  .refine((b) => !STORAGE_KINDS.includes(b.kind) || b.energyWh !== undefined, {
    message: "a battery or EV must state its energyWh",
    path: ["energyWh"],
  });
export type RegisterDerBody = z.infer<typeof registerDerBodySchema>;

export const updateDerSettingsBodySchema = z.strictObject({
  id: idSchema,
  ieee1547Category: ieee1547CategorySchema,
  settings: derSettingsSchema,
});
export type UpdateDerSettingsBody = z.infer<typeof updateDerSettingsBodySchema>;

/** State record at "reg/participant/<accountId>". */
export interface Participant {
  name: string;
  /** Sorted. */
  roles: Role[];
  registeredAtMs: number;
}

/** State record at "reg/microgrid/<id>". */
export interface Microgrid {
  name: string;
  /** External bus numbers, ascending. */
  buses: number[];
  /** The operator who registered it (null: genesis). */
  registeredBy: string | null;
  registeredAtMs: number;
}

/** State record at "reg/der/<id>". */
export interface Der {
  owner: string;
  kind: DerKind;
  bus: number;
  ratingW: number;
  energyWh: number | null;
  /** Registered carbon intensity, g CO2e/kWh; absent when none was registered (then `maxCarbon` never holds). */
  carbonGPerKWh?: number;
  devicePublicKey: string;
  /** accountIdOf(devicePublicKey): the account that signs for the device. */
  deviceAccount: string;
  ieee1547Category: Ieee1547Category;
  settings: DerSettings;
  registeredAtMs: number;
  settingsUpdatedAtMs: number;
}

/** State record at "reg/device/<accountId>": which DER a device account speaks for. */
export interface DeviceRecord {
  der: string;
}
