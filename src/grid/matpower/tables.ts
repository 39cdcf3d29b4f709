import { PlurigridError } from "../../core/errors.js";
import {
  type BranchTable,
  type BusTable,
  emptySwitches,
  type GenCost,
  type GenTable,
  type Network,
} from "../model.js";
import type { CaseScript } from "./script.js";
import { describeValue, type Matrix, type Value } from "./values.js";

/** Columns of MATPOWER case format version 2 that model.ts names (caseformat.m); later columns are extra. */
export const BUS_COLUMNS = 13;
export const GEN_COLUMNS = 10;
export const BRANCH_COLUMNS = 13;

type TableName = "bus" | "gen" | "branch" | "gencost";

/** Turns the struct a case script built into a Network, checking what MATPOWER itself requires. */
export function networkFromCase(script: CaseScript, name: string): Network {
  const f = script.fields;
  checkVersion(f.get("version"));
  const baseMva = f.get("baseMVA");
  if (
    baseMva === undefined ||
    baseMva.kind !== "matrix" ||
    baseMva.data.length !== 1 ||
    !(baseMva.data[0] > 0)
  ) {
    throw new PlurigridError(
      "CASE_BAD_TABLE",
      `mpc.baseMVA must be one positive number, found ${baseMva === undefined ? "nothing" : describeValue(baseMva)}`,
      { field: "baseMVA" },
    );
  }
  const busM = table(f, "bus", BUS_COLUMNS, true);
  const genM = table(f, "gen", GEN_COLUMNS, true);
  const branchM = table(f, "branch", BRANCH_COLUMNS, true);
  const bus = readBus(busM);
  const byId = new Map<number, number>();
  for (let i = 0; i < bus.count; i++) {
    const first = byId.get(bus.id[i]);
    if (first !== undefined) {
      throw new PlurigridError(
        "CASE_DUPLICATE_BUS",
        `bus number ${bus.id[i]} appears twice in mpc.bus, at rows ${first + 1} and ${i + 1}${lines(busM, first, i)}; bus numbers must be unique`,
        { bus: bus.id[i], rows: [first + 1, i + 1] },
      );
    }
    byId.set(bus.id[i], i);
  }
  const net: Network = {
    name,
    baseMva: baseMva.data[0],
    bus,
    gen: readGen(genM, byId),
    branch: readBranch(branchM, byId),
    genCost: [],
    genCostQ: [],
    switches: emptySwitches(),
    busNames: readBusNames(f.get("bus_name"), bus.count),
    extra: {
      bus: extraColumns(busM, BUS_COLUMNS),
      gen: extraColumns(genM, GEN_COLUMNS),
      branch: extraColumns(branchM, BRANCH_COLUMNS),
    },
  };
  const costM = table(f, "gencost", 4, false);
  if (costM !== undefined) readGenCosts(costM, net);
  return net;
}

function checkVersion(v: Value | undefined): void {
  const version =
    v === undefined
      ? undefined
      : v.kind === "text"
        ? v.text
        : v.kind === "matrix" && v.data.length === 1
          ? String(v.data[0])
          : "?";
  if (version === "2") return;
  throw new PlurigridError(
    "CASE_UNSUPPORTED_VERSION",
    version === undefined
      ? "the case sets no mpc.version, which MATPOWER reads as case format version 1; only version 2 is read (add mpc.version = '2' if the tables are in version 2 layout)"
      : `mpc.version is '${version}'; only MATPOWER case format version 2 is read (MATPOWER's savecase converts version 1 cases)`,
    { version: version ?? null },
  );
}

function lines(m: Matrix, ...rows: number[]): string {
  if (m.rowLines === undefined) return "";
  const ls = rows.map((r) => m.rowLines?.[r]);
  return ls.length === 1 ? ` (line ${ls[0]})` : ` (lines ${ls.join(" and ")})`;
}

