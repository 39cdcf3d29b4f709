import { PlurigridError } from "../../core/errors.js";
import type { Network } from "../model.js";
import { type DcSensitivityOptions, dcSensitivity, type LodfColumn } from "./dc-sensitivity.js";

/**
 * Dense PTDF and LODF matrices, for small networks only. A dense matrix of a large network is mostly
 * numbers nobody reads (pglib_opf_case10000_goc: 13,193 × 10,000 doubles = 1 GB); ask for rows or columns
 * of a `dcSensitivity` instead. Beyond `DENSE_ENTRIES_MAX` entries (4,000,000 doubles, 32 MB: about a
 * 2,000-bus network's PTDF) these functions throw SENS_TOO_LARGE unless `maxEntries` raises the limit.
 */
export const DENSE_ENTRIES_MAX = 4_000_000;

/** Row-major dense matrix: entry (r, c) is data[r * cols + c]. */
export interface DenseMatrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export interface DenseOptions extends DcSensitivityOptions {
  maxEntries?: number;
}

function checkSize(what: string, rows: number, cols: number, maxEntries: number): void {
  if (rows * cols > maxEntries) {
    throw new PlurigridError(
      "SENS_TOO_LARGE",
      `a dense ${what} of ${rows} × ${cols} = ${rows * cols} entries exceeds the limit of ${maxEntries}; ` +
        "use dcSensitivity(net).ptdfRow/ptdfColumn/lodfColumn for large networks, or raise maxEntries",
      { rows, cols, maxEntries },
    );
  }
}

/** PTDF, branches × buses (MATPOWER makePTDF with the island reference buses, or `slackBus`, as slack). */
export function ptdfMatrix(net: Network, options: DenseOptions = {}): DenseMatrix {
  const nl = net.branch.count;
  const nb = net.bus.count;
  checkSize("PTDF", nl, nb, options.maxEntries ?? DENSE_ENTRIES_MAX);
  const s = dcSensitivity(net, options);
  const data = new Float64Array(nl * nb);
  // One solve per node (buses sharing a node share the column), each filling a column.
  const done = new Int32Array(s.nodes.count).fill(-1);
  for (let i = 0; i < nb; i++) {
    const node = s.nodes.nodeOfBus[i];
    if (node < 0) continue;
    if (done[node] >= 0) {
      const j = done[node];
      for (let l = 0; l < nl; l++) data[l * nb + i] = data[l * nb + j];
      continue;
    }
    done[node] = i;
    const col = s.ptdfColumn(i);
    for (let l = 0; l < nl; l++) data[l * nb + i] = col[l];
  }
  return { rows: nl, cols: nb, data };
}

/**
 * LODF, branches × branches: column k is `lodfColumn(k).values` (NaN columns for bridges, see
 * `LodfColumn`; −1 on the diagonal).
 */
export function lodfMatrix(
  net: Network,
  options: DenseOptions = {},
): DenseMatrix & { islanding: Uint8Array } {
  const nl = net.branch.count;
  checkSize("LODF", nl, nl, options.maxEntries ?? DENSE_ENTRIES_MAX);
  const s = dcSensitivity(net, options);
  const data = new Float64Array(nl * nl);
  const islanding = new Uint8Array(nl);
  for (let k = 0; k < nl; k++) {
    const c = s.lodfColumn(k);
    islanding[k] = c.islanding ? 1 : 0;
    for (let l = 0; l < nl; l++) data[l * nl + k] = c.values[l];
  }
  return { rows: nl, cols: nl, data, islanding };
}

/** One PTDF row; factors the network each call: use `dcSensitivity(net)` for many rows. */
export function ptdfRow(net: Network, branch: number, options: DcSensitivityOptions = {}): Float64Array {
  return dcSensitivity(net, options).ptdfRow(branch);
}

/** One LODF column; factors the network each call: use `dcSensitivity(net)` for many columns. */
export function lodfColumn(net: Network, outagedBranch: number): LodfColumn {
  return dcSensitivity(net).lodfColumn(outagedBranch);
}
