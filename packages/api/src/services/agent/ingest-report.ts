import type { THealthReport } from "@meshover/netcfg";
import type { Prisma, TPrismaClient } from "@meshover/prisma";
import { insertHealthSamples } from "../../lib/health-sample";
import { ServiceError, isUniqueViolation } from "../../lib/service-error";
import { readPreviousReport, type TPreviousReport } from "../events/record-report-events";
import { isHandshakeSince } from "../key/is-handshake-since";
import { commitMeshChange } from "../mesh/commit-mesh-change";
import {
  ingestRouteCandidates,
  normalizeRouteCandidates,
} from "../routing/ingest-route-candidates";
import { storeObservedState } from "../routes/store-observed-state";
import { ingestRoutineReport, type TReportOptions } from "./ingest-routine-report";
import {
  findDirectPathChanges,
  hasDirectPathChanges,
  recordDirectPathChanges,
} from "./record-direct-paths";

function isSameList(a: readonly string[], b: readonly string[]) {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/** What storing a report did. */
export interface TIngestedReport {
  /** The mesh version the report's changes committed (a new key, endpoints, conflicts), if any. */
  meshVersion: number | null;
  /** What the timeline compares the report with: the node's state before it. */
  previous: TPreviousReport;
  /** The route delta did not fit the stored set: the agent must send its full set next. */
  routesResync: boolean;
}

/**
 * Store an agent's health report, whichever of its parts it carries: node facts and samples
 * (the fast case, one statement, for a routine report; the general case for the rest), then
 * the route candidates and the observed routes, which both cases leave apart.
 */
export async function ingestReport(options: TReportOptions): Promise<TIngestedReport> {
  const { db, nodeId, report, now } = options;
  // A candidate that is no prefix refuses the whole report before anything is stored.
  const candidates =
    report.routeCandidates === null ? null : normalizeRouteCandidates(report.routeCandidates);
  let previous = await ingestRoutineReport(options);
  const isRoutine = previous !== null;
  let meshVersion: number | null = null;
  if (!previous) {
    // The timeline compares this report with the samples before it (read before they are
    // replaced as the latest).
    previous = await readPreviousReport({
      db,
      nodeId,
      peerIds: report.peers.map((peer) => peer.peerId),
    });
    ({ meshVersion } = await ingestGeneralReport(options));
  }
  // Null: the candidates did not change since the last accepted report.
  if (candidates !== null) {
    const routes = await ingestRouteCandidates({ db, nodeId, candidates, now });
    if (routes.meshVersion !== null) meshVersion = Number(routes.meshVersion);
  }
  // The fast case stored the observed mesh and the re-apply request already.
  const { routesResync } = await storeObservedState({
    db,
    nodeId,
    report: isRoutine ? { ...report, observed: undefined, reappliedId: undefined } : report,
    now,
  });
  return { meshVersion, previous, routesResync };
}

/**
 * The general case of `ingestReport` (a new key or endpoints, a rotation to advance, a direct
 * path to record): node facts (last seen, version, host info, endpoints, applied version,
 * apply error), one HealthSample per known peer, and key-rotation progress.
 * A new public key or new endpoints change the peers' configs, so those go through a mesh
 * change (version bump + NOTIFY). All of it is one transaction: a rejected report changes nothing.
 */
export async function ingestGeneralReport({
  db,
  nodeId,
  report,
  now = new Date(),
}: {
  db: TPrismaClient;
  nodeId: string;
  report: THealthReport;
  now?: Date;
}): Promise<{ meshVersion: number | null }> {
  const node = await db.node.findUnique({
    where: { id: nodeId },
    select: { publicKey: true, endpoints: true },
  });
  if (!node) throw new ServiceError("NOT_FOUND", "this node was removed from the mesh");
  const isKeyChanged = node.publicKey !== report.publicKey;
  const paths = await findDirectPathChanges({ db, nodeId, report, now });
  const isMeshChange =
    isKeyChanged || !isSameList(node.endpoints, report.endpoints) || hasDirectPathChanges(paths);

  const write = async (tx: Prisma.TransactionClient) => {
    await tx.node.update({
      where: { id: nodeId },
      data: {
        lastSeenAt: now,
        agentVersion: report.agentVersion,
        hostInfo: report.hostInfo,
        endpoints: report.endpoints,
        publicKey: report.publicKey,
        appliedConfigVersion: report.appliedVersion === null ? null : BigInt(report.appliedVersion),
        applyError: report.applyError,
      },
      select: { id: true },
    });
    if (isKeyChanged) await recordNewKey(tx, { nodeId, report, now });
    await insertHealthSamples(tx, {
      nodeId,
      at: now,
      peers: report.peers.filter((peer) => peer.peerId !== nodeId),
    });
    await recordRotationProgress(tx, { nodeId, report });
    if (hasDirectPathChanges(paths))
      await recordDirectPathChanges(tx, { nodeId, changes: paths, now });
  };

  try {
    if (isMeshChange) {
      const version = await commitMeshChange(db, async (tx) => {
        await write(tx);
        const row = await tx.setting.findUniqueOrThrow({
          where: { id: 1 },
          select: { meshVersion: true },
        });
        return row.meshVersion;
      });
      return { meshVersion: Number(version) };
    }
    // One transaction for the common case too: a report that fails part-way (a sample or a
    // rotation update refused) must not leave the node's facts half updated.
    await db.$transaction(write);
    return { meshVersion: null };
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ServiceError("CONFLICT", "another node already uses this WireGuard public key");
    }
    throw error;
  }
}