function table(f: Map<string, Value>, name: TableName, minCols: number, required: true): Matrix;
function table(f: Map<string, Value>, name: TableName, minCols: number, required: false): Matrix | undefined;
function table(
  f: Map<string, Value>,
  name: TableName,
  minCols: number,
  required: boolean,
): Matrix | undefined {
  const v = f.get(name);
  if (v === undefined) {
    if (!required) return undefined;
    throw new PlurigridError("CASE_BAD_TABLE", `the case has no mpc.${name}; a MATPOWER case needs one`, {
      field: name,
    });
  }
  if (v.kind !== "matrix") {
    throw new PlurigridError("CASE_BAD_TABLE", `mpc.${name} must be a matrix, found ${describeValue(v)}`, {
      field: name,
    });
  }
  if (v.rows > 0 && v.cols < minCols) {
    throw new PlurigridError(
      "CASE_BAD_TABLE",
      `mpc.${name} has ${v.cols} columns; case format version 2 needs at least ${minCols}`,
      { field: name, columns: v.cols },
    );
  }
  return v;
}

/** A value that must be a whole number in [min, max] to fit its typed column without changing. */
function whole(
  m: Matrix,
  name: TableName,
  row: number,
  col: number,
  min: number,
  max: number,
  what: string,
): number {
  const x = m.data[row * m.cols + col];
  if (Number.isInteger(x) && x >= min && x <= max) return x;
  throw new PlurigridError(
    "CASE_BAD_VALUE",
    `mpc.${name} row ${row + 1}${lines(m, row)}, column ${col + 1}: ${what} must be a whole number from ${min} to ${max}, found ${x}`,
    { field: name, row: row + 1, column: col + 1, value: x },
  );
}

/** MATPOWER treats a status > 0 as in service and anything else as out (idx_gen.m, GEN_STATUS). */
function status(m: Matrix, name: TableName, row: number, col: number): number {
  const x = m.data[row * m.cols + col];
  if (Number.isNaN(x)) {
    throw new PlurigridError(
      "CASE_BAD_VALUE",
      `mpc.${name} row ${row + 1}${lines(m, row)}: the status is NaN`,
      {
        field: name,
        row: row + 1,
        column: col + 1,
      },
    );
  }
  return x > 0 ? 1 : 0;
}

function column(m: Matrix, col: number): Float64Array {
  const out = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) out[r] = m.data[r * m.cols + col];
  return out;
}

function extraColumns(m: Matrix, modelled: number): number[][] {
  if (m.cols <= modelled) return [];
  const out: number[][] = new Array(m.rows);
  for (let r = 0; r < m.rows; r++)
    out[r] = Array.from(m.data.subarray(r * m.cols + modelled, (r + 1) * m.cols));
  return out;
}

const INT32_MAX = 2 ** 31 - 1;

function readBus(m: Matrix): BusTable {
  const n = m.rows;
  const id = new Int32Array(n);
  const type = new Int8Array(n);
  const area = new Int32Array(n);
  const zone = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    id[r] = whole(m, "bus", r, 0, 1, INT32_MAX, "the bus number");
    type[r] = whole(m, "bus", r, 1, 1, 4, "the bus type");
    area[r] = whole(m, "bus", r, 6, -INT32_MAX, INT32_MAX, "the area");
    zone[r] = whole(m, "bus", r, 10, -INT32_MAX, INT32_MAX, "the zone");
  }
  return {
    count: n,
    id,
    type,
    pdMw: column(m, 2),
    qdMvar: column(m, 3),
    gsMw: column(m, 4),
    bsMvar: column(m, 5),
    area,
    vmPu: column(m, 7),
    vaDeg: column(m, 8),
    baseKv: column(m, 9),
    zone,
    vmMaxPu: column(m, 11),
    vmMinPu: column(m, 12),
  };
}

function busRef(
  m: Matrix,
  name: TableName,
  row: number,
  col: number,
  byId: Map<number, number>,
  end: string,
): number {
  const x = m.data[row * m.cols + col];
  const index = byId.get(x);
  if (index !== undefined) return index;
  throw new PlurigridError(
    "CASE_BAD_BUS",
    `mpc.${name} row ${row + 1}${lines(m, row)}: ${end} bus ${x} is not in mpc.bus`,
    { field: name, row: row + 1, column: col + 1, bus: x },
  );
}

