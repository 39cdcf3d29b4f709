/**
 * Comparing a stored chain with another node's (`plurigrid verify --peer URL`): the first height at which
 * the two chains hold different blocks. A node whose own chain replays cleanly can still differ from its
 * peers (a faulty orderer, a wrong state transition in a cluster); this names where.
 *
 * Each block hash commits to the previous one, so two chains that agree at height h agree at every height
 * below it: the first divergent height is found by bisection, in O(log height) requests.
 */
import { PlurigridError } from "../core/errors.js";
import { Store } from "./store.js";

export interface PeerComparison {
  peer: string;
  localHeight: number;
  peerHeight: number;
  /** The highest height at which both chains hold the same block (0: only the genesis is shared). */
  agreeUpTo: number;
  /** The first height at which the chains hold different blocks, or null when they agree on every common one. */
  divergentHeight: number | null;
  localHash?: string;
  peerHash?: string;
}

interface PeerBlock {
  chainId: string;
  height: number;
  hash: string;
}

const REQUEST_TIMEOUT_MS = 10_000;

async function getJson(peer: string, path: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${peer}${path}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (e) {
    throw new PlurigridError("PEER_UNREACHABLE", `cannot reach ${peer}: ${(e as Error).message}`, { peer });
  }
  const text = await response.text();
  if (!response.ok) {
    throw new PlurigridError(
      "PEER_ERROR",
      `${peer}${path} answered ${response.status}: ${text.slice(0, 200)}`,
      {
        peer,
        status: response.status,
      },
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new PlurigridError("PEER_ERROR", `${peer}${path} did not answer JSON`, { peer });
  }
}

function field<T>(value: unknown, name: string, kind: "string" | "number", peer: string): T {
  const v = (value as Record<string, unknown> | null)?.[name];
  if (typeof v !== kind)
    throw new PlurigridError("PEER_ERROR", `${peer} answered without a ${kind} "${name}"`);
  return v as T;
}

async function peerBlock(peer: string, height: number): Promise<PeerBlock> {
  const b = await getJson(peer, `/v1/blocks/${height}`);
  return {
    chainId: field<string>(b, "chainId", "string", peer),
    height: field<number>(b, "height", "number", peer),
    hash: field<string>(b, "hash", "string", peer),
  };
}

/** Compares the chain stored at `dbPath` with the chain served at `peer` (a node's base URL). */
export async function compareWithPeer(dbPath: string, peerUrl: string): Promise<PeerComparison> {
  const peer = peerUrl.replace(/\/+$/, "");
  const store = Store.open(dbPath, { readonly: true });
  try {
    const status = await getJson(peer, "/v1/status");
    const peerChain = field<string>(status, "chainId", "string", peer);
    const peerHeight = field<number>(status, "height", "number", peer);
    const { chainId } = store.meta();
    if (peerChain !== chainId) {
      throw new PlurigridError(
        "PEER_OTHER_CHAIN",
        `${peer} serves chain ${peerChain}, this one is ${chainId}`,
        {
          peer,
          chainId: peerChain,
        },
      );
    }
    const localHeight = store.head().height;
    const localHash = (h: number): string => {
      const b = store.block(h);
      if (b === undefined) throw new PlurigridError("INTERNAL_INVARIANT", `stored block ${h} is missing`);
      return b.hash;
    };
    // Invariant: heights <= lo agree; heights > hi (up to the common top) differ, or hi is the common top.
    const top = Math.min(localHeight, peerHeight);
    let lo = 0;
    let hi = top;
    const differs = new Map<number, string>();
    while (lo < hi) {
      const mid = lo + Math.ceil((hi - lo) / 2);
      const theirs = await peerBlock(peer, mid);
      if (theirs.height !== mid)
        throw new PlurigridError("PEER_ERROR", `${peer} answered block ${theirs.height} for ${mid}`);
      if (theirs.hash === localHash(mid)) lo = mid;
      else {
        differs.set(mid, theirs.hash);
        hi = mid - 1;
      }
    }
    const first = lo + 1;
    if (lo === top) return { peer, localHeight, peerHeight, agreeUpTo: lo, divergentHeight: null };
    const peerHash = differs.get(first) ?? (await peerBlock(peer, first)).hash;
    return {
      peer,
      localHeight,
      peerHeight,
      agreeUpTo: lo,
      divergentHeight: first,
      localHash: localHash(first),
      peerHash,
    };
  } finally {
    store.close();
  }
}
