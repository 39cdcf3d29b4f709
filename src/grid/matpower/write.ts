import { PlurigridError } from "../../core/errors.js";
import type { GenCost, Network } from "../model.js";

/**
 * Writes a network as a MATPOWER case file, format version 2, with every table the network holds: bus, gen
 * and branch with their extra columns, gencost (active then reactive costs) and bus_name. Numbers are
 * written in JavaScript's shortest round-trip form, so reading the file back gives the same doubles.
 * Switches have no place in a MATPOWER case and are not written.
 */
export function writeMatpower(net: Network): string {
  checkShape(net);
  const fn = functionName(net.name);
  const out: string[] = [
    `function mpc = ${fn}`,
    `%${fn.toUpperCase()}  MATPOWER case format version 2, written by Plurigrid.`,
    "",
    "%% MATPOWER Case Format : Version 2",
    "mpc.version = '2';",
    "",
    "%%-----  Power Flow Data  -----%%",
    "%% system MVA base",
    `mpc.baseMVA = ${num(net.baseMva)};`,
    "",
    "%% bus data",
    "%\tbus_i\ttype\tPd\tQd\tGs\tBs\tarea\tVm\tVa\tbaseKV\tzone\tVmax\tVmin",
    "mpc.bus = [",
  ];
  const b = net.bus;
  for (let i = 0; i < b.count; i++) {
    const row = [
      b.id[i],
      b.type[i],
      b.pdMw[i],
      b.qdMvar[i],
      b.gsMw[i],
      b.bsMvar[i],
      b.area[i],
      b.vmPu[i],
      b.vaDeg[i],
    ];
    row.push(b.baseKv[i], b.zone[i], b.vmMaxPu[i], b.vmMinPu[i]);
    out.push(line(row, net.extra.bus[i]));
  }
  out.push(
    "];",
    "",
    "%% generator data",
    "%\tbus\tPg\tQg\tQmax\tQmin\tVg\tmBase\tstatus\tPmax\tPmin",
    "mpc.gen = [",
  );
  const g = net.gen;
  for (let i = 0; i < g.count; i++) {
    const row = [
      b.id[g.bus[i]],
      g.pgMw[i],
      g.qgMvar[i],
      g.qgMaxMvar[i],
      g.qgMinMvar[i],
      g.vgPu[i],
      g.mBaseMva[i],
    ];
    row.push(g.status[i], g.pgMaxMw[i], g.pgMinMw[i]);
    out.push(line(row, net.extra.gen[i]));
  }
  out.push(
    "];",
    "",
    "%% branch data",
    "%\tfbus\ttbus\tr\tx\tb\trateA\trateB\trateC\tratio\tangle\tstatus\tangmin\tangmax",
  );
  out.push("mpc.branch = [");
  const r = net.branch;
  for (let i = 0; i < r.count; i++) {
    const row = [b.id[r.from[i]], b.id[r.to[i]], r.rPu[i], r.xPu[i], r.bPu[i], r.rateAMva[i], r.rateBMva[i]];
    row.push(r.rateCMva[i], r.tap[i], r.shiftDeg[i], r.status[i], r.angMinDeg[i], r.angMaxDeg[i]);
    out.push(line(row, net.extra.branch[i]));
  }
  out.push("];");
  const costs = [...net.genCost, ...net.genCostQ];
  if (costs.length > 0) {
    out.push("", "%%-----  OPF Data  -----%%", "%% generator cost data");
    out.push(
      "%\t1\tstartup\tshutdown\tn\tx1\ty1\t...\txn\tyn",
      "%\t2\tstartup\tshutdown\tn\tc(n-1)\t...\tc0",
    );
    out.push("mpc.gencost = [");
    // MATPOWER pads shorter cost rows with zeros to the width of the longest one.
    const width = costs.reduce((w, c) => Math.max(w, c.coeffs.length), 0);
    for (const c of costs) {
      const row = [c.model, c.startupCost, c.shutdownCost, ncost(c), ...c.coeffs];
      while (row.length < 4 + width) row.push(0);
      out.push(line(row, undefined));
    }
    out.push("];");
  }
  if (net.busNames.length > 0) {
    out.push("", "%% bus names", "mpc.bus_name = {");
    for (const name of net.busNames) out.push(`\t'${name.replaceAll("'", "''")}';`);
    out.push("};");
  }
  out.push("");
  return out.join("\n");
}

