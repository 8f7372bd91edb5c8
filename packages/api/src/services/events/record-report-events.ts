import type { THealthReport } from "@meshover/netcfg";
import type { TPrismaClient } from "@meshover/prisma";
import { readLatestSamplesFor } from "../topology/read-latest-samples";
import { deriveReportEvents, type TTunnelState } from "./derive-report-events";

/** What the timeline compares a report with: the node's last applied version and samples. */
export interface TPreviousReport {
  appliedVersion: number | null;
  tunnels: TTunnelState[];
}

/** Read the state a report of `nodeId` about `peerIds` will be compared with (before ingest). */
export async function readPreviousReport({
  db,
  nodeId,
  peerIds,
}: {
  db: TPrismaClient;
  nodeId: string;
  peerIds: readonly string[];
}): Promise<TPreviousReport> {
  const [node, samples] = await Promise.all([
    db.node.findUnique({ where: { id: nodeId }, select: { appliedConfigVersion: true } }),
    readLatestSamplesFor({
      db,
      pairs: peerIds.filter((id) => id !== nodeId).map((peerId) => ({ nodeId, peerId })),
    }),
  ]);
  return {
    appliedVersion: node?.appliedConfigVersion == null ? null : Number(node.appliedConfigVersion),
    tunnels: samples.map((s) => ({
      peerId: s.peerId,
      at: s.at,
      bgpState: s.bgpState,
      bfdState: s.bfdState,
      handshakeAt: s.handshakeAt,
    })),
  };
}

/** Derive the events between `previous` and `report` (stored at `at`) and store them. */
export async function recordReportEvents({
  db,
  nodeId,
  previous,
  report,
  at,
}: {
  db: TPrismaClient;
  nodeId: string;
  previous: TPreviousReport;
  report: THealthReport;
  at: Date;
}): Promise<number> {
  const events = deriveReportEvents({
    nodeId,
    previous,
    next: {
      at,
      appliedVersion: report.appliedVersion,
      tunnels: report.peers
        .filter((peer) => peer.peerId !== nodeId)
        .map((peer) => ({
          peerId: peer.peerId,
          at,
          bgpState: peer.bgpState,
          bfdState: peer.bfdState,
          handshakeAt: peer.handshakeAt ? new Date(peer.handshakeAt) : null,
        })),
    },
  });
  if (events.length === 0) return 0;
  await db.meshEvent.createMany({ data: events });
  return events.length;
}
