import type { StateOverlay } from "../overlay.js";
import type { Der, DeviceRecord, Microgrid, Participant, Role } from "./types.js";

export const participantKey = (id: string): string => `reg/participant/${id}`;
export const microgridKey = (id: string): string => `reg/microgrid/${id}`;
export const derKey = (id: string): string => `reg/der/${id}`;
export const deviceKey = (accountId: string): string => `reg/device/${accountId}`;

export const getParticipant = (s: StateOverlay, id: string) => s.get<Participant>(participantKey(id));
export const getMicrogrid = (s: StateOverlay, id: string) => s.get<Microgrid>(microgridKey(id));
export const getDer = (s: StateOverlay, id: string) => s.get<Der>(derKey(id));
export const getDevice = (s: StateOverlay, accountId: string) => s.get<DeviceRecord>(deviceKey(accountId));

export function hasRole(s: StateOverlay, id: string, role: Role): boolean {
  return getParticipant(s, id)?.roles.includes(role) ?? false;
}

/** Roles in a fixed order, so that the same set always encodes to the same bytes. */
export function sortedRoles(roles: readonly Role[]): Role[] {
  return [...roles].sort();
}
