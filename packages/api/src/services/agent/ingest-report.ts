import type { THealthReport } from "@meshover/netcfg";
import type { Prisma, TPrismaClient } from "@meshover/prisma";
import { insertHealthSamples } from "../../lib/health-sample";
import { ServiceError, isUniqueViolation } from "../../lib/service-error";
import { isHandshakeSince } from "../key/is-handshake-since";
import { commitMeshChange } from "../mesh/commit-mesh-change";
import {
  findDirectPathChanges,
  hasDirectPathChanges,
  recordDirectPathChanges,
} from "./record-direct-paths";

function isSameList(a: readonly string[], b: readonly string[]) {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/**
 * Store an agent's health report: node facts (last seen, version, host info, endpoints,
 * applied version, apply error), one HealthSample per known peer, and key-rotation progress.
 * A new public key or new endpoints change the peers' configs, so those go through a mesh
 * change (version bump + NOTIFY). All of it is one transaction: a rejected report changes nothing.
 */
export async function ingestReport({
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
