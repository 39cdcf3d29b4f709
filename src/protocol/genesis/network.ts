import { isPlurigridError, PlurigridError } from "../../core/errors.js";
import { sha256, toHex } from "../../core/hash.js";
import { parseMatpower } from "../../grid/matpower/parse.js";
import type { BranchRecord, NetworkRecord, SwitchRecord } from "../grid/types.js";
import { MAX_NETWORK_BRANCHES, MAX_NETWORK_BUSES } from "../limits.js";
import type { GenesisNetwork } from "./types.js";

/** The network of genesis reduced to what the protocol keeps: bus numbers, branch and switch endpoints. */
export interface GenesisTopology {
  record: NetworkRecord;
  /** External bus numbers in network order (row index = position). */
  busIds: number[];
  branches: BranchRecord[];
  switches: SwitchRecord[];
}

function invalid(message: string, details: Record<string, unknown> = {}): never {
  throw new PlurigridError("GENESIS_INVALID", `genesis network: ${message}`, details);
}

const utf8 = new TextEncoder();

export function genesisTopology(network: GenesisNetwork): GenesisTopology {
  if ("matpower" in network) return fromMatpower(network.matpower.text, network.matpower.name);
  const busIds = network.buses;
  const known = new Set<number>();
  for (const id of busIds) {
    if (known.has(id)) invalid(`bus ${id} is listed twice`, { bus: id });
    known.add(id);
  }
  const endpoint = (id: number, what: string) => {
    if (!known.has(id)) invalid(`${what} refers to bus ${id}, which is not listed`, { bus: id });
    return id;
  };
  const branches = network.branches.map((b, i) => ({
    fromBus: endpoint(b.from, `branch ${i}`),
    toBus: endpoint(b.to, `branch ${i}`),
    inService: b.inService,
  }));
  const switches = network.switches.map((s, i) => ({
    fromBus: endpoint(s.from, `switch ${i}`),
    toBus: endpoint(s.to, `switch ${i}`),
    closed: s.closed,
  }));
  return {
    record: {
      source: "list",
      name: network.name ?? "network",
      caseSha256: null,
      busCount: busIds.length,
      branchCount: branches.length,
      switchCount: switches.length,
    },
    busIds: [...busIds],
    branches,
    switches,
  };
}

function fromMatpower(text: string, name: string | undefined): GenesisTopology {
  let net: ReturnType<typeof parseMatpower>;
  try {
    net = parseMatpower(text, name);
  } catch (e) {
    if (isPlurigridError(e))
      invalid(`the MATPOWER case does not parse: ${e.message}`, { cause: e.code, ...e.details });
    throw e;
  }
  const busIds = Array.from(net.bus.id);
  if (busIds.length > MAX_NETWORK_BUSES || net.branch.count + net.switches.count > MAX_NETWORK_BRANCHES) {
    invalid(`the case is larger than ${MAX_NETWORK_BUSES} buses or ${MAX_NETWORK_BRANCHES} branches`);
  }
  const branches: BranchRecord[] = [];
  for (let k = 0; k < net.branch.count; k++) {
    branches.push({
      fromBus: busIds[net.branch.from[k]],
      toBus: busIds[net.branch.to[k]],
      inService: net.branch.status[k] !== 0,
    });
  }
  const switches: SwitchRecord[] = [];
  for (let s = 0; s < net.switches.count; s++) {
    switches.push({
      fromBus: busIds[net.switches.from[s]],
      toBus: busIds[net.switches.to[s]],
      closed: net.switches.closed[s] !== 0,
    });
  }
  return {
    record: {
      source: "matpower",
      name: net.name,
      caseSha256: toHex(sha256(utf8.encode(text))),
      busCount: busIds.length,
      branchCount: branches.length,
      switchCount: switches.length,
    },
    busIds,
    branches,
    switches,
  };
}
