import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isAccountId, readKeyFile } from "../core/keys.js";
import { runBinary, runCli } from "../test-support/cli.js";
import { describeData } from "../test-support/data.js";
import { packageVersion } from "./version.js";

describe("plurigrid command line", () => {
  it("--help names every command with a one-line description", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const cmd of ["demo", "pf", "opf", "keygen"]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${cmd} .*\\S`, "m"));
    }
  });

  it("--version prints the package version", async () => {
    const r = await runCli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(packageVersion());
    expect(packageVersion()).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
  });

  it("usage errors exit 2: no command, unknown command, unknown option, missing argument, bad --format", async () => {
    expect((await runCli([])).code).toBe(2);
    expect((await runCli(["frobnicate"])).code).toBe(2);
    expect((await runCli(["pf", "case9", "--bogus"])).code).toBe(2);
    expect((await runCli(["pf"])).code).toBe(2);
    expect((await runCli(["keygen"])).code).toBe(2);
    const bad = await runCli(["pf", "case9", "--format", "xml"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("text, json");
  });

  it("keygen writes a 0600 key file and prints the account id it holds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "plurigrid-keygen-"));
    const out = join(dir, "k.json");
    const r = await runCli(["keygen", "--out", out, "--format", "json"]);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout) as { account: string; publicKey: string };
    expect(isAccountId(printed.account)).toBe(true);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const key = readKeyFile(out);
    expect(Buffer.from(key.publicKey).toString("hex")).toBe(printed.publicKey);
    // Never overwrite a key: the second call is a user error with a code, and the file is unchanged.
    const again = await runCli(["keygen", "--out", out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error KEY_FILE_EXISTS: /);
    expect(Buffer.from(readKeyFile(out).secretKey).equals(Buffer.from(key.secretKey))).toBe(true);
  });

  it("user errors exit 1 with the code and message, and no stack trace unless --debug", async () => {
    const r = await runCli(["pf", "/nonexistent/case.m"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error CASE_NOT_FOUND: .*\/nonexistent\/case\.m/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const debug = await runCli(["pf", "/nonexistent/case.m", "--debug"]);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});

describeData("plurigrid pf and opf on reference cases", () => {
  it("pf --format json has the stable fields, in the file's order", async () => {
    const r = await runCli(["pf", "case9", "--format", "json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j).sort()).toEqual(
      [
        "branches",
        "buses",
        "case",
        "converged",
        "generators",
        "iterations",
        "lossesMw",
        "mismatch",
        "timeMs",
      ].sort(),
    );
    expect(j.case).toBe("case9");
    expect(j.converged).toBe(true);
    expect(j.buses.map((b: { id: number }) => b.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Object.keys(j.buses[0]).sort()).toEqual(["id", "vaDeg", "vm"]);
    expect(Object.keys(j.generators[0]).sort()).toEqual(["bus", "pg", "qg"]);
    expect(Object.keys(j.branches[0]).sort()).toEqual(["from", "pf", "pt", "qf", "qt", "to"]);
    expect(j.branches.length).toBe(9);
  });

  it("pf --dc reports vm 1 and zero reactive flows", async () => {
    const j = JSON.parse((await runCli(["pf", "case9", "--dc", "--format", "json"])).stdout);
    expect(j.buses.every((b: { vm: number }) => b.vm === 1)).toBe(true);
    expect(j.branches.every((b: { qf: number; qt: number }) => b.qf === 0 && b.qt === 0)).toBe(true);
  });

  it("opf --dc --format json has the stable fields", async () => {
    const r = await runCli(["opf", "case9", "--dc", "--format", "json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j).sort()).toEqual([
      "branches",
      "buses",
      "case",
      "generators",
      "objective",
      "status",
      "timeMs",
    ]);
    expect(j.status).toBe("optimal");
    expect(Object.keys(j.buses[0]).sort()).toEqual(["id", "lmp"]);
    expect(Object.keys(j.branches[0]).sort()).toEqual(["from", "muSf", "muSt", "pf", "to"]);
  });

  it("a malformed case file is a user error naming line and column", async () => {
    const dir = mkdtempSync(join(tmpdir(), "plurigrid-case-"));
    const path = join(dir, "bad.m");
    await import("node:fs").then((fs) =>
      fs.writeFileSync(path, "function mpc = bad\nmpc.version = '2';\nmpc.baseMVA = 100 @;\n"),
    );
    const r = await runCli(["pf", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error CASE_PARSE: .*line 3/);
  });
});

describe("the installed binary (bin/plurigrid.js over dist/, built by npm test)", () => {
  it("exits 0, 1 and 2 as documented", () => {
    const version = runBinary(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(packageVersion());
    const user = runBinary(["pf", "/nonexistent/case.m"]);
    expect(user.code).toBe(1);
    expect(user.stderr).toMatch(/^error CASE_NOT_FOUND: /);
    expect(runBinary(["no-such-command"]).code).toBe(2);
  });
});
