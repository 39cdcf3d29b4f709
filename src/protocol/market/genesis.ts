import { PlurigridError } from "../../core/errors.js";
import { parseMatpower } from "../../grid/matpower/parse.js";
import type { GenesisDocParsed } from "../genesis/types.js";
import type { StateOverlay } from "../overlay.js";
import { MARKET_NETWORK_KEY, MARKET_PARAMS_KEY, type MarketNetworkRecord } from "./state.js";

/**
 * The market's part of genesis: its parameters, and the electrical data of the network that the flow check
 * needs and the grid records do not keep (reactance, tap and rating of each branch, in genesis order). A
 * listed network may give `xPu` (default 0.1 p.u.) and `rateMw` (default 0: unlimited) per branch; a
 * MATPOWER case gives x, tap and rateA. Values are copied from the document, never computed.
 */
export function writeMarketGenesis(state: StateOverlay, g: GenesisDocParsed): void {
  state.put(MARKET_PARAMS_KEY, g.params.market);
  let record: MarketNetworkRecord;
  if ("matpower" in g.network) {
    // genesis/network.ts has already parsed the same text successfully.
    const net = parseMatpower(g.network.matpower.text, g.network.matpower.name);
    const branches: [number, number, number][] = [];
    for (let k = 0; k < net.branch.count; k++) {
      branches.push([net.branch.xPu[k], net.branch.tap[k], net.branch.rateAMva[k]]);
    }
    record = { baseMva: net.baseMva, busIds: Array.from(net.bus.id), branches };
  } else {
    record = {
      baseMva: 100,
      busIds: [...g.network.buses],
      branches: g.network.branches.map((b) => [b.xPu, 0, b.rateMw]),
    };
  }
  // The flow check divides by every reactance: a branch without one would halt the first SubmitSolution.
  record.branches.forEach(([xPu], k) => {
    if (!(xPu !== 0 && Number.isFinite(xPu))) {
      throw new PlurigridError("GENESIS_INVALID", `genesis network: branch ${k} has reactance ${xPu}`, {
        branch: k,
      });
    }
  });
  state.put(MARKET_NETWORK_KEY, record);
}
