import type { StateOverlay } from "../overlay.js";
import type {
  BranchRecord,
  BusRecord,
  DerComplianceRecord,
  EventCounter,
  GridEventRecord,
  MicrogridGridRecord,
  NetworkRecord,
  SwitchRecord,
} from "./types.js";

export const NETWORK_KEY = "grid/network";
export const EVENT_COUNTER_KEY = "grid/events";
/** Event sequence numbers are zero-padded so that keys sort in event order. */
const EVENT_SEQ_DIGITS = 12;

export const busKey = (busId: number): string => `grid/bus/${busId}`;
export const branchKey = (index: number): string => `grid/branch/${index}`;
export const switchKey = (index: number): string => `grid/switch/${index}`;
export const gridMicrogridKey = (id: string): string => `grid/microgrid/${id}`;
export const gridEventKey = (seq: number): string =>
  `grid/event/${String(seq).padStart(EVENT_SEQ_DIGITS, "0")}`;

export const derComplianceKey = (der: string): string => `grid/compliance/${der}`;

export const getNetwork = (s: StateOverlay) => s.get<NetworkRecord>(NETWORK_KEY);
export const getBus = (s: StateOverlay, busId: number) => s.get<BusRecord>(busKey(busId));
export const getBranch = (s: StateOverlay, index: number) => s.get<BranchRecord>(branchKey(index));
export const getSwitch = (s: StateOverlay, index: number) => s.get<SwitchRecord>(switchKey(index));
export const getMicrogridGrid = (s: StateOverlay, id: string) =>
  s.get<MicrogridGridRecord>(gridMicrogridKey(id));

export const getDerCompliance = (s: StateOverlay, der: string) =>
  s.get<DerComplianceRecord>(derComplianceKey(der));

/** Appends an event to the log and returns its sequence number. */
export function appendEvent(s: StateOverlay, record: GridEventRecord): number {
  const seq = s.get<EventCounter>(EVENT_COUNTER_KEY)?.count ?? 0;
  s.put(gridEventKey(seq), record);
  s.put(EVENT_COUNTER_KEY, { count: seq + 1 });
  return seq;
}
