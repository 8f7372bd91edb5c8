import { z } from "zod";
import type { TPrismaClient } from "@meshover/prisma";
import { ZHealthSample, type TDirectedSample, type THealthSample } from "../../lib/health-sample";
import { listNodes, readStaleness } from "../node/list-nodes";
import { ZNodeSummary } from "../node/node-schemas";
import { readLatestSamples } from "./read-latest-samples";

/** The mesh graph: nodes, and tunnel edges with both directions' latest sample. */
export const ZTopology = z.object({
  nodes: z.array(ZNodeSummary),
  /** Every pair of nodes that have keys (the mesh is full); source has the lower index. */
  edges: z.array(
    z.object({
      id: z.string(),
      source: z.uuid(),
      target: z.uuid(),
      /** What `source` saw of its tunnel to `target`; null before any report. */
      sourceToTarget: ZHealthSample.nullable(),
      targetToSource: ZHealthSample.nullable(),
    }),
  ),
  meshVersion: z.number().int(),
  /** How old a report may be before the dashboard counts it as stale (the mesh settings). */
  staleAfterSec: z.number().int(),
});

/** The mesh as a graph for the dashboard. */
export type TTopology = z.infer<typeof ZTopology>;

/** A stored sample as one direction of an edge (without its node ids). */
export function toDirection(sample: TDirectedSample | undefined): THealthSample | null {
  if (!sample) return null;
  const { nodeId: _node, peerId: _peer, ...direction } = sample;
  return direction;
}

/** The mesh as a graph for the dashboard. */
export async function readTopology({
  db,
  now = new Date(),
}: {
  db: TPrismaClient;
  now?: Date;
}): Promise<TTopology> {
  const [nodes, samples, settings] = await Promise.all([
    listNodes({ db, now }),
    readLatestSamples({ db }),
    readStaleness(db),
  ]);
  const byDirection = new Map(samples.map((s) => [`${s.nodeId}>${s.peerId}`, s]));
  const keyed = nodes.filter((node) => node.publicKey !== null);
  const edges: TTopology["edges"] = [];
  for (let i = 0; i < keyed.length; i++) {
    for (let j = i + 1; j < keyed.length; j++) {
      const a = keyed[i]!;
      const b = keyed[j]!;
      edges.push({
        id: `${a.id}:${b.id}`,
        source: a.id,
        target: b.id,
        sourceToTarget: toDirection(byDirection.get(`${a.id}>${b.id}`)),
        targetToSource: toDirection(byDirection.get(`${b.id}>${a.id}`)),
      });
    }
  }
  return {
    nodes,
    edges,
    meshVersion: Number(settings.meshVersion),
    staleAfterSec: settings.staleAfterSec,
  };
}
