/**
 * The files of a cluster node's data folder, beside the chain database made by `plurigrid init`:
 *
 * - `cluster.json`: `{"operators": [hex public keys], "quorum": n, "replicas": 3, "leaseMs": 2000,
 *   "blockIntervalMs": 20}`; the same on every node of a cluster (operators and quorum decide which markers
 *   and attestations count, so they are not read from the stream, which is not trusted for that).
 * - `node-key.json`: this node's Ed25519 key file (mode 0600), one of the operators' keys.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { PlurigridError } from "../../core/errors.js";

export const CLUSTER_FILE = "cluster.json";
export const NODE_KEY_FILE = "node-key.json";

export const clusterConfigSchema = z
  .object({
    operators: z
      .array(z.string().regex(/^[0-9a-f]{64}$/, "an operator is a 64-hex-digit Ed25519 public key"))
      .min(1)
      .max(64),
    quorum: z.number().int().min(1),
    replicas: z.number().int().min(1).max(5).default(3),
    leaseMs: z.number().int().min(200).max(60_000).default(2000),
    blockIntervalMs: z.number().int().min(1).max(60_000).default(20),
  })
  .strict()
  .refine((c) => c.quorum <= c.operators.length, { message: "quorum is larger than the number of operators" })
  .refine((c) => new Set(c.operators).size === c.operators.length, {
    message: "an operator is listed twice",
  });
export type ClusterConfig = z.infer<typeof clusterConfigSchema>;

export function readClusterConfig(dataDir: string): ClusterConfig {
  const path = join(dataDir, CLUSTER_FILE);
  if (!existsSync(path)) {
    throw new PlurigridError(
      "CLUSTER_CONFIG_MISSING",
      `${path} is missing: a cluster node needs the operators' keys and the quorum (plurigrid cluster up writes one; see docs/cluster.md)`,
      { path },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new PlurigridError("CLUSTER_CONFIG_INVALID", `${path} is not JSON: ${(e as Error).message}`, {
      path,
    });
  }
  const parsed = clusterConfigSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PlurigridError(
      "CLUSTER_CONFIG_INVALID",
      `${path}: ${issue.path.join(".") || "(top)"}: ${issue.message}`,
      { path },
    );
  }
  return parsed.data;
}

export function writeClusterConfig(dataDir: string, config: ClusterConfig): void {
  writeFileSync(join(dataDir, CLUSTER_FILE), `${JSON.stringify(config, null, 2)}\n`);
}
