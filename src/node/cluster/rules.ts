/**
 * The deterministic rules every cluster node applies to the stream, so that all nodes cut the same blocks
 * from the same entries whatever the proposers did:
 *
 * 1. Entries are read in stream sequence order. An entry on the transaction subject is a candidate for the
 *    next block; an entry on the block subject is a marker.
 * 2. A marker is ACCEPTED only if it is a canonical marker signed by an operator key, for this chain, with
 *    `height` = the last accepted block + 1, `term` >= the term of the last accepted marker, and
 *    `upToSeq` after the previous block's `upToSeq` and before the marker itself; and the transaction
 *    entries it covers fit a block (count and bytes). Every other marker is ignored: a stale proposer (a
 *    lower term), a duplicate or late marker for a height already cut, a marker of another chain.
 *    The first acceptable marker for a height wins, so two proposers can never fork the chain.
 * 3. The block of an accepted marker holds the transaction entries with sequence in
 *    (previous upToSeq, upToSeq], in stream order, minus: entries the protocol's checkTx refuses (form,
 *    chain, sender, signature, a nonce already used before the block), which are dropped exactly as the
 *    embedded node refuses them at its door; and a repeat of a transaction hash already in the block.
 *    Each sender's transactions then take that sender's places in nonce order (inNonceOrder), so that
 *    concurrent submissions of one sender received out of order still apply.
 * 4. The block's time is max(previous block time + 1, marker.timeMs).
 */
import type { BlockMarker } from "./signed.js";

export interface ChainPosition {
  chainId: string;
  /** The last accepted block (0 = genesis). */
  height: number;
  /** Term of the last accepted marker (0 at genesis). */
  term: number;
  /** The last stream sequence the last accepted block covered (0 at genesis). */
  upToSeq: number;
}

export interface BlockLimits {
  txsMax: number;
  bytesMax: number;
}

export type MarkerVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Rule 2. `covered` describes the transaction entries in (pos.upToSeq, marker.upToSeq]; `operators` the
 * keys allowed to propose.
 */
export function judgeMarker(
  marker: BlockMarker | undefined,
  markerSeq: number,
  pos: ChainPosition,
  operators: ReadonlySet<string>,
  covered: { count: number; bytes: number },
  limits: BlockLimits,
): MarkerVerdict {
  if (marker === undefined) return { ok: false, reason: "not a canonical marker with a valid signature" };
  if (!operators.has(marker.proposer)) return { ok: false, reason: "proposer is not an operator" };
  if (marker.chainId !== pos.chainId) return { ok: false, reason: `for chain ${marker.chainId}` };
  if (marker.height !== pos.height + 1)
    return { ok: false, reason: `height ${marker.height}, expected ${pos.height + 1}` };
  if (marker.term < pos.term) return { ok: false, reason: `stale term ${marker.term} < ${pos.term}` };
  if (marker.upToSeq <= pos.upToSeq || marker.upToSeq >= markerSeq)
    return { ok: false, reason: `upToSeq ${marker.upToSeq} outside (${pos.upToSeq}, ${markerSeq})` };
  if (covered.count === 0) return { ok: false, reason: "covers no transaction" };
  if (covered.count > limits.txsMax || covered.bytes > limits.bytesMax)
    return { ok: false, reason: `covers ${covered.count} transactions, ${covered.bytes} bytes: too many` };
  return { ok: true };
}

/**
 * Rule 3, last step: each sender's transactions take the places of that sender's entries in the
 * block, in nonce order (ties in stream order), so concurrent submissions of one sender that the stream
 * received out of order still apply; the other senders' places do not move.
 */
export function inNonceOrder<T extends { sender: string; nonce: number }>(items: T[]): void {
  const places = new Map<string, number[]>();
  items.forEach((t, i) => {
    const p = places.get(t.sender);
    if (p === undefined) places.set(t.sender, [i]);
    else p.push(i);
  });
  for (const p of places.values()) {
    if (p.length < 2) continue;
    const mine = p.map((i) => items[i]);
    const sorted = mine
      .map((t, k) => ({ t, k }))
      .sort((a, b) => a.t.nonce - b.t.nonce || a.k - b.k)
      .map((x) => x.t);
    p.forEach((i, k) => {
      items[i] = sorted[k];
    });
  }
}
