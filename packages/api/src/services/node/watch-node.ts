import type { TPrismaClient } from "@meshover/prisma";
import type { MeshFanout } from "../../lib/mesh-fanout";
import { watchMeshActivity } from "../../lib/watch-mesh-activity";
import { readLatestSamplesFor } from "../topology/read-latest-samples";
import type { THealthSample as TEdgeDirection } from "../../lib/health-sample";
import { toDirection } from "../topology/read-topology";
import { getNode } from "./get-node";
import { listNodes } from "./list-nodes";
import type { TNodeDetail } from "./node-schemas";

/** One of the node's tunnels: what it reported of the peer, and what the peer reported of it. */
export interface TNodeSession {
  peerId: string;
  peerName: string;
  mine: TEdgeDirection | null;
  theirs: TEdgeDirection | null;
}

/** The node page's live state; `serverTime` lets the browser judge ages by the controller's clock. */
export interface TNodeLive {
  serverTime: Date;
  node: TNodeDetail;
  sessions: TNodeSession[];
}

/** The node and its tunnels both ways: 2(n-1) sample probes, not the whole mesh. */
export async function readNodeLive({
  db,
  nodeId,
  now = new Date(),
}: {
  db: TPrismaClient;
  nodeId: string;
  now?: Date;
}): Promise<TNodeLive> {
  const [node, all] = await Promise.all([getNode({ db, nodeId, now }), listNodes({ db, now })]);
  const peers = all.filter((peer) => peer.id !== nodeId && peer.publicKey !== null);
  const samples = await readLatestSamplesFor({
    db,
    pairs: peers.flatMap((peer) => [
      { nodeId, peerId: peer.id },
      { nodeId: peer.id, peerId: nodeId },
    ]),
  });
  const byDirection = new Map(samples.map((s) => [`${s.nodeId}>${s.peerId}`, s]));
  return {
    serverTime: now,
    node,
    sessions: peers
      .map((peer) => ({
        peerId: peer.id,
        peerName: peer.name,
        mine: toDirection(byDirection.get(`${nodeId}>${peer.id}`)),
        theirs: toDirection(byDirection.get(`${peer.id}>${nodeId}`)),
      }))
      .sort((a, b) => a.peerName.localeCompare(b.peerName)),
  };
}

/**
 * One node's page as a stream: its state on connect, then again after every batch of reports
 * (its own or a peer's, which carries the other direction of a tunnel) and every mesh change.
 */
export async function* watchNode({
  db,
  fanout,
  nodeId,
  signal,
}: {
  db: TPrismaClient;
  fanout: MeshFanout;
  nodeId: string;
  signal: AbortSignal;
}): AsyncGenerator<TNodeLive> {
  const activity = watchMeshActivity(fanout, signal, 300);
  yield await readNodeLive({ db, nodeId });
  for await (const _batch of activity) yield await readNodeLive({ db, nodeId });
}
