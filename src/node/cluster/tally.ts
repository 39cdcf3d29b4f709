/**
 * Counting attestations: a block is FINAL when `quorum` distinct operator keys attested the same (block
 * hash, state root) at its height. Any operator attestation that disagrees with this node's own block at a
 * height is a divergence; when a quorum of operators agree on a value that is not this node's own, this
 * node is the one in the wrong and must stop applying.
 */
import type { Attestation } from "./signed.js";

export interface Claim {
  blockHash: string;
  stateRoot: string;
}

export interface Divergence {
  height: number;
  operator: string;
  theirs: Claim;
  ours: Claim;
}

export interface TallyOutcome {
  /** This node's block at the height reached quorum. */
  final: boolean;
  /** New divergences found at the height. */
  divergences: Divergence[];
  /** A quorum attested another value than ours at `height`: this node must stop. */
  outvoted?: Claim;
  height?: number;
}

/** Heights kept below the newest final one (late attestations of older heights are only counted). */
const HEIGHTS_KEPT = 1024;

function same(a: Claim, b: Claim): boolean {
  return a.blockHash === b.blockHash && a.stateRoot === b.stateRoot;
}

export class AttestationTally {
  private readonly byHeight = new Map<number, Map<string, Claim>>();
  private readonly own = new Map<number, Claim>();
  private readonly reported = new Set<string>();
  finalHeight = 0;

  constructor(
    private readonly operators: ReadonlySet<string>,
    readonly quorum: number,
  ) {}

  /** Records an operator's attestation; attestations of non-operators are ignored. */
  add(att: Attestation): TallyOutcome {
    if (!this.operators.has(att.operator)) return { final: false, divergences: [] };
    let m = this.byHeight.get(att.height);
    if (m === undefined) {
      if (att.height + HEIGHTS_KEPT < this.finalHeight) return { final: false, divergences: [] };
      m = new Map();
      this.byHeight.set(att.height, m);
    }
    // The first attestation of an operator for a height counts; a second, different one is equivocation and
    // is reported as a divergence below (it differs from ours or from its first).
    const first = m.get(att.operator);
    const claim = { blockHash: att.blockHash, stateRoot: att.stateRoot };
    if (first === undefined) m.set(att.operator, claim);
    const outcome = this.evaluate(att.height);
    if (first !== undefined && !same(first, claim)) {
      outcome.divergences.push(
        ...this.note({ height: att.height, operator: att.operator, theirs: claim, ours: first }),
      );
    }
    return outcome;
  }

  /** Records this node's own block at a height. */
  setOwn(height: number, claim: Claim): TallyOutcome {
    this.own.set(height, claim);
    return this.evaluate(height);
  }

  private note(d: Divergence): Divergence[] {
    const key = `${d.height}/${d.operator}/${d.theirs.blockHash}/${d.theirs.stateRoot}`;
    if (this.reported.has(key)) return [];
    this.reported.add(key);
    return [d];
  }

  private evaluate(height: number): TallyOutcome {
    const ours = this.own.get(height);
    const m = this.byHeight.get(height);
    if (ours === undefined || m === undefined) return { final: false, divergences: [] };
    const divergences: Divergence[] = [];
    const counts = new Map<string, { claim: Claim; n: number }>();
    let agree = 0;
    for (const [operator, claim] of [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (same(claim, ours)) agree++;
      else divergences.push(...this.note({ height, operator, theirs: claim, ours }));
      const key = `${claim.blockHash}/${claim.stateRoot}`;
      const c = counts.get(key) ?? { claim, n: 0 };
      c.n++;
      counts.set(key, c);
    }
    const final = agree >= this.quorum;
    if (final && height > this.finalHeight) {
      this.finalHeight = height;
      for (const h of this.byHeight.keys()) if (h + HEIGHTS_KEPT < height) this.byHeight.delete(h);
      for (const h of this.own.keys()) if (h + HEIGHTS_KEPT < height) this.own.delete(h);
    }
    let outvoted: Claim | undefined;
    for (const c of counts.values()) if (c.n >= this.quorum && !same(c.claim, ours)) outvoted = c.claim;
    return { final, divergences, ...(outvoted !== undefined ? { outvoted, height } : {}) };
  }

  /** Operators that attested `height`, and to what. */
  attestationsAt(height: number): [string, Claim][] {
    return [...(this.byHeight.get(height) ?? [])];
  }
}