/** Shortest text that reads back as the same double; MATLAB spells infinities `Inf` and keeps `-0`. */
function num(x: number): string {
  if (x === Number.POSITIVE_INFINITY) return "Inf";
  if (x === Number.NEGATIVE_INFINITY) return "-Inf";
  if (Number.isNaN(x)) return "NaN";
  if (Object.is(x, -0)) return "-0";
  return String(x);
}

function line(values: ArrayLike<number>, extra: readonly number[] | undefined): string {
  let s = "";
  for (let i = 0; i < values.length; i++) s += `\t${num(values[i])}`;
  if (extra !== undefined) for (let i = 0; i < extra.length; i++) s += `\t${num(extra[i])}`;
  return `${s};`;
}

function ncost(c: GenCost): number {
  return c.model === 1 ? c.coeffs.length / 2 : c.coeffs.length;
}

/** A MATLAB function name: a letter, then letters, digits and underscores (at most 63, namelengthmax). */
function functionName(name: string): string {
  if (/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(name)) return name;
  const cleaned = name.replace(/[^A-Za-z0-9_]/g, "_");
  return (/^[A-Za-z]/.test(cleaned) ? cleaned : `case_${cleaned}`).slice(0, 63);
}

function fail(message: string, details: Record<string, unknown>): never {
  throw new PlurigridError("CASE_WRITE", `cannot write the network as a MATPOWER case: ${message}`, details);
}

/** The writer refuses a network its own reader would read back differently. */
function checkShape(net: Network): void {
  const tables = [
    ["bus", net.bus],
    ["gen", net.gen],
    ["branch", net.branch],
  ] as const;
  for (const [name, t] of tables) {
    for (const [key, value] of Object.entries(t)) {
      if (key !== "count" && (value as ArrayLike<number>).length !== t.count) {
        fail(`${name}.${key} has ${(value as ArrayLike<number>).length} entries for ${t.count} rows`, {
          table: name,
          column: key,
        });
      }
    }
    const extra = net.extra[name];
    if (extra.length !== 0 && extra.length !== t.count) {
      fail(`extra.${name} has ${extra.length} rows for ${t.count}`, { table: name });
    }
    if (extra.length > 0 && (extra[0].length === 0 || extra.some((row) => row.length !== extra[0].length))) {
      fail(`the rows of extra.${name} must all hold the same, non-zero number of values`, { table: name });
    }
  }
  const ids = new Set<number>();
  for (let i = 0; i < net.bus.count; i++) {
    const id = net.bus.id[i];
    if (id < 1 || ids.has(id))
      fail(`bus number ${id} at row ${i + 1} is not positive or not unique`, { row: i + 1 });
    ids.add(id);
    if (net.bus.type[i] < 1 || net.bus.type[i] > 4)
      fail(`bus row ${i + 1} has type ${net.bus.type[i]}`, { row: i + 1 });
  }
  const refs = [
    ["gen bus", net.gen.bus],
    ["branch from", net.branch.from],
    ["branch to", net.branch.to],
  ] as const;
  for (const [name, column] of refs) {
    for (let i = 0; i < column.length; i++) {
      const k = column[i];
      if (!(k >= 0 && k < net.bus.count))
        fail(`the ${name} index ${k} at row ${i + 1} is outside the bus table`, { row: i + 1 });
    }
  }
  for (const [name, column] of [
    ["gen", net.gen.status],
    ["branch", net.branch.status],
  ] as const) {
    if (column.some((s) => s > 1)) fail(`a ${name} status is not 0 or 1`, { table: name });
  }
  const ngen = net.gen.count;
  if (net.genCost.length !== 0 && net.genCost.length !== ngen)
    fail(`genCost has ${net.genCost.length} entries for ${ngen} generators`, {});
  if (net.genCostQ.length !== 0 && (net.genCostQ.length !== ngen || net.genCost.length !== ngen)) {
    fail(`genCostQ needs genCost and one entry per generator (${ngen}), found ${net.genCostQ.length}`, {});
  }
  for (const c of [...net.genCost, ...net.genCostQ]) {
    if (c.model === 1 && c.coeffs.length % 2 !== 0)
      fail("a piecewise linear cost has an odd number of values", {});
  }
  if (net.busNames.length !== 0 && net.busNames.length !== net.bus.count) {
    fail(`busNames has ${net.busNames.length} names for ${net.bus.count} buses`, {});
  }
  if (net.busNames.some((s) => /[\r\n]/.test(s)))
    fail("a bus name contains a line break, which MATLAB text cannot hold", {});
}
