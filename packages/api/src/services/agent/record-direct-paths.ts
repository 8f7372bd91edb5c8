// The measured half of the reachability matrix (issue #17): a pair whose tunnel never completed
// a handshake, as both its agents say, becomes a DirectPathFailure and the controller stops
// building it (BGP routes the pair through other nodes); after DIRECT_PATH_RETRY_MS the
// controller tries the direct tunnel again.
import type { THealthReport } from "@meshover/netcfg";
import type { Prisma, TPrismaClient } from "@meshover/prisma";

/** How long a failed direct path stays unbuilt before the controller tries it again. */
export const DIRECT_PATH_RETRY_MS = 10 * 60_000;
/** The other end's word counts only when this recent (three default report intervals). */
const CONFIRMATION_MAX_AGE_MS = 15_000;

/** What one report changes in DirectPathFailure: both are mesh changes. */
export interface TDirectPathChanges {
  /** New failures both ends confirm: peer id and the reporting agent's reason. */
  failures: { peerId: string; reason: string }[];
  /** Failures of this node whose retry time has come. */
  expired: { nodeAId: string; nodeBId: string }[];
}

/** Lower id first: one row per pair. */
export function orderPair(a: string, b: string): { nodeAId: string; nodeBId: string } {
  return a < b ? { nodeAId: a, nodeBId: b } : { nodeAId: b, nodeBId: a };
}

/**
 * Read what `report` changes: tunnels it says never handshook, confirmed by the peer's latest
 * sample about this node (so a peer that is merely offline or still starting is not a dead
 * path: its agent must be running and waiting too), and this node's failures due for a retry.
 */
export async function findDirectPathChanges({
  db,
  nodeId,
  report,
  now,
}: {
  db: TPrismaClient;
  nodeId: string;
  report: THealthReport;
  now: Date;
}): Promise<TDirectPathChanges> {
  const failing = report.peers.filter((peer) => peer.directPathError && peer.peerId !== nodeId);
  const failures: TDirectPathChanges["failures"] = [];
  if (failing.length > 0) {
    const rows = await db.$queryRaw<{ nodeId: string; at: Date; error: string | null }[]>`
      SELECT DISTINCT ON (h."nodeId") h."nodeId", h.at, h.metrics->>'directPathError' AS error
      FROM "HealthSample" h
      WHERE h."peerId" = ${nodeId}::uuid
        AND h."nodeId" = ANY(${failing.map((peer) => peer.peerId)}::uuid[])
      ORDER BY h."nodeId", h.at DESC`;
    const known = await db.directPathFailure.findMany({
      where: { OR: [{ nodeAId: nodeId }, { nodeBId: nodeId }] },
      select: { nodeAId: true, nodeBId: true },
    });
    for (const peer of failing) {
      const other = rows.find((row) => row.nodeId === peer.peerId);
      const isConfirmed =
        other?.error && now.getTime() - other.at.getTime() <= CONFIRMATION_MAX_AGE_MS;
      const isKnown = known.some(
        (row) => row.nodeAId === peer.peerId || row.nodeBId === peer.peerId,
      );
      if (isConfirmed && !isKnown)
        failures.push({ peerId: peer.peerId, reason: peer.directPathError! });
    }
  }
  const expired = await db.directPathFailure.findMany({
    where: { OR: [{ nodeAId: nodeId }, { nodeBId: nodeId }], retryAt: { lte: now } },
    select: { nodeAId: true, nodeBId: true },
  });
  return { failures, expired };
}

/** True when `changes` change the mesh (so the report must commit as a mesh change). */
export function hasDirectPathChanges(changes: TDirectPathChanges): boolean {
  return changes.failures.length > 0 || changes.expired.length > 0;
}

/** Write `changes` inside the report's transaction. */
export async function recordDirectPathChanges(
  tx: Prisma.TransactionClient,
  { nodeId, changes, now }: { nodeId: string; changes: TDirectPathChanges; now: Date },
): Promise<void> {
  for (const pair of changes.expired) {
    await tx.directPathFailure.deleteMany({ where: { ...pair, retryAt: { lte: now } } });
  }
  const retryAt = new Date(now.getTime() + DIRECT_PATH_RETRY_MS);
  for (const failure of changes.failures) {
    const pair = orderPair(nodeId, failure.peerId);
    await tx.directPathFailure.upsert({
      where: { nodeAId_nodeBId: pair },
      create: { ...pair, reason: failure.reason, reportedBy: nodeId, failedAt: now, retryAt },
      update: {},
      select: { nodeAId: true },
    });
  }
}
