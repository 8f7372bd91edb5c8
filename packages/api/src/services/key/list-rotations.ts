import { z } from "zod";
import { RotationStatus, type TPrismaClient } from "@meshover/prisma";

/** After this long without finishing, a rotation is shown as failed. */
export const ROTATION_TIMEOUT_MS = 10 * 60 * 1000;

/** A rotation with per-peer progress. */
export const ZRotationView = z.object({
  id: z.uuid(),
  nodeId: z.uuid(),
  nodeName: z.string(),
  status: z.enum(RotationStatus),
  oldPublicKey: z.string().nullable(),
  newPublicKey: z.string().nullable(),
  requestedAt: z.date(),
  reportedAt: z.date().nullable(),
  completedAt: z.date().nullable(),
  error: z.string().nullable(),
  peers: z.array(
    z.object({
      peerId: z.string(),
      peerName: z.string().nullable(),
      state: z.enum(["waiting", "done", "failed"]),
    }),
  ),
  /** done peers / all peers (1 when finished, 0 while the node has not reported a key). */
  progress: z.number().min(0).max(1),
});

/** A key rotation with its progress per peer. */
export type TRotationView = z.infer<typeof ZRotationView>;

/**
 * Recent key rotations (of one node, or all), newest first; timed-out ones read as failed even
 * before expireRotations stores it.
 */
export async function listRotations({
  db,
  nodeId,
  limit = 50,
  now = new Date(),
}: {
  db: TPrismaClient;
  nodeId?: string;
  limit?: number;
  now?: Date;
}): Promise<TRotationView[]> {
  const rows = await db.keyRotation.findMany({
    where: nodeId ? { nodeId } : {},
    select: {
      id: true,
      nodeId: true,
      node: { select: { name: true } },
      status: true,
      oldPublicKey: true,
      newPublicKey: true,
      peerProgress: true,
      error: true,
      requestedAt: true,
      reportedAt: true,
      completedAt: true,
    },
    orderBy: { requestedAt: "desc" },
    take: limit,
  });
  const names = new Map(
    (await db.node.findMany({ select: { id: true, name: true } })).map((n) => [n.id, n.name]),
  );
  return rows.map((row) => {
    const progress = (row.peerProgress ?? {}) as Record<string, string>;
    const isTimedOut =
      (row.status === "pending" || row.status === "reported") &&
      now.getTime() - row.requestedAt.getTime() > ROTATION_TIMEOUT_MS;
    const peers: TRotationView["peers"] = Object.entries(progress).map(([peerId, state]) => ({
      peerId,
      peerName: names.get(peerId) ?? null,
      state:
        state === "done" ? "done" : isTimedOut || row.status === "failed" ? "failed" : "waiting",
    }));
    const done = peers.filter((peer) => peer.state === "done").length;
    return {
      id: row.id,
      nodeId: row.nodeId,
      nodeName: row.node.name,
      status: isTimedOut ? "failed" : row.status,
      oldPublicKey: row.oldPublicKey,
      newPublicKey: row.newPublicKey,
      requestedAt: row.requestedAt,
      reportedAt: row.reportedAt,
      completedAt: row.completedAt,
      error: isTimedOut ? (row.error ?? "not finished within 10 minutes") : row.error,
      peers,
      progress:
        row.status === "done" ? 1 : peers.length === 0 ? 0 : done / Math.max(1, peers.length),
    };
  });
}
