import type { z } from "zod";
import { accountTxTypes } from "./accounts/tx.js";
import { gridTxTypes } from "./grid/tx.js";
import { marketTxTypes } from "./market/tx.js";
import { oracleTxTypes } from "./oracle/tx.js";
import { registryTxTypes } from "./registry/tx.js";
import type { TxDefinition } from "./txdef.js";

/** Every transaction type, by the name carried in `tx.type`. Adding a type here is a protocol upgrade. */
export const TX_TYPES = {
  ...accountTxTypes,
  ...registryTxTypes,
  ...oracleTxTypes,
  ...gridTxTypes,
  ...marketTxTypes,
} as const;

export type TxType = keyof typeof TX_TYPES;
/** The body of each transaction type, as its schema outputs it. */
export type TxBodies = { [K in TxType]: z.output<(typeof TX_TYPES)[K]["schema"]> };
/** The body of each transaction type as a sender writes it (before schema transforms). */
export type TxBodyInputs = { [K in TxType]: z.input<(typeof TX_TYPES)[K]["schema"]> };

// A Map, so that names such as "__proto__" or "constructor" can never reach Object.prototype.
const byName = new Map<string, TxDefinition>(Object.entries(TX_TYPES) as [string, TxDefinition][]);

export function txDefinition(type: string): TxDefinition | undefined {
  return byName.get(type);
}

export const TX_TYPE_NAMES: readonly TxType[] = Object.keys(TX_TYPES).sort() as TxType[];
