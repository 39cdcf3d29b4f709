/**
 * Replays a chain in a fresh process, for determinism.test.ts: reads {"doc": GenesisDoc, "blocks":
 * [{"time": ms, "txs": [hex...]}]} on stdin and prints {"genesisRoot", "roots": [...], "codes": [[...]]}.
 * It uses only the public API, so what it shows is what any node would compute.
 */
import { applyBlock, blockHash, type GenesisDoc, genesis, MemoryState } from "../index.js";

interface Input {
  doc: GenesisDoc;
  blocks: { time: number; txs: string[] }[];
}

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Input;

const g = genesis(input.doc);
const state = new MemoryState(g.changes);
let prevHash = "0".repeat(64);
const roots: string[] = [];
const codes: string[][] = [];
input.blocks.forEach((block, i) => {
  const header = { chainId: input.doc.chainId, height: i + 1, prevHash, time: block.time };
  const txs = block.txs.map((h) => new Uint8Array(Buffer.from(h, "hex")));
  const result = applyBlock(state, header, txs);
  state.apply(result.changes);
  prevHash = blockHash({ ...header, txRoot: result.txRoot, stateRoot: result.stateRoot });
  roots.push(result.stateRoot);
  codes.push(result.results.map((r) => (r.ok ? "ok" : r.code)));
});
process.stdout.write(JSON.stringify({ genesisRoot: g.stateRoot, roots, codes }));
