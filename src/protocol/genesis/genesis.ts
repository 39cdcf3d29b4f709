import { isPlurigridError, PlurigridError } from "../../core/errors.js";
import { hashObject, toHex } from "../../core/hash.js";
import { add, type Micros } from "../../core/units.js";
import { accountKey } from "../accounts/state.js";
import { CHAIN_KEY, type ChainParams, type ChainRecord, PARAMS_KEY, ZERO_HASH_HEX } from "../chain.js";
import { isTxRejectionCode } from "../codes.js";
import { commitChanges } from "../executor.js";
import { branchKey, busKey, NETWORK_KEY, switchKey } from "../grid/state.js";
import { writeMarketGenesis } from "../market/genesis.js";
import { StateOverlay } from "../overlay.js";
import { participantKey, sortedRoles } from "../registry/state.js";
import { addDer, addMicrogrid } from "../registry/tx.js";
import { describeIssue } from "../schemas.js";
import { isSimulationChainId, SIMULATION_CHAIN_PREFIX } from "../scheme.js";
import type { StateChange } from "../seam.js";
import { genesisTopology } from "./network.js";
import { type GenesisDoc, type GenesisDocParsed, genesisDocSchema } from "./types.js";

const EMPTY_STATE = { get: () => undefined };

function invalid(message: string, details: Record<string, unknown> = {}): never {
  throw new PlurigridError("GENESIS_INVALID", `genesis: ${message}`, details);
}

/** Validates a genesis document (GENESIS_INVALID, naming the field, otherwise). */
export function parseGenesis(doc: unknown): GenesisDocParsed {
  const parsed = genesisDocSchema.safeParse(doc);
  if (!parsed.success) invalid(describeIssue("", parsed.error));
  return parsed.data;
}

/** hex(hashObject("plurigrid/genesis", doc)) of the document as given. */
export function genesisHash(doc: GenesisDoc): string {
  return toHex(hashObject("plurigrid/genesis", doc));
}

/**
 * The initial state of a chain: every change to write into an empty store, and its state root. The same
 * rules as the transactions apply (a microgrid's buses must exist and be free, DER device keys must be
 * distinct and not of small order, settings pass validateDerSettings), broken ones give GENESIS_INVALID.
 */
export function genesis(doc: GenesisDoc): { changes: StateChange[]; stateRoot: string } {
  const g = parseGenesis(doc);
  const state = new StateOverlay(EMPTY_STATE);
  const params: ChainParams = {
    chainId: g.chainId,
    genesisTimeMs: g.genesisTimeMs,
    genesisHash: genesisHash(doc),
    intervalMinutes: g.params.intervalMinutes,
    meterReadingMaxAgeIntervals: g.params.meterReadingMaxAgeIntervals,
  };
  const scheme = g.params.signatureScheme ?? "ed25519";
  if (scheme !== "ed25519") {
    if (!isSimulationChainId(g.chainId)) {
      invalid(
        `params.signatureScheme: ${scheme} is for simulation chains only, whose chain ids start with "${SIMULATION_CHAIN_PREFIX}" (this one is ${g.chainId})`,
        { field: "params.signatureScheme" },
      );
    }
    params.signatureScheme = scheme;
  }
  state.put(PARAMS_KEY, params);
  const chain: ChainRecord = {
    height: 0,
    timeMs: g.genesisTimeMs,
    prevHash: ZERO_HASH_HEX,
    txRoot: ZERO_HASH_HEX,
  };
  state.put(CHAIN_KEY, chain);

  writeAccounts(state, g);
  writeNetwork(state, g);
  const seen = new Set<string>();
  for (const p of g.participants) {
    if (seen.has(p.id)) invalid(`participant ${p.id} is listed twice`, { participant: p.id });
    seen.add(p.id);
    state.put(participantKey(p.id), {
      name: p.name,
      roles: sortedRoles(p.roles),
      registeredAtMs: g.genesisTimeMs,
    });
  }
  asGenesis("microgrids", () => {
    for (const m of g.microgrids) addMicrogrid(state, m.id, m.name, m.buses, null, g.genesisTimeMs);
  });
  asGenesis("ders", () => {
    for (const d of g.ders) {
      if (!seen.has(d.owner)) invalid(`DER ${d.id}: owner ${d.owner} is not a participant`, { der: d.id });
      const { owner, ...body } = d;
      addDer(state, owner, body, g.genesisTimeMs);
    }
  });
  writeMarketGenesis(state, g);
  return commitChanges(EMPTY_STATE, state.changes());
}

function writeAccounts(state: StateOverlay, g: GenesisDocParsed): void {
  let totalMicros = 0 as Micros;
  let totalMatrix = 0 as Micros;
  const seen = new Set<string>();
  for (const a of g.accounts) {
    if (seen.has(a.id)) invalid(`account ${a.id} is listed twice`, { account: a.id });
    seen.add(a.id);
    try {
      // Total supply within the exact integer range means no balance can ever overflow by transfers.
      totalMicros = add(totalMicros, a.micros as Micros);
      totalMatrix = add(totalMatrix, a.matrixMicros as Micros);
    } catch (e) {
      if (isPlurigridError(e, "UNIT_OVERFLOW"))
        invalid(`total supply exceeds ${Number.MAX_SAFE_INTEGER} micro-units`);
      throw e;
    }
    state.put(accountKey(a.id), { micros: a.micros, matrixMicros: a.matrixMicros, nonce: 0 });
  }
}

function writeNetwork(state: StateOverlay, g: GenesisDocParsed): void {
  const topology = genesisTopology(g.network);
  state.put(NETWORK_KEY, topology.record);
  topology.busIds.forEach((id, index) => {
    state.put(busKey(id), { index, microgrid: null });
  });
  topology.branches.forEach((b, i) => {
    state.put(branchKey(i), b);
  });
  topology.switches.forEach((s, i) => {
    state.put(switchKey(i), s);
  });
}

/** Runs module rules in genesis: their rejections become GENESIS_INVALID. */
function asGenesis(what: string, run: () => void): void {
  try {
    run();
  } catch (e) {
    if (isPlurigridError(e) && isTxRejectionCode(e.code))
      invalid(`${what}: ${e.message}`, { cause: e.code, ...e.details });
    throw e;
  }
}
