import type { StateOverlay } from "../overlay.js";
import { type Account, type Asset, EMPTY_ACCOUNT } from "./types.js";

export const ACCOUNT_PREFIX = "acct/";

/**
 * Account keys of recently used accounts: a settlement reads and writes a thousand accounts every interval,
 * and a key string used again keeps its hash (a new one is hashed at every lookup). A bounded memo of a
 * pure function.
 */
const accountKeys = new Map<string, string>();

export function accountKey(id: string): string {
  let key = accountKeys.get(id);
  if (key === undefined) {
    if (accountKeys.size >= 65_536) accountKeys.clear();
    key = ACCOUNT_PREFIX + id;
    accountKeys.set(id, key);
  }
  return key;
}

export function getAccount(state: StateOverlay, id: string): Account {
  return state.get<Account>(accountKey(id)) ?? EMPTY_ACCOUNT;
}

export function putAccount(state: StateOverlay, id: string, account: Account): void {
  state.put(accountKey(id), account);
}

export function balanceOf(account: Account, asset: Asset): number {
  return asset === "micros" ? account.micros : account.matrixMicros;
}

export function withBalance(account: Account, asset: Asset, amount: number): Account {
  return asset === "micros"
    ? { micros: amount, matrixMicros: account.matrixMicros, nonce: account.nonce }
    : { micros: account.micros, matrixMicros: amount, nonce: account.nonce };
}

/** Records that the account's transaction with nonce `account.nonce` has been applied. */
export function bumpNonce(state: StateOverlay, id: string): void {
  const account = getAccount(state, id);
  putAccount(state, id, {
    micros: account.micros,
    matrixMicros: account.matrixMicros,
    nonce: account.nonce + 1,
  });
}
