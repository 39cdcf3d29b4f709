import { fromHex } from "../../core/hash.js";
import { accountIdOf, isSmallOrderPublicKey } from "../../core/keys.js";
import { busKey, getBus } from "../grid/state.js";
import type { StateOverlay } from "../overlay.js";
import { defineTx, reject } from "../txdef.js";
import { validateDerSettings } from "./der-settings.js";
import {
  derKey,
  deviceKey,
  getDer,
  getDevice,
  getMicrogrid,
  getParticipant,
  hasRole,
  microgridKey,
  participantKey,
  sortedRoles,
} from "./state.js";
import {
  DER_OWNER_ROLES,
  type Der,
  PRIVILEGED_ROLES,
  type RegisterDerBody,
  type Role,
  registerDerBodySchema,
  registerMicrogridBodySchema,
  registerParticipantBodySchema,
  setRolesBodySchema,
  updateDerSettingsBodySchema,
} from "./types.js";

/** Registers the sender as a participant. Operator and oracle roles are granted by an operator (SetRoles). */
export const registerParticipant = defineTx(registerParticipantBodySchema, (ctx, body) => {
  const { state, sender } = ctx;
  if (getParticipant(state, sender) !== undefined) {
    reject("REGISTRY_ALREADY_REGISTERED", `account ${sender} is already a participant`, {
      participant: sender,
    });
  }
  const privileged = body.roles.filter((r) => PRIVILEGED_ROLES.includes(r));
  if (privileged.length > 0) {
    reject(
      "REGISTRY_ROLE_FORBIDDEN",
      `role ${privileged[0]} cannot be taken by oneself; an operator grants it with SetRoles`,
      { role: privileged[0] },
    );
  }
  state.put(participantKey(sender), {
    name: body.name,
    roles: sortedRoles(body.roles),
    registeredAtMs: ctx.timeMs,
  });
  return [
    {
      type: "participant_registered",
      attributes: { participant: sender, roles: sortedRoles(body.roles).join(",") },
    },
  ];
});

/** An operator sets the roles of an existing participant (including operator and oracle). */
export const setRoles = defineTx(setRolesBodySchema, (ctx, body) => {
  const { state, sender } = ctx;
  requireRole(state, sender, "operator", "REGISTRY_NOT_AUTHORIZED", "only an operator sets roles");
  const current = getParticipant(state, body.participant);
  if (current === undefined) {
    reject("REGISTRY_UNKNOWN_PARTICIPANT", `account ${body.participant} is not a participant`, {
      participant: body.participant,
    });
  }
  const roles = sortedRoles(body.roles);
  state.put(participantKey(body.participant), { ...current, roles });
  return [
    { type: "roles_set", attributes: { participant: body.participant, roles: roles.join(","), by: sender } },
  ];
});

/** An operator declares a microgrid: a set of buses of the network, none already in another microgrid. */
export const registerMicrogrid = defineTx(registerMicrogridBodySchema, (ctx, body) => {
  requireRole(
    ctx.state,
    ctx.sender,
    "operator",
    "REGISTRY_NOT_AUTHORIZED",
    "only an operator registers microgrids",
  );
  addMicrogrid(ctx.state, body.id, body.name, body.buses, ctx.sender, ctx.timeMs);
  return [{ type: "microgrid_registered", attributes: { microgrid: body.id, buses: body.buses.length } }];
});

/** A participant registers a DER it owns, with the device key that will sign for it. */
export const registerDer = defineTx(registerDerBodySchema, (ctx, body) => {
  const participant = getParticipant(ctx.state, ctx.sender);
  if (participant === undefined || !participant.roles.some((r) => DER_OWNER_ROLES.includes(r))) {
    reject(
      "REGISTRY_NOT_PARTICIPANT",
      `account ${ctx.sender} must be a prosumer, producer, consumer or operator`,
      {
        account: ctx.sender,
      },
    );
  }
  addDer(ctx.state, ctx.sender, body, ctx.timeMs);
  return [
    {
      type: "der_registered",
      attributes: { der: body.id, owner: ctx.sender, kind: body.kind, bus: body.bus },
    },
  ];
});

