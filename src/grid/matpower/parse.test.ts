import { describe, expect, it } from "vitest";
import { PlurigridError } from "../../core/errors.js";
import { parseMatpower } from "./parse.js";

const BUS_ROWS = [
  "1 3 0 0 0 0 1 1.06 0 135 1 1.1 0.9;",
  "2 2 21.7 12.7 0 0 1 1.045 -4.98 135 1 1.1 0.9;",
  "3 1 94.2 19 0 19 1 1.01 -12.72 135 1 1.1 0.9;",
];
const GEN_ROWS = ["1 232.4 -16.9 10 0 1.06 100 1 332.4 0;", "2 40 42.4 50 -40 1.045 100 1 140 0;"];
const BRANCH_ROWS = [
  "1 2 0.01938 0.05917 0.0528 0 0 0 0 0 1 -360 360;",
  "2 3 0.04699 0.19797 0.0438 0 0 0 0.978 0 1 -360 360;",
];

/** A three-bus case with its tables in the given text; each part is one block of lines. */
function caseText(
  parts: { bus?: string; gen?: string; branch?: string; more?: string; version?: string } = {},
): string {
  return [
    "function mpc = tiny",
    `mpc.version = ${parts.version ?? "'2'"};`,
    "mpc.baseMVA = 100;",
    parts.bus ?? `mpc.bus = [\n${BUS_ROWS.join("\n")}\n];`,
    parts.gen ?? `mpc.gen = [\n${GEN_ROWS.join("\n")}\n];`,
    parts.branch ?? `mpc.branch = [\n${BRANCH_ROWS.join("\n")}\n];`,
    parts.more ?? "",
  ].join("\n");
}

function errorOf(f: () => unknown): PlurigridError {
  try {
    f();
  } catch (e) {
    if (e instanceof PlurigridError) return e;
    throw e;
  }
  throw new Error("expected a PlurigridError, but nothing was thrown");
}