function readGen(m: Matrix, byId: Map<number, number>): GenTable {
  const n = m.rows;
  const bus = new Int32Array(n);
  const st = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    bus[r] = busRef(m, "gen", r, 0, byId, "the generator's");
    st[r] = status(m, "gen", r, 7);
  }
  return {
    count: n,
    bus,
    pgMw: column(m, 1),
    qgMvar: column(m, 2),
    qgMaxMvar: column(m, 3),
    qgMinMvar: column(m, 4),
    vgPu: column(m, 5),
    mBaseMva: column(m, 6),
    status: st,
    pgMaxMw: column(m, 8),
    pgMinMw: column(m, 9),
  };
}

function readBranch(m: Matrix, byId: Map<number, number>): BranchTable {
  const n = m.rows;
  const from = new Int32Array(n);
  const to = new Int32Array(n);
  const st = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    from[r] = busRef(m, "branch", r, 0, byId, "the from");
    to[r] = busRef(m, "branch", r, 1, byId, "the to");
    st[r] = status(m, "branch", r, 10);
  }
  return {
    count: n,
    from,
    to,
    rPu: column(m, 2),
    xPu: column(m, 3),
    bPu: column(m, 4),
    rateAMva: column(m, 5),
    rateBMva: column(m, 6),
    rateCMva: column(m, 7),
    tap: column(m, 8),
    shiftDeg: column(m, 9),
    status: st,
    angMinDeg: column(m, 11),
    angMaxDeg: column(m, 12),
  };
}

/** gencost rows: ngen of active power costs, or 2 × ngen with the reactive power costs after them. */
function readGenCosts(m: Matrix, net: Network): void {
  const ngen = net.gen.count;
  if (m.rows !== ngen && m.rows !== 2 * ngen) {
    throw new PlurigridError(
      "CASE_BAD_TABLE",
      `mpc.gencost has ${m.rows} rows; expected one per generator (${ngen}) or two per generator (${2 * ngen})`,
      { field: "gencost", rows: m.rows, ngen },
    );
  }
  const costs: GenCost[] = [];
  for (let r = 0; r < m.rows; r++) {
    const model = whole(m, "gencost", r, 0, 1, 2, "the cost model (1 piecewise linear, 2 polynomial)") as
      | 1
      | 2;
    const ncost = whole(m, "gencost", r, 3, 0, INT32_MAX, "NCOST");
    const width = model === 1 ? 2 * ncost : ncost;
    if (4 + width > m.cols) {
      throw new PlurigridError(
        "CASE_BAD_VALUE",
        `mpc.gencost row ${r + 1}${lines(m, r)}: NCOST ${ncost} needs ${width} values after column 4, but the matrix has ${m.cols - 4}`,
        { field: "gencost", row: r + 1, column: 4, value: ncost },
      );
    }
    const base = r * m.cols;
    costs.push({
      model,
      startupCost: m.data[base + 1],
      shutdownCost: m.data[base + 2],
      coeffs: Array.from(m.data.subarray(base + 4, base + 4 + width)),
    });
  }
  net.genCost = costs.slice(0, ngen);
  net.genCostQ = m.rows === 2 * ngen && ngen > 0 ? costs.slice(ngen) : [];
}

function readBusNames(v: Value | undefined, nbus: number): string[] {
  if (v === undefined) return [];
  if (v.kind !== "cell" || (v.rows > 1 && v.cols > 1)) {
    throw new PlurigridError(
      "CASE_BAD_TABLE",
      `mpc.bus_name must be a column of text, found ${describeValue(v)}`,
      {
        field: "bus_name",
      },
    );
  }
  if (v.items.length !== nbus) {
    throw new PlurigridError(
      "CASE_BAD_TABLE",
      `mpc.bus_name has ${v.items.length} names for ${nbus} buses; expected one name per bus`,
      { field: "bus_name", names: v.items.length, nbus },
    );
  }
  return v.items.map((item, i) => {
    if (typeof item === "string") return item;
    throw new PlurigridError("CASE_BAD_VALUE", `mpc.bus_name entry ${i + 1} is a number, expected text`, {
      field: "bus_name",
      row: i + 1,
    });
  });
}