// The node reported a new key: if it answers the pending rotation, the rotation moves on to
// waiting for every peer's handshake with it.
async function recordNewKey(
  tx: Prisma.TransactionClient,
  { nodeId, report, now }: { nodeId: string; report: THealthReport; now: Date },
) {
  if (!report.rotationId) return;
  const rotation = await tx.keyRotation.findFirst({
    where: { id: report.rotationId, nodeId, status: "pending" },
    select: { id: true },
  });
  if (!rotation) return;
  const peers = await tx.node.findMany({
    where: { id: { not: nodeId }, publicKey: { not: null } },
    select: { id: true },
  });
  const progress = Object.fromEntries(peers.map((peer) => [peer.id, "waiting"]));
  await tx.keyRotation.update({
    where: { id: rotation.id },
    data: {
      status: peers.length === 0 ? "done" : "reported",
      newPublicKey: report.publicKey,
      reportedAt: now,
      peerProgress: progress,
      completedAt: peers.length === 0 ? now : null,
    },
    select: { id: true },
  });
}

// A peer that handshook with a rotating node's new key since it was reported marks its part of
// that rotation done; jsonb_set keeps concurrent reports from overwriting each other.
async function recordRotationProgress(
  tx: Prisma.TransactionClient,
  { nodeId, report }: { nodeId: string; report: THealthReport },
) {
  const seen = report.peers.filter((peer) => peer.peerPublicKey && peer.handshakeAt);
  if (seen.length === 0) return;
  const rotations = await tx.keyRotation.findMany({
    where: { status: "reported", nodeId: { in: seen.map((peer) => peer.peerId) } },
    select: { id: true, nodeId: true, newPublicKey: true, reportedAt: true },
  });
  for (const rotation of rotations) {
    const peer = seen.find((candidate) => candidate.peerId === rotation.nodeId);
    if (!peer || peer.peerPublicKey !== rotation.newPublicKey || !rotation.reportedAt) continue;
    if (!isHandshakeSince(new Date(peer.handshakeAt!), rotation.reportedAt)) continue;
    await tx.$executeRaw`
      UPDATE "KeyRotation"
      SET "peerProgress" = jsonb_set("peerProgress", ARRAY[${nodeId}]::text[], '"done"'::jsonb)
      WHERE id = ${rotation.id}::uuid AND "peerProgress" ? ${nodeId}`;
    await tx.$executeRaw`
      UPDATE "KeyRotation" SET status = 'done', "completedAt" = now()
      WHERE id = ${rotation.id}::uuid AND status = 'reported'
        AND NOT EXISTS (SELECT 1 FROM jsonb_each_text("peerProgress") p WHERE p.value <> 'done')`;
  }
}
