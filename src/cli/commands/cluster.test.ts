import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { processAlive } from "../../node/cluster/nats-servers.js";
import { makeTestChain } from "../../node/testing/fixtures.js";
import { runCli } from "../../test-support/cli.js";
import { describeData } from "../../test-support/data.js";

describeData("plurigrid cluster up / down", () => {
  const dir = join(mkdtempSync(join(tmpdir(), "plurigrid-cluster-cli-")), "pg-cluster");
  afterAll(async () => {
    if (existsSync(join(dir, "pids.json"))) await runCli(["cluster", "down", "--data", dir]);
    rmSync(join(dir, ".."), { recursive: true, force: true });
  });

  it("starts three NATS servers and three nodes, takes a transfer, and stops every process it started", async () => {
    const up = await runCli(["cluster", "up", "--nodes", "3", "--data", dir]);
    expect(up.stderr).toBe("");
    expect(up.code).toBe(0);
    const lines = up.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    lines.forEach((line, i) => {
      expect(line).toMatch(new RegExp(`^node ${i + 1} http://127\\.0\\.0\\.1:[0-9]+$`));
    });
    const urls = lines.map((l) => l.split(" ")[2]);
    for (const name of ["alice", "bob", "carol", "operator"])
      expect(existsSync(join(dir, "keys", `${name}.json`))).toBe(true);

    const bob = (await runCli(["account", "--key", join(dir, "keys", "bob.json")])).stdout.trim();
    const tx = await runCli([
      "tx",
      "transfer",
      "--key",
      join(dir, "keys", "alice.json"),
      "--to",
      bob,
      "--amount",
      "5000000",
      "--node",
      urls[1],
    ]);
    expect(tx.stdout).toMatch(/^committed [0-9a-f]{64} at height 1/);
    // Every node applies the block; each answers the same state root.
    let roots: string[] = [];
    for (let i = 0; i < 100; i++) {
      roots = await Promise.all(
        urls.map(
          async (u) =>
            ((await (await fetch(`${u}/v1/status`)).json()) as { height: number; stateRoot: string })
              .stateRoot,
        ),
      );
      const heights = await Promise.all(
        urls.map(async (u) => ((await (await fetch(`${u}/v1/status`)).json()) as { height: number }).height),
      );
      if (heights.every((h) => h === 1) && new Set(roots).size === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(new Set(roots).size).toBe(1);

    const pids = JSON.parse(readFileSync(join(dir, "pids.json"), "utf8")) as {
      nats: { pid: number }[];
      nodes: { pid: number }[];
    };
    const all = [...pids.nats, ...pids.nodes].map((p) => p.pid);
    expect(all).toHaveLength(6);
    expect(all.every(processAlive)).toBe(true);
    const down = await runCli(["cluster", "down", "--data", dir]);
    expect(down.code).toBe(0);
    expect(down.stdout).toBe("stopped 6 processes\n");
    expect(all.filter(processAlive)).toEqual([]);
    for (const n of [1, 2, 3]) {
      const v = await runCli(["verify", "--data", join(dir, `node${n}`), "--threads", "1"]);
      expect(v.code).toBe(0);
      expect(v.stdout).toContain(roots[0]);
    }
  }, 110_000);
});

describe("plurigrid node --cluster", () => {
  it("refuses a URL that is not nats://HOST:PORT, and a folder without cluster.json, before connecting", async () => {
    const chain = makeTestChain(1, "plurigrid-cluster-cli-");
    try {
      const bad = await runCli(["node", "--cluster", "http://127.0.0.1:4222", "--data", chain.dir]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/CLUSTER_URL_INVALID/);
      const missing = await runCli(["node", "--cluster", "nats://127.0.0.1:4222", "--data", chain.dir]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/CLUSTER_CONFIG_MISSING/);
      writeFileSync(join(chain.dir, "cluster.json"), JSON.stringify({ operators: ["ab"], quorum: 1 }));
      const invalid = await runCli(["node", "--cluster", "nats://127.0.0.1:4222", "--data", chain.dir]);
      expect(invalid.code).toBe(1);
      expect(invalid.stderr).toMatch(/CLUSTER_CONFIG_INVALID.*operators/);
    } finally {
      chain.remove();
    }
  });
});

describe("plurigrid cluster down", () => {
  it("refuses a folder where no cluster was started", async () => {
    const dir = mkdtempSync(join(tmpdir(), "plurigrid-cluster-none-"));
    const r = await runCli(["cluster", "down", "--data", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CLUSTER_NOT_RUNNING/);
    rmSync(dir, { recursive: true, force: true });
  });
});
