import type { StateOverlay } from "../overlay.js";
import type { MeterReading } from "./types.js";

export const meterReadingKey = (der: string, interval: number): string => `oracle/${der}/${interval}`;

export const getMeterReading = (s: StateOverlay, der: string, interval: number) =>
  s.get<MeterReading>(meterReadingKey(der, interval));
