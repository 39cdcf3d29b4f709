import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountIdOf } from "../core/keys.js";
import { runCli } from "../test-support/cli.js";
import { describeData } from "../test-support/data.js";
import { type RunningServer, startServer } from "./api/server.js";
import { dbPathOf } from "./init.js";
import { Node } from "./node.js";
import { nodeTestKey, TEST_BALANCE, testGenesisDoc } from "./testing/fixtures.js";

describeData("plurigrid init (demo genesis), account, verify", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "plurigrid-cli-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("creates the case33bw demo chain with funded accounts and 0600 key files", async () => {
    const data = join(dir, "demo");
    const r = await runCli(["init", "--data", data, "--format", "json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      chainId: string;
      demoAccounts: { name: string; account: string; keyFile: string }[];
    };
    expect(out.chainId).toBe("plurigrid-demo-1");
    expect(out.demoAccounts.map((a) => a.name)).toEqual(["alice", "bob", "carol", "operator"]);
    for (const a of out.demoAccounts) {
      expect(statSync(a.keyFile).mode & 0o777).toBe(0o600);
      const acct = await runCli(["account", "--key", a.keyFile]);
      expect(acct).toMatchObject({ code: 0, stdout: `${a.account}\n` });
    }
    const db = new Database(dbPathOf(data), { readonly: true });
    const microgrid = db
      .prepare("SELECT value FROM state WHERE key = 'reg/microgrid/case33bw'")
      .pluck()
      .get() as Buffer;
    db.close();
    expect(JSON.parse(microgrid.toString()).buses).toHaveLength(33);

    const again = await runCli(["init", "--data", data]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error NODE_DATA_EXISTS: /);

    const verified = await runCli(["verify", "--data", data, "--format", "json", "--threads", "0"]);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, height: 0 });
  });
});

describe("plurigrid init --genesis, tx transfer, verify", () => {
  let dir: string;
  let node: Node;
  let server: RunningServer;
  const keys = [nodeTestKey(0), nodeTestKey(1)];
  const keyFile = (i: number) => join(dir, `key${i}.json`);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "plurigrid-cli-"));
    const genesisFile = join(dir, "genesis.json");
    writeFileSync(genesisFile, JSON.stringify(testGenesisDoc(keys)));
    const r = await runCli(["init", "--data", join(dir, "chain"), "--genesis", genesisFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/created chain plurigrid-node-test/);
    for (let i = 0; i < keys.length; i++) {
      writeFileSync(
        keyFile(i),
        JSON.stringify({
          kind: "plurigrid-ed25519",
          publicKey: Buffer.from(keys[i].publicKey).toString("hex"),
          secretKey: Buffer.from(keys[i].secretKey).toString("hex"),
        }),
        { mode: 0o600 },
      );
    }
    node = new Node({ dbPath: dbPathOf(join(dir, "chain")), blockIntervalMs: 5, threads: 1 });
    server = await startServer(node, { port: 0 });
  });
  afterAll(async () => {
    await server.close();
    await node.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("transfers and waits for the commit (exit 0), twice in a row with the right nonces", async () => {
    const to = accountIdOf(keys[1].publicKey);
    for (const amount of ["250", "750"]) {
      const r = await runCli([
        "tx",
        "transfer",
        "--key",
        keyFile(0),
        "--to",
        to,
        "--amount",
        amount,
        "--node",
        server.url,
      ]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^committed [0-9a-f]{64} at height \d+\n$/);
    }
    const entry = (await (await fetch(`${server.url}/v1/state/accounts/${to}`)).json()) as {
      value: { micros: number };
    };
    expect(entry.value.micros).toBe(TEST_BALANCE + 1000);
  });

  it("exits 1 with the rejection code, 2 on a usage error", async () => {
    const to = accountIdOf(keys[1].publicKey);
    const over = await runCli([
      "tx",
      "transfer",
      "--key",
      keyFile(0),
      "--to",
      to,
      "--amount",
      String(TEST_BALANCE * 2),
      "--node",
      server.url,
    ]);
    expect(over.code).toBe(1);
    expect(over.stderr).toMatch(/^error ACCOUNT_OVERDRAFT: /);
    const badAmount = await runCli([
      "tx",
      "transfer",
      "--key",
      keyFile(0),
      "--to",
      to,
      "--amount",
      "1.5",
      "--node",
      server.url,
    ]);
    expect(badAmount.code).toBe(2);
    const badTo = await runCli([
      "tx",
      "transfer",
      "--key",
      keyFile(0),
      "--to",
      "bob",
      "--amount",
      "1",
      "--node",
      server.url,
    ]);
    expect(badTo.code).toBe(1);
    expect(badTo.stderr).toMatch(/^error ACCOUNT_ID_INVALID/);
    const noNode = await runCli([
      "tx",
      "transfer",
      "--key",
      keyFile(0),
      "--to",
      to,
      "--amount",
      "1",
      "--node",
      "http://127.0.0.1:1",
    ]);
    expect(noNode.code).toBe(1);
    expect(noNode.stderr).toMatch(/^error NODE_UNREACHABLE/);
  });

  it("verify prints the tip, and the first divergence with exit 1", async () => {
    const data = join(dir, "chain");
    const ok = await runCli(["verify", "--data", data, "--threads", "1"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`state root ${node.status().stateRoot}`);
    // Tamper with the stored state through a second connection (WAL lets it write beside the running node).
    const db = new Database(dbPathOf(data));
    const key = `acct/${accountIdOf(keys[1].publicKey)}`;
    db.prepare("UPDATE state SET value = ? WHERE key = ?").run(
      Buffer.from('{"matrixMicros":0,"micros":1,"nonce":0}'),
      key,
    );
    db.close();
    const bad = await runCli(["verify", "--data", data, "--format", "json", "--threads", "0"]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, height: null, key });
    expect(bad.stderr).toMatch(/^error VERIFY_DIVERGED: in the stored state: /);
  });
});