/** Line and column (1-based) of the first occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string): { line: number; column: number } {
  const at = text.indexOf(needle);
  expect(at).toBeGreaterThanOrEqual(0);
  const before = text.slice(0, at).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

describe("parseMatpower: the tables", () => {
  it("reads a plain case into named columns with buses referred to by index", () => {
    const net = parseMatpower(caseText());
    expect(net.name).toBe("tiny");
    expect(net.baseMva).toBe(100);
    expect(net.bus.count).toBe(3);
    expect(Array.from(net.bus.id)).toEqual([1, 2, 3]);
    expect(Array.from(net.bus.type)).toEqual([3, 2, 1]);
    expect(net.bus.pdMw[1]).toBe(21.7);
    expect(net.bus.bsMvar[2]).toBe(19);
    expect(net.bus.vaDeg[2]).toBe(-12.72);
    expect(net.gen.count).toBe(2);
    expect(Array.from(net.gen.bus)).toEqual([0, 1]);
    expect(net.gen.qgMinMvar[1]).toBe(-40);
    expect(net.gen.pgMaxMw[0]).toBe(332.4);
    expect(Array.from(net.branch.from)).toEqual([0, 1]);
    expect(Array.from(net.branch.to)).toEqual([1, 2]);
    expect(net.branch.tap[1]).toBe(0.978);
    expect(net.branch.angMinDeg[0]).toBe(-360);
    expect(net.genCost).toEqual([]);
    expect(net.busNames).toEqual([]);
    expect(net.extra).toEqual({ bus: [], gen: [], branch: [] });
    expect(net.switches.count).toBe(0);
  });

  it("takes the name argument over the function line, and 'case' without either", () => {
    expect(parseMatpower(caseText(), "other").name).toBe("other");
    expect(parseMatpower(caseText().replace("function mpc = tiny\n", "")).name).toBe("case");
  });

  it("keeps columns beyond the modelled ones per row in extra", () => {
    const bus = `mpc.bus = [\n${BUS_ROWS.map((r, i) => r.replace(";", ` ${i} -0 Inf;`)).join("\n")}\n];`;
    const gen = `mpc.gen = [\n${GEN_ROWS.map((r) => r.replace(";", " 7;")).join("\n")}\n];`;
    const net = parseMatpower(caseText({ bus, gen }));
    expect(net.extra.bus).toEqual([
      [0, -0, Number.POSITIVE_INFINITY],
      [1, -0, Number.POSITIVE_INFINITY],
      [2, -0, Number.POSITIVE_INFINITY],
    ]);
    expect(Object.is(net.extra.bus[0][1], -0)).toBe(true);
    expect(net.extra.gen).toEqual([[7], [7]]);
    expect(net.extra.branch).toEqual([]);
  });

  it("reads polynomial and piecewise linear costs, and reactive costs in the second half", () => {
    const more = [
      "mpc.gencost = [",
      "2 1500 0 3 0.11 5 150 0;",
      "1 10 20 2 0 0 100 4000;",
      "2 0 0 2 1 0 0 0;",
      "2 0 0 1 7 0 0 0;",
      "];",
    ].join("\n");
    const net = parseMatpower(caseText({ more }));
    expect(net.genCost).toEqual([
      { model: 2, startupCost: 1500, shutdownCost: 0, coeffs: [0.11, 5, 150] },
      { model: 1, startupCost: 10, shutdownCost: 20, coeffs: [0, 0, 100, 4000] },
    ]);
    expect(net.genCostQ).toEqual([
      { model: 2, startupCost: 0, shutdownCost: 0, coeffs: [1, 0] },
      { model: 2, startupCost: 0, shutdownCost: 0, coeffs: [7] },
    ]);
  });

  it("reads bus names quoted with ' or \", with doubled quotes inside", () => {
    const more = `mpc.bus_name = {\n\t'Bus 1     HV';\n\t"O""Hare";\n\t'Rock''s %not a comment';\n};`;
    expect(parseMatpower(caseText({ more })).busNames).toEqual([
      "Bus 1     HV",
      'O"Hare',
      "Rock's %not a comment",
    ]);
    // A row cell array is as good as a column.
    expect(parseMatpower(caseText({ more: "mpc.bus_name = {'a', 'b' 'c'};" })).busNames).toEqual([
      "a",
      "b",
      "c",
    ]);
  });

  it("skips fields it does not model, whatever their shape", () => {
    const more = [
      "mpc.areas = [1 1; 2 3];",
      "mpc.bus_geo = [",
      "  -97.1 31.2",
      "  -97.3 31.0",
      "  -97.5 30.9",
      "];",
      "mpc.gentype = {'ST'; 'CT'};",
      "mpc.genfuel = {",
      "\t'coal';",
      "\t'ng';",
      "};",
      "mpc.dcline = [1 2 1 0 0 0 0 1 1 -100 100 -Inf Inf -Inf Inf 0 0];",
      "mpc.comment = 'any text';",
      "mpc.empty = [];",
    ].join("\n");
    const plain = parseMatpower(caseText());
    expect(parseMatpower(caseText({ more }))).toEqual(plain);
  });
});

describe("parseMatpower: MATLAB syntax of case files", () => {
  it("ignores % comments, whole-line, trailing a row, and %{ %} blocks", () => {
    const bus = [
      "%% bus data",
      "%\tbus_i\ttype",
      "mpc.bus = [ %% (a comment after the bracket)",
      `${BUS_ROWS[0]} % slack`,
      "%{",
      "9 9 9 this is not parsed;",
      "%}",
      `${BUS_ROWS[1]}%no space before the comment`,
      BUS_ROWS[2],
      "]; % done",
    ].join("\n");
    expect(parseMatpower(caseText({ bus }))).toEqual(parseMatpower(caseText()));
  });

  it("joins a row continued with ... (and a comment after the dots)", () => {
    const bus = `mpc.bus = [\n${BUS_ROWS[0]}\n2 2 21.7 12.7 0 ... Pd, Qd, Gs\n   0 1 1.045 -4.98 ...\n135 1 1.1 0.9;\n${BUS_ROWS[2]}\n];`;
    expect(parseMatpower(caseText({ bus }))).toEqual(parseMatpower(caseText()));
  });

  it("reads scientific notation, leading and trailing dots, Inf, -Inf, inf and NaN", () => {
    const bus = `mpc.bus = [\n1 3 1e-3 1.5E+02 .5 5. 1 1 0 135 1 Inf -Inf;\n2 1 2.5e2 -1E-2 -.25 inf 1 NaN 0 1d2 1 1.1 0.9;\n];`;
    const net = parseMatpower(caseText({ bus, gen: "mpc.gen = [];", branch: "mpc.branch = [];" }));
    expect(Array.from(net.bus.pdMw)).toEqual([0.001, 250]);
    expect(Array.from(net.bus.qdMvar)).toEqual([150, -0.01]);
    expect(Array.from(net.bus.gsMw)).toEqual([0.5, -0.25]);
    expect(Array.from(net.bus.bsMvar)).toEqual([5, Number.POSITIVE_INFINITY]);
    expect(net.bus.vmMaxPu[0]).toBe(Number.POSITIVE_INFINITY);
    expect(net.bus.vmMinPu[0]).toBe(Number.NEGATIVE_INFINITY);
    expect(net.bus.vmPu[1]).toBeNaN();
    expect(net.bus.baseKv[1]).toBe(100);
  });

  it("treats ';' and line breaks alike as row ends, and ',' like whitespace between values", () => {
    const oneLine = `mpc.bus = [${BUS_ROWS.join(" ")}];`;
    const noSemicolons = `mpc.bus = [\n${BUS_ROWS.map((r) => r.replace(";", "")).join("\n")}\n]`;
    const commas = `mpc.bus = [\n${BUS_ROWS.map((r) => r.replaceAll(" ", ", ")).join("\n")}\n];`;
    const semicolonAndBlank = `mpc.bus = [\n\n${BUS_ROWS.join("\n\n")};\n\n];`;
    const plain = parseMatpower(caseText());
    for (const bus of [oneLine, noSemicolons, commas, semicolonAndBlank]) {
      expect(parseMatpower(caseText({ bus }))).toEqual(plain);
    }
  });

  it("reads a sign after whitespace as the sign of the next value", () => {
    const bus = `mpc.bus = [\n1 3 0 0 0 0 1 1 -12.5 135 1 +1.1 -0.9;\n];`;
    const net = parseMatpower(caseText({ bus, gen: "mpc.gen = [];", branch: "mpc.branch = [];" }));
    expect(net.bus.vaDeg[0]).toBe(-12.5);
    expect(net.bus.vmMaxPu[0]).toBe(1.1);
    expect(net.bus.vmMinPu[0]).toBe(-0.9);
  });

  it("accepts Windows line ends, a byte order mark, no final line break and a trailing 'end'", () => {
    const text = `\uFEFF${caseText().replaceAll("\n", "\r\n")}\r\nend`;
    expect(parseMatpower(text)).toEqual(parseMatpower(caseText()));
  });

  it("evaluates the unit conversions MATPOWER's feeder cases append (ohms to p.u., kW to MW)", () => {
    const more = [
      "[PQ, PV, REF, NONE, BUS_I, BUS_TYPE, PD, QD, GS, BS, BUS_AREA, VM, ...",
      "    VA, BASE_KV, ZONE, VMAX, VMIN, LAM_P, LAM_Q, MU_VMAX, MU_VMIN] = idx_bus;",
      "[F_BUS, T_BUS, BR_R, BR_X, BR_B, RATE_A, RATE_B, RATE_C, ...",
      "    TAP, SHIFT, BR_STATUS, PF, QF, PT, QT, MU_SF, MU_ST, ...",
      "    ANGMIN, ANGMAX, MU_ANGMIN, MU_ANGMAX] = idx_brch;",
      "Vbase = mpc.bus(1, BASE_KV) * 1e3;      %% in Volts",
      "Sbase = mpc.baseMVA * 1e6;              %% in VA",
      "mpc.branch(:, [BR_R BR_X]) = mpc.branch(:, [BR_R BR_X]) / (Vbase^2 / Sbase);",
      "mpc.bus(:, [PD, QD]) = mpc.bus(:, [PD, QD]) / 1e3;",
      "pf = 0.85;",
      "mpc.bus(2, QD) = mpc.bus(2, PD) * sin(acos(pf));",
      "mpc.branch(2, ANGMAX) = -2^2 + 3 * (1 - 2);",
    ].join("\n");
    const net = parseMatpower(caseText({ more }));
    const zBaseOhm = (135e3 * 135e3) / 100e6; // Vbase² / Sbase
    expect(net.branch.rPu[0]).toBe(0.01938 / zBaseOhm);
    expect(net.branch.xPu[1]).toBe(0.19797 / zBaseOhm);
    expect(net.branch.bPu[0]).toBe(0.0528);
    expect(net.bus.pdMw[2]).toBe(0.0942);
    expect(net.bus.qdMvar[2]).toBe(0.019);
    expect(net.bus.qdMvar[1]).toBeCloseTo(0.0217 * Math.sqrt(1 - 0.85 ** 2), 15);
    expect(net.branch.angMaxDeg[1]).toBe(-7);
  });
});

describe("parseMatpower: errors", () => {
  it("reports a stray character at its line and column", () => {
    const lines = caseText().split("\n");
    expect(lines[6]).toBe(BUS_ROWS[2]);
    lines[6] = "3 1 94.2 19@0 19 1 1.01 -12.72 135 1 1.1 0.9;";
    const e = errorOf(() => parseMatpower(lines.join("\n")));
    expect(e.code).toBe("CASE_PARSE");
    expect(e.details).toEqual({ line: 7, column: 12 });
    expect(e.message).toMatch(/^line 7, column 12: unexpected character '@'; expected /);
  });

  it("reports a row with a different number of values at the start of that row", () => {
    const bus = `mpc.bus = [\n${BUS_ROWS[0]}\n  ${BUS_ROWS[1].replace(" 0.9;", ";")}\n];`;
    const text = caseText({ bus });
    const e = errorOf(() => parseMatpower(text));
    expect(e.code).toBe("CASE_PARSE");
    expect(e.details).toEqual(positionOf(text, "2 2 21.7"));
    expect(e.message).toContain("has 12 values, but the rows above have 13");
  });

  it("names what was expected for broken syntax", () => {
    // [statement, text at the reported position, offset from it, message]
    const cases: [string, string, number, RegExp][] = [
      ["mpc.x = [1 - 2];", "- 2", 0, /arithmetic inside \[ \]/],
      ["mpc.x = [1 2];;  mpc.y = 1e+;", "1e+", 3, /expected the digits of an exponent/],
      ["mpc.x = 12abc;", "12abc", 2, /expected a separator after the number/],
      ["mpc.x = zeros(3, 13);", "zeros", 0, /unknown name 'zeros'/],
      ["mpc.x = [1 2] [3];", "[3]", 0, /expected ';' or the end of the line, found '\['/],
      ["mpc.x = 'unterminated;", "'unterminated", 0, /expected ' to close this text/],
      ["mpc.x = [1 'a'];", "'a'", 0, /text inside \[ \] is not supported/],
      ["x == 2;", "==", 0, /unexpected character '=='/],
      ["mpc.x = {'a' 'b'; 'c'};", "'c'", 0, /this row of the cell array has 1 values/],
      ["mpc.bus(1, 20) = 5;", "(1, 20)", 0, /index 20 is beyond the 13 columns/],
      ["mpc.x = [1, , 2];", ", 2", 0, /expected a value before ','/],
      ["mpc.x.y = 1;", ".y", 0, /expected '=' or '\(' after 'mpc.x', found '.'/],
    ];
    for (const [more, at, offset, message] of cases) {
      const text = caseText({ more });
      const e = errorOf(() => parseMatpower(text));
      expect(e.code, more).toBe("CASE_PARSE");
      expect(e.message, more).toMatch(message);
      const where = positionOf(text, at);
      expect(e.details, more).toEqual({ line: where.line, column: where.column + offset });
      expect(e.message, more).toMatch(new RegExp(`^line ${where.line}, column ${where.column + offset}: `));
    }
  });

  it("reports an unclosed bracket where the file ends, naming where it opened", () => {
    const text = caseText({ more: "mpc.areas = [1 2; 3 4" });
    const e = errorOf(() => parseMatpower(text));
    const open = positionOf(text, "[1 2; 3 4");
    const lines = text.split("\n");
    expect(e.code).toBe("CASE_PARSE");
    expect(e.details).toEqual({ line: lines.length, column: lines[lines.length - 1].length + 1 });
    expect(e.message).toContain(
      `expected ']' to close the '[' opened on line ${open.line}, column ${open.column}`,
    );
  });

  it("refuses case format version 1, in either spelling, and a case without a version", () => {
    expect(errorOf(() => parseMatpower(caseText({ version: "'1'" }))).code).toBe("CASE_UNSUPPORTED_VERSION");
    const v1 = "function [baseMVA, bus, gen, branch, areas, gencost] = case9\nbaseMVA = 100;\n";
    const e = errorOf(() => parseMatpower(v1));
    expect(e.code).toBe("CASE_UNSUPPORTED_VERSION");
    expect(e.message).toContain("version 1");
    const none = caseText().replace("mpc.version = '2';\n", "");
    expect(errorOf(() => parseMatpower(none)).code).toBe("CASE_UNSUPPORTED_VERSION");
  });

  it("names the generator or branch row that refers to a missing bus", () => {
    const gen = `mpc.gen = [\n${GEN_ROWS[0]}\n${GEN_ROWS[1].replace(/^2 /, "99 ")}\n];`;
    const text = caseText({ gen });
    const e = errorOf(() => parseMatpower(text));
    expect(e.code).toBe("CASE_BAD_BUS");
    expect(e.message).toContain(`mpc.gen row 2 (line ${positionOf(text, "99 40").line})`);
    expect(e.details).toMatchObject({ field: "gen", row: 2, bus: 99 });
    const branch = `mpc.branch = [\n${BRANCH_ROWS[0].replace(/^1 2/, "1 7")}\n];`;
    const b = errorOf(() => parseMatpower(caseText({ branch })));
    expect(b.code).toBe("CASE_BAD_BUS");
    expect(b.details).toMatchObject({ field: "branch", row: 1, bus: 7, column: 2 });
  });

  it("refuses a bus number used twice", () => {
    const bus = `mpc.bus = [\n${BUS_ROWS[0]}\n${BUS_ROWS[1]}\n${BUS_ROWS[2].replace(/^3 /, "2 ")}\n];`;
    const e = errorOf(() => parseMatpower(caseText({ bus })));
    expect(e.code).toBe("CASE_DUPLICATE_BUS");
    expect(e.details).toEqual({ bus: 2, rows: [2, 3] });
  });

  it("refuses tables of the wrong shape and values the model cannot hold", () => {
    const narrow = `mpc.branch = [\n1 2 0.01 0.05 0 0 0 0 0 0 1;\n];`;
    expect(errorOf(() => parseMatpower(caseText({ branch: narrow }))).code).toBe("CASE_BAD_TABLE");
    expect(errorOf(() => parseMatpower(caseText({ gen: "" }))).code).toBe("CASE_BAD_TABLE");
    const costs = "mpc.gencost = [2 0 0 2 1 0; 2 0 0 2 1 0; 2 0 0 2 1 0];";
    expect(errorOf(() => parseMatpower(caseText({ more: costs }))).code).toBe("CASE_BAD_TABLE");
    const names = "mpc.bus_name = {'a'; 'b'};";
    expect(errorOf(() => parseMatpower(caseText({ more: names }))).code).toBe("CASE_BAD_TABLE");
    const badType = `mpc.bus = [\n${BUS_ROWS[0].replace(/^1 3/, "1 7")}\n${BUS_ROWS[1]}\n${BUS_ROWS[2]}\n];`;
    const e = errorOf(() => parseMatpower(caseText({ bus: badType })));
    expect(e.code).toBe("CASE_BAD_VALUE");
    expect(e.details).toMatchObject({ field: "bus", row: 1, column: 2, value: 7 });
    const badId = `mpc.bus = [\n${BUS_ROWS[0].replace(/^1 /, "1.5 ")}\n];`;
    expect(errorOf(() => parseMatpower(caseText({ bus: badId }))).code).toBe("CASE_BAD_VALUE");
    const shortCost = "mpc.gencost = [1 0 0 3 0 0 10 100; 2 0 0 1 5 0 0 0];";
    expect(errorOf(() => parseMatpower(caseText({ more: shortCost }))).code).toBe("CASE_BAD_VALUE");
  });
});
