import type { TPrismaClient } from "@meshover/prisma";
import { listNodes, type TNodeSummary } from "../node/list-nodes";
import { readLatestSamples, type TLatestSample } from "./read-latest-samples";

/** One direction of a tunnel as the graph shows it. */
export interface TEdgeDirection {
  at: Date;
  handshakeAt: Date | null;
  rxBytes: number;
  txBytes: number;
  bgpState: string | null;
  bgpUptimeSec: number | null;
  bfdState: string | null;
  prefixesReceived: number | null;
  mtuConfigured: number | null;
  mtuMeasured: number | null;
  rttMs: number | null;
}

/** A tunnel between two nodes (source has the lower index) and both ends' latest view. */
export interface TTopologyEdge {
  id: string;
  source: string;
  target: string;
  /** What `source` saw of its tunnel to `target`; null before any report. */
  sourceToTarget: TEdgeDirection | null;
  targetToSource: TEdgeDirection | null;
}

/** Nodes and tunnel edges (every pair of nodes that have keys: the mesh is full). */
export interface TTopology {
  nodes: TNodeSummary[];
  edges: TTopologyEdge[];
  meshVersion: number;
}

/** A stored sample as a graph direction (byte counters as numbers). */
export function toDirection(sample: TLatestSample | undefined): TEdgeDirection | null {
  if (!sample) return null;
  const { nodeId: _node, peerId: _peer, ...rest } = sample;
  return { ...rest, rxBytes: Number(sample.rxBytes), txBytes: Number(sample.txBytes) };
}

/** The mesh as a graph for the dashboard. */
export async function readTopology({
  db,
  now = new Date(),
}: {
  db: TPrismaClient;
  now?: Date;
}): Promise<TTopology> {
  const [nodes, samples] = await Promise.all([listNodes({ db, now }), readLatestSamples({ db })]);
  const byDirection = new Map(samples.map((s) => [`${s.nodeId}>${s.peerId}`, s]));
  const keyed = nodes.filter((node) => node.publicKey !== null);
  const edges: TTopologyEdge[] = [];
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
  return { nodes, edges, meshVersion: nodes[0]?.desiredConfigVersion ?? 0 };
}
