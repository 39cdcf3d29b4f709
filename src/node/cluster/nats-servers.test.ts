import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import { type NatsCluster, processAlive, startNatsCluster, waitForMetaLeader } from "./nats-servers.js";

describe("local NATS JetStream cluster", () => {
  const dir = mkdtempSync(join(tmpdir(), "plurigrid-nats-"));
  let cluster: NatsCluster | undefined;
  afterAll(async () => {
    await cluster?.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("elects a meta leader, replicates a stream over 3 servers, survives one server, and stops every process", async () => {
    cluster = await startNatsCluster(dir, 3);
    const nc = await connect({ servers: cluster.urls.split(","), reconnectTimeWait: 100 });
    try {
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.add({ name: "T", subjects: ["t.>"], num_replicas: 3 });
      expect(info.config.num_replicas).toBe(3);
      const js = jetstream(nc);
      for (let i = 0; i < 10; i++) await js.publish("t.x", new TextEncoder().encode(String(i)));
      // One server down: the other two still hold a majority of the stream's replicas.
      await cluster.stop(0);
      const alive = cluster.servers.slice(1);
      await waitForMetaLeader(alive, 30_000, ["n2", "n3"]);
      let seq = 0;
      for (let attempt = 0; attempt < 100 && seq === 0; attempt++) {
        try {
          seq = (await js.publish("t.x", new TextEncoder().encode("after"), { timeout: 2000 })).seq;
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      expect(seq).toBe(11);
    } finally {
      await nc.close();
    }
    const pids = cluster.servers.map((s) => s.pid);
    await cluster.stopAll();
    expect(pids.filter(processAlive)).toEqual([]);
  }, 60_000);
});
