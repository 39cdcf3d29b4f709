/**
 * Opening the log while JetStream has no leader: a node started during a NATS election waits for it (up to
 * its set-up deadline) instead of exiting, and past the deadline it fails with CLUSTER_UNAVAILABLE.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, describe, expect, it } from "vitest";
import { JetStreamLog } from "./log.js";
import { type NatsCluster, sleep, startNatsCluster } from "./nats-servers.js";

describe("opening the JetStream log", () => {
  const dir = mkdtempSync(join(tmpdir(), "plurigrid-log-"));
  let cluster: NatsCluster | undefined;
  afterAll(async () => {
    await cluster?.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("waits through a lost quorum for the streams, and gives up with CLUSTER_UNAVAILABLE past its deadline", async () => {
    cluster = await startNatsCluster(dir, 3);
    const nats = cluster;
    // Two servers of three down: no meta leader, so no stream can be set up.
    await nats.stop(1);
    await nats.stop(2);
    const base = { servers: nats.urls.split(","), chainId: "log-test", replicas: 3, leaseMs: 2000 };

    const started = Date.now();
    await expect(JetStreamLog.open({ ...base, setupTimeoutMs: 1500 })).rejects.toMatchObject({
      code: "CLUSTER_UNAVAILABLE",
    });
    // It tried for its deadline, not for one whole request timeout (10 s).
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(8000);

    // Opened without a leader, then the servers come back: the open succeeds and the log works.
    const opening = JetStreamLog.open({ ...base, setupTimeoutMs: 45_000 });
    let settled = false;
    void opening.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    // Longer than one JetStream request's timeout (10 s): the open outlives a first failed attempt.
    await sleep(11_000);
    expect(settled).toBe(false);
    nats.restart(1);
    nats.restart(2);
    const log = await opening;
    try {
      await log.publishTx(new TextEncoder().encode("entry"), "h1");
      const stream = await (await jetstreamManager(log.nc)).streams.info(log.names.stream);
      expect(stream.state.messages).toBe(1);
      expect(stream.config.num_replicas).toBe(3);
    } finally {
      await log.close();
    }
  }, 90_000);
});
