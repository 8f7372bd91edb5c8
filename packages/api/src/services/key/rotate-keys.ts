import type { TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent, type TActor } from "../../lib/audit";
import { ServiceError } from "../../lib/service-error";
import { commitMeshChange } from "../mesh/commit-mesh-change";

/**
 * Ask nodes to rotate their WireGuard key: one KeyRotation per node (pending), which the
 * node's next config carries. The agent makes a new key pair, reports the public key with the
 * rotation id, peers pick it up, and each peer's handshake with the new key completes it.
 * A node with a rotation already in progress keeps that one.
 */
export async function rotateKeys({
  db,
  actor,
  nodeIds,
}: {
  db: TPrismaClient;
  actor: TActor;
  /** The nodes to rotate; null means every node. */
  nodeIds: string[] | null;
}): Promise<{ rotations: { id: string; nodeId: string }[] }> {
  return commitMeshChange(db, async (tx) => {
    const nodes = await tx.node.findMany({
      where: nodeIds ? { id: { in: nodeIds } } : {},
      // Rotations run one at a time in request order (load-node-configs): by index within one.
      orderBy: { index: "asc" },
      select: {
        id: true,
        name: true,
        publicKey: true,
        rotations: {
          where: { status: { in: ["pending", "reported"] } },
          select: { id: true },
          take: 1,
        },
      },
    });
    if (nodeIds && nodes.length !== new Set(nodeIds).size) {
      throw new ServiceError("NOT_FOUND", "no such node");
    }
    const rotations: { id: string; nodeId: string }[] = [];
    for (const node of nodes) {
      const running = node.rotations[0];
      if (running) {
        rotations.push({ id: running.id, nodeId: node.id });
        continue;
      }
      const created = await tx.keyRotation.create({
        data: { nodeId: node.id, oldPublicKey: node.publicKey, requestedById: actor.id },
        select: { id: true, nodeId: true },
      });
      rotations.push(created);
      await writeAuditEvent(tx, {
        actor,
        action: "key.rotate",
        targetType: "node",
        targetId: node.id,
        change: { rotationId: created.id, node: node.name, oldPublicKey: node.publicKey },
      });
    }
    return { rotations };
  });
}
