import { compareIds, type OrderTable } from "./orders.js";
import type { Fill } from "./types.js";

/**
 * Bilateral matches behind per-order fills. Where no predicate distinguishes counterparties (one pool per
 * island), any pairing gives the same injections; the one chosen is deterministic: buyers and sellers each
 * in id order, matched front to front. Each buyer's sellers then come out in id order, so the fills are
 * already sorted by (buyer, seller).
 */
export function pairPool(table: OrderTable, members: ArrayLike<number>, filledWh: ArrayLike<number>): Fill[] {
  const buys: number[] = [];
  const sells: number[] = [];
  for (let k = 0; k < members.length; k++) {
    const i = members[k];
    if (filledWh[i] <= 0) continue;
    if (table.isBuy[i]) buys.push(i);
    else sells.push(i);
  }
  const ids = table.orders;
  const byId = (a: number, b: number) => compareIds(ids[a].id, ids[b].id);
  buys.sort(byId);
  sells.sort(byId);
  const fills: Fill[] = [];
  let s = 0;
  let restS = sells.length > 0 ? filledWh[sells[0]] : 0;
  for (const b of buys) {
    let restB = filledWh[b];
    while (restB > 0 && s < sells.length) {
      const m = Math.min(restB, restS);
      fills.push({ buyer: ids[b].id, seller: ids[sells[s]].id, energyWh: m });
      restB -= m;
      restS -= m;
      if (restS === 0 && ++s < sells.length) restS = filledWh[sells[s]];
    }
  }
  return fills;
}

/** Sorts by (buyer, seller) and merges repeated pairs (a lifeline part and a market part, say). */
export function mergeFills(fills: Fill[]): Fill[] {
  fills.sort((a, b) => compareIds(a.buyer, b.buyer) || compareIds(a.seller, b.seller));
  const out: Fill[] = [];
  for (const f of fills) {
    const last = out[out.length - 1];
    if (last !== undefined && last.buyer === f.buyer && last.seller === f.seller) {
      last.energyWh += f.energyWh;
      const l = (last.lifelineWh ?? 0) + (f.lifelineWh ?? 0);
      if (l > 0) last.lifelineWh = l;
    } else {
      const copy: Fill = { buyer: f.buyer, seller: f.seller, energyWh: f.energyWh };
      if (f.lifelineWh !== undefined && f.lifelineWh > 0) copy.lifelineWh = f.lifelineWh;
      out.push(copy);
    }
  }
  return out;
}
