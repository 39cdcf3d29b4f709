import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { stringify } from "yaml";
import { runVariant, type VariantJob, type VariantResult } from "../../sim/sweep.js";
import { testScenarioInput } from "../../sim/test-scenario.js";
import { runCli } from "../../test-support/cli.js";
import { describeData } from "../../test-support/data.js";
import { type NatsCluster, startNatsCluster } from "./nats-servers.js";
import { runOnQueue, serveQueue } from "./work-queue.js";

describeData("simulation sweeps through a JetStream work queue", () => {
  const dir = mkdtempSync(join(tmpdir(), "plurigrid-queue-"));
  let nats: NatsCluster | undefined;
  afterAll(async () => {
    await nats?.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("workers pull the variants from the queue; the results equal the variants run in this process", async () => {
    nats = await startNatsCluster(join(dir, "nats"), 3);
    const servers = nats.urls.split(",");
    const base = { ...testScenarioInput({ durationHours: 1, events: [] }), market: {} };
    // The worker is another process (as on another machine): plurigrid cluster sweep-worker.
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        fileURLToPath(new URL("../testing/run-cli.ts", import.meta.url)),
        "cluster",
        "sweep-worker",
        "--cluster",
        nats.urls,
        "--queue",
        "sweep-test",
        "--replicas",
        "3",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let log = "";
    child.stderr.on("data", (d) => {
      log += String(d);
    });
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    // The submitter: plurigrid sweep --cluster (in this process).
    const file = join(dir, "scenario.yaml");
    writeFileSync(file, stringify(base));
    let submitted: { code: number; stdout: string; stderr: string };
    try {
      submitted = await runCli([
        "sweep",
        file,
        "--param",
        "seed=1,2,3",
        "--cluster",
        nats.urls,
        "--queue",
        "sweep-test",
        "--out",
        join(dir, "queue"),
        "--quiet",
        "--format",
        "json",
      ]);
    } finally {
      child.kill("SIGTERM");
    }
    expect(submitted.code).toBe(0);
    const results = (JSON.parse(submitted.stdout) as { variants: VariantResult[] }).variants;
    expect(await exited).toBe(0);
    expect(log.match(/variant \d done/g)).toHaveLength(3);
    expect(results.map((r) => r.params)).toEqual([{ seed: 1 }, { seed: 2 }, { seed: 3 }]);
    expect(
      readFileSync(join(dir, "queue", "comparison.csv"), "utf8")
        .trim()
        .split("\n"),
    ).toHaveLength(4);
    const jobs: VariantJob[] = results.map((r) => ({
      index: r.index,
      params: r.params,
      input: { ...base, ...r.params },
      dir: "",
    }));
    // The same variants run here, without the queue: the same result hashes.
    for (const j of jobs) {
      const local = await runVariant({ ...j, dir: join(dir, "local", `variant-${j.index}`) });
      expect(local.params).toEqual(results[j.index].params);
      expect(results[j.index].resultHash).toBe(local.resultHash);
    }
    expect(new Set(results.map((r) => r.resultHash)).size).toBe(3);

    // A variant that fails in a worker fails the run with the worker's code.
    const bad = serveQueue<VariantJob, VariantResult>(
      { servers, name: "sweep-bad", replicas: 3 },
      runVariant,
    );
    await expect(
      runOnQueue<VariantJob, VariantResult>([{ ...jobs[0], input: { ...base, durationHours: -1 } }], {
        servers,
        name: "sweep-bad",
        replicas: 3,
      }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^[A-Z_]+$/) });
    bad.stop();
    await bad.done;
  }, 120_000);
});
