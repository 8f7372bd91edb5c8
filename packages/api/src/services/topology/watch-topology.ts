import type { TPrismaClient } from "@meshover/prisma";
import type { MeshFanout } from "../../lib/mesh-fanout";
import { watchMeshActivity } from "../../lib/watch-mesh-activity";
import { listNodes } from "../node/list-nodes";
import type { TNodeSummary } from "../node/node-schemas";
import { readLatestSamplesFor } from "./read-latest-samples";
import type { THealthSample as TEdgeDirection } from "../../lib/health-sample";
import { readTopology, toDirection, type TTopology } from "./read-topology";

/** One direction's newest sample, addressed by who reported it about whom. */
export interface TDirectionUpdate {
  nodeId: string;
  peerId: string;
  direction: TEdgeDirection;
}

/**
 * A live topology event: the whole graph (on connect and after mesh changes), or what the
 * nodes that just reported changed (their summaries and their own tunnel directions).
 * `serverTime` lets the browser judge ages with the controller's clock.
 */
export type TTopologyUpdate =
  | { kind: "full"; serverTime: Date; topology: TTopology }
  | {
      kind: "reports";
      serverTime: Date;
      nodes: TNodeSummary[];
      directions: TDirectionUpdate[];
    };

/** Read what the nodes in `nodeIds` just reported, as a topology patch. */
export async function readReportUpdate({
  db,
  nodeIds,
  now = new Date(),
}: {
  db: TPrismaClient;
  nodeIds: ReadonlySet<string>;
  now?: Date;
}): Promise<TTopologyUpdate> {
  const all = await listNodes({ db, now });
  const keyed = all.filter((node) => node.publicKey !== null);
  const pairs = keyed
    .filter((node) => nodeIds.has(node.id))
    .flatMap((node) =>
      keyed
        .filter((peer) => peer.id !== node.id)
        .map((peer) => ({ nodeId: node.id, peerId: peer.id })),
    );
  const samples = await readLatestSamplesFor({ db, pairs });
  return {
    kind: "reports",
    serverTime: now,
    nodes: all.filter((node) => nodeIds.has(node.id)),
    directions: samples.map((sample) => ({
      nodeId: sample.nodeId,
      peerId: sample.peerId,
      direction: toDirection(sample)!,
    })),
  };
}

/**
 * The topology as a stream: the full graph first, then per batch of reports a patch with the
 * reporters' directions (O(n) per report instead of the O(n²) graph), and the full graph again
 * whenever the mesh itself changed.
 */
export async function* watchTopology({
  db,
  fanout,
  signal,
}: {
  db: TPrismaClient;
  fanout: MeshFanout;
  signal: AbortSignal;
}): AsyncGenerator<TTopologyUpdate> {
  const activity = watchMeshActivity(fanout, signal);
  yield { kind: "full", serverTime: new Date(), topology: await readTopology({ db }) };
  for await (const batch of activity) {
    if (batch.isMeshChanged) {
      yield { kind: "full", serverTime: new Date(), topology: await readTopology({ db }) };
    } else if (batch.reportedNodeIds.size > 0) {
      yield await readReportUpdate({ db, nodeIds: batch.reportedNodeIds });
    }
  }
}
