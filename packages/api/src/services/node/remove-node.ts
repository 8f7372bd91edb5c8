import type { TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent, type TActor } from "../../lib/audit";
import { ServiceError } from "../../lib/service-error";
import { commitMeshChange } from "../mesh/commit-mesh-change";
import { refreshNodeConflicts } from "../routing/update-node-routing";

/**
 * Remove a node: its credentials, prefixes and history go with it, and the mesh change drops
 * it from every peer's config, so each peer tears its tunnel down.
 */
export async function removeNode({
  db,
  actor,
  nodeId,
}: {
  db: TPrismaClient;
  actor: TActor;
  nodeId: string;
}): Promise<{ id: string; name: string }> {
  return commitMeshChange(db, async (tx) => {
    const node = await tx.node.findUnique({
      where: { id: nodeId },
      select: { id: true, name: true, index: true, ipv4: true, ipv6: true, asn: true },
    });
    if (!node) throw new ServiceError("NOT_FOUND", "no such node");
    await tx.node.delete({ where: { id: nodeId }, select: { id: true } });
    // Its route candidates went with it: conflicts it was part of may be over.
    await refreshNodeConflicts(tx, nodeId);
    // Rotations of other nodes no longer wait for this one.
    await tx.$executeRaw`
      UPDATE "KeyRotation" SET "peerProgress" = "peerProgress" - ${nodeId}
      WHERE status = 'reported' AND "peerProgress" ? ${nodeId}`;
    await writeAuditEvent(tx, {
      actor,
      action: "node.remove",
      targetType: "node",
      targetId: nodeId,
      change: { ...node, asn: Number(node.asn) },
    });
    return { id: node.id, name: node.name };
  });
}