/** The owner replaces a DER's IEEE 1547 category and settings. */
export const updateDerSettings = defineTx(updateDerSettingsBodySchema, (ctx, body) => {
  const der = getDer(ctx.state, body.id);
  if (der === undefined) reject("REGISTRY_UNKNOWN_DER", `no DER ${body.id}`, { der: body.id });
  if (der.owner !== ctx.sender)
    reject("REGISTRY_NOT_OWNER", `DER ${body.id} belongs to ${der.owner}`, { der: body.id });
  const next: Der = {
    ...der,
    ieee1547Category: body.ieee1547Category,
    settings: body.settings,
    settingsUpdatedAtMs: ctx.timeMs,
  };
  checkSettings(next);
  ctx.state.put(derKey(body.id), next);
  return [{ type: "der_settings_updated", attributes: { der: body.id, category: body.ieee1547Category } }];
});

export const registryTxTypes = {
  RegisterParticipant: registerParticipant,
  SetRoles: setRoles,
  RegisterMicrogrid: registerMicrogrid,
  RegisterDer: registerDer,
  UpdateDerSettings: updateDerSettings,
} as const;

// ---- shared with genesis --------------------------------------------------------------------------------

function requireRole(state: StateOverlay, account: string, role: Role, code: string, message: string): void {
  if (!hasRole(state, account, role)) reject(code, `${message}; ${account} is not one`, { account, role });
}

/** Writes a microgrid and the membership of its buses; rejects unknown or already assigned buses. */
export function addMicrogrid(
  state: StateOverlay,
  id: string,
  name: string,
  buses: readonly number[],
  registeredBy: string | null,
  timeMs: number,
): void {
  if (getMicrogrid(state, id) !== undefined)
    reject("REGISTRY_DUPLICATE_ID", `microgrid ${id} exists`, { microgrid: id });
  const sorted = [...buses].sort((a, b) => a - b);
  for (const busId of sorted) {
    const bus = getBus(state, busId);
    if (bus === undefined)
      reject("REGISTRY_UNKNOWN_BUS", `bus ${busId} is not in the network`, { bus: busId });
    if (bus.microgrid !== null) {
      reject("REGISTRY_BUS_ASSIGNED", `bus ${busId} already belongs to microgrid ${bus.microgrid}`, {
        bus: busId,
        microgrid: bus.microgrid,
      });
    }
    state.put(busKey(busId), { index: bus.index, microgrid: id });
  }
  state.put(microgridKey(id), { name, buses: sorted, registeredBy, registeredAtMs: timeMs });
}

/** Writes a DER and its device index; rejects duplicate ids, unknown buses, bad or reused device keys. */
export function addDer(state: StateOverlay, owner: string, body: RegisterDerBody, timeMs: number): void {
  if (getDer(state, body.id) !== undefined)
    reject("REGISTRY_DUPLICATE_ID", `DER ${body.id} exists`, { der: body.id });
  if (getBus(state, body.bus) === undefined) {
    reject("REGISTRY_UNKNOWN_BUS", `bus ${body.bus} is not in the network`, { bus: body.bus });
  }
  const key = fromHex(body.devicePublicKey, 32);
  if (isSmallOrderPublicKey(key)) {
    reject(
      "REGISTRY_BAD_DEVICE_KEY",
      "the device key is a point of small order, under which anything verifies",
      {
        der: body.id,
      },
    );
  }
  const deviceAccount = accountIdOf(key);
  const inUse = getDevice(state, deviceAccount);
  if (inUse !== undefined) {
    reject("REGISTRY_DEVICE_KEY_IN_USE", `the device key already signs for DER ${inUse.der}`, {
      der: inUse.der,
    });
  }
  const der: Der = {
    owner,
    kind: body.kind,
    bus: body.bus,
    ratingW: body.ratingW,
    energyWh: body.energyWh ?? null,
    ...(body.carbonGPerKWh !== undefined ? { carbonGPerKWh: body.carbonGPerKWh } : {}),
    devicePublicKey: body.devicePublicKey,
    deviceAccount,
    ieee1547Category: body.ieee1547Category,
    settings: body.settings,
    registeredAtMs: timeMs,
    settingsUpdatedAtMs: timeMs,
  };
  checkSettings(der);
  state.put(derKey(body.id), der);
  state.put(deviceKey(deviceAccount), { der: body.id });
}

function checkSettings(der: Der): void {
  const verdict = validateDerSettings(der);
  if (!verdict.ok) {
    reject("REGISTRY_DER_SETTINGS", `IEEE 1547 settings: ${verdict.field}: ${verdict.message}`, {
      field: verdict.field,
    });
  }
}
