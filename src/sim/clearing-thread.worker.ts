/** The clearing thread (clearing-thread.ts): one reference solution per message, in order, with one HiGHS. */
import { parentPort } from "node:worker_threads";
import { PlurigridError } from "../core/errors.js";
import { highsSolver } from "../grid/lp/highs.js";
import { buildMarketNetwork, type MarketNetwork } from "../intents/network.js";
import { referenceSolution } from "../intents/solver.js";
import { type ClearingReply, type ClearingRequest, unpackBook } from "./clearing-thread.js";

const port = parentPort;
if (port === null) throw new Error("clearing-thread.worker runs as a worker thread");
const solver = highsSolver();
// One book at a time, in the order they came: each waits for the one before.
let queue: Promise<void> = Promise.resolve();
/** Every network given, by key: the run sends a network's input once. */
const networks = new Map<string, MarketNetwork>();

port.on("message", (req: ClearingRequest) => {
  queue = queue.then(async () => {
    const t0 = performance.now();
    let reply: ClearingReply;
    try {
      const { key, input } = req.network;
      if (input !== undefined && !networks.has(key)) networks.set(key, buildMarketNetwork(input));
      const network = networks.get(key);
      if (network === undefined) throw new Error(`network ${key} was never given`);
      const solution = await referenceSolution(
        { ...unpackBook(req.book), network },
        { ...req.options, solver: await solver },
      );
      reply = { id: req.id, busyMs: performance.now() - t0, ok: true, solution };
    } catch (e) {
      reply =
        e instanceof PlurigridError
          ? { id: req.id, busyMs: 0, ok: false, code: e.code, message: e.message, details: e.details }
          : { id: req.id, busyMs: 0, ok: false, code: "SIM_INTERNAL", message: String(e) };
    }
    port.postMessage(reply);
  });
});
