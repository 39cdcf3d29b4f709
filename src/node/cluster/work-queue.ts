/**
 * A JetStream work queue for jobs that spread over machines (simulation sweeps): jobs are published to a
 * work-queue stream (each message is removed once a worker acknowledges it), any number of workers on any
 * machine pull them one at a time through one shared durable consumer, and publish each result to a results
 * stream that the submitter reads until it holds one result per job. A worker that dies before its
 * acknowledgement leaves its job to be delivered again after `ackWaitMs`.
 *
 * Jobs and results are JSON with an `index` (the job's place); nothing here knows what a job is.
 */
import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";
import { connect, type NatsConnection, nanos } from "@nats-io/transport-node";
import { PlurigridError } from "../../core/errors.js";

export interface WorkQueueOptions {
  servers: string[];
  /** Queue name: letters, digits, '-' and '_' (streams `PGQ-<name>` and `PGQ-<name>-RESULTS`). */
  name: string;
  replicas?: number;
  /** A job not acknowledged within this long is delivered again (default 60 s). */
  ackWaitMs?: number;
}

export interface Indexed {
  index: number;
}

type Outcome<R> =
  | { index: number; ok: true; result: R }
  | { index: number; ok: false; code: string; message: string };

const WORKERS = "workers";

function names(name: string) {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name))
    throw new PlurigridError(
      "QUEUE_BAD_NAME",
      `queue name ${JSON.stringify(name)}: letters, digits, - and _`,
    );
  return {
    jobs: `PGQ-${name}`,
    jobSubject: `pgq.${name}.job`,
    results: `PGQ-${name}-RESULTS`,
    resultSubject: `pgq.${name}.result`,
  };
}

async function open(servers: string[]): Promise<NatsConnection> {
  try {
    return await connect({ servers, maxReconnectAttempts: -1, reconnectTimeWait: 250, timeout: 5000 });
  } catch (e) {
    throw new PlurigridError(
      "CLUSTER_UNAVAILABLE",
      `cannot connect to NATS at ${servers.join(",")}: ${(e as Error).message}`,
    );
  }
}

async function ensure(jsm: JetStreamManager, o: WorkQueueOptions): Promise<void> {
  const n = names(o.name);
  const replicas = o.replicas ?? 1;
  for (const [name, subject, retention] of [
    [n.jobs, n.jobSubject, RetentionPolicy.Workqueue],
    [n.results, n.resultSubject, RetentionPolicy.Limits],
  ] as const) {
    const exists = await jsm.streams.info(name).then(
      () => true,
      () => false,
    );
    if (!exists)
      await jsm.streams
        .add({ name, subjects: [subject], retention, storage: StorageType.File, num_replicas: replicas })
        .catch(async (e) => {
          await jsm.streams.info(name).catch(() => {
            throw e;
          });
        });
  }
  await jsm.consumers
    .add(n.jobs, {
      durable_name: WORKERS,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(o.ackWaitMs ?? 60_000),
      max_ack_pending: 10_000,
    })
    .catch(async (e) => {
      await jsm.consumers.info(n.jobs, WORKERS).catch(() => {
        throw e;
      });
    });
}

/**
 * Publishes `jobs` to the queue and waits for one result per job (in job order). A job whose worker reported
 * an error fails the whole run with the worker's code. The queue's streams are deleted at the end.
 */
export async function runOnQueue<J extends Indexed, R>(
  jobs: readonly J[],
  options: WorkQueueOptions,
  onResult?: (r: R, done: number) => void,
): Promise<R[]> {
  const n = names(options.name);
  const nc = await open(options.servers);
  try {
    const jsm = await jetstreamManager(nc, { timeout: 10_000 });
    await ensure(jsm, options);
    const js = jetstream(nc, { timeout: 10_000 });
    const results = new Map<number, R>();
    // Read results from the start of the results stream before publishing: none is missed.
    const consumer = await js.consumers.get(n.results, { deliver_policy: DeliverPolicy.All });
    const messages = await consumer.consume();
    for (const j of jobs) await js.publish(n.jobSubject, JSON.stringify(j), { msgID: `job-${j.index}` });
    if (jobs.length > 0) {
      for await (const m of messages) {
        const o = m.json<Outcome<R>>();
        if (!o.ok) {
          messages.stop();
          throw new PlurigridError(o.code, `job ${o.index}: ${o.message}`, { index: o.index });
        }
        if (!results.has(o.index)) {
          results.set(o.index, o.result);
          onResult?.(o.result, results.size);
        }
        if (results.size === jobs.length) break;
      }
    }
    messages.stop();
    await jsm.streams.delete(n.jobs).catch(() => {});
    await jsm.streams.delete(n.results).catch(() => {});
    return jobs.map((j) => results.get(j.index) as R);
  } finally {
    await nc.drain().catch(() => nc.close());
  }
}

/**
 * A worker: pulls jobs one at a time and runs `handle` on each, publishing its result (or its error code)
 * before acknowledging the job. Runs until `stop()` is called; `done` settles when it has stopped.
 */
export function serveQueue<J extends Indexed, R>(
  options: WorkQueueOptions,
  handle: (job: J) => Promise<R>,
): { done: Promise<number>; stop(): void } {
  let stopped = false;
  const done = (async () => {
    const n = names(options.name);
    const nc = await open(options.servers);
    let served = 0;
    try {
      const jsm = await jetstreamManager(nc, { timeout: 10_000 });
      await ensure(jsm, options);
      const js = jetstream(nc, { timeout: 10_000 });
      const consumer = await js.consumers.get(n.jobs, WORKERS);
      while (!stopped) {
        const m = await consumer.next({ expires: 1000 }).catch(async () => {
          await new Promise((r) => setTimeout(r, 250)); // the queue is gone or a server is failing over
          return null;
        });
        if (m === null) continue;
        const job = m.json<J>();
        // Keeps the job from being delivered again while it runs.
        const keep = setInterval(() => m.working(), 5000);
        let outcome: Outcome<R>;
        try {
          outcome = { index: job.index, ok: true, result: await handle(job) };
        } catch (e) {
          const code = e instanceof PlurigridError ? e.code : "QUEUE_JOB_FAILED";
          outcome = {
            index: job.index,
            ok: false,
            code,
            message: e instanceof Error ? e.message : String(e),
          };
        } finally {
          clearInterval(keep);
        }
        await js.publish(n.resultSubject, JSON.stringify(outcome));
        m.ack();
        served++;
      }
    } finally {
      await nc.drain().catch(() => nc.close());
    }
    return served;
  })();
  return {
    done,
    stop: () => {
      stopped = true;
    },
  };
}
