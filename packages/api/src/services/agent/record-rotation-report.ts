import type { TRotationReport } from "@meshover/netcfg";
import type { TPrismaClient } from "@meshover/prisma";
import { getMeshFanout } from "../../lib/mesh-fanout";
import { ServiceError } from "../../lib/service-error";
import { bumpMeshVersion } from "../mesh/commit-mesh-change";
import {
  hasRotationEvidence,
  lockMesh,
  recordNewKey,
  recordRotationEvidence,
  recordRotationProgress,
} from "./ingest-report";

/**
 * Store a rotation report (`agent.reportRotation`): the node's next key answering its pending
 * rotation (every peer then builds a tunnel to it) and handshakes on rotation tunnels (the last
 * pair's finishes the rotation and promotes the key). The same steps as in ingestReport, without
 * the rest of a health report, so a rotation does not wait on FRR reads. A next key that answers
 * takes one transaction under the mesh lock; handshakes alone lock only to finish a rotation
 * (recordRotationEvidence); the version is bumped only when a peer's config changes.
 */
export async function recordRotationReport({
  db,
  nodeId,
  report,
  now = new Date(),
}: {
  db: TPrismaClient;
  nodeId: string;
  report: TRotationReport;
  now?: Date;
}): Promise<{ meshVersion: number | null }> {
  const node = await db.node.findUnique({ where: { id: nodeId }, select: { id: true } });
  if (!node) throw new ServiceError("NOT_FOUND", "this node was removed from the mesh");
  const { nextKey } = report;
  const evidence = { peers: [], rotationTunnels: report.rotationTunnels };
  const isEvidence = hasRotationEvidence(report);
  // The rotating node sends its next key with every report; it answers the rotation once.
  const isAnswer =
    nextKey !== null &&
    (await db.keyRotation.count({
      where: { id: nextKey.rotationId, nodeId, status: "pending" },
    })) > 0;
  let version: bigint | null = null;
  if (isAnswer && nextKey) {
    version = await db.$transaction(async (tx) => {
      await lockMesh(tx);
      const answered = await tx.keyRotation.findFirst({
        where: { id: nextKey.rotationId, nodeId, status: "pending" },
        select: { id: true },
      });
      if (answered) {
        await recordNewKey(tx, { nodeId, rotationId: answered.id, key: nextKey.publicKey, now });
      }
      const isPromoted =
        isEvidence && (await recordRotationProgress(tx, { nodeId, report: evidence }));
      // An answered next key goes to every peer; a promoted key flips the pair slots.
      return answered || isPromoted ? bumpMeshVersion(tx) : null;
    });
  } else if (isEvidence) {
    version = await recordRotationEvidence(db, { nodeId, report: evidence });
  }
  if (version === null) return { meshVersion: null };
  getMeshFanout(db).publish(version);
  return { meshVersion: Number(version) };
}
