import type { TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent, type TActor } from "../../lib/audit";
import { ServiceError, isUniqueViolation } from "../../lib/service-error";
import { commitMeshChange } from "../mesh/commit-mesh-change";

/** Rename a node (peers show names, so it is a mesh change). */
export async function renameNode({
  db,
  actor,
  nodeId,
  name,
}: {
  db: TPrismaClient;
  actor: TActor;
  nodeId: string;
  name: string;
}): Promise<{ id: string; name: string }> {
  try {
    return await commitMeshChange(db, async (tx) => {
      const before = await tx.node.findUnique({ where: { id: nodeId }, select: { name: true } });
      if (!before) throw new ServiceError("NOT_FOUND", "no such node");
      const node = await tx.node.update({
        where: { id: nodeId },
        data: { name },
        select: { id: true, name: true },
      });
      await writeAuditEvent(tx, {
        actor,
        action: "node.rename",
        targetType: "node",
        targetId: nodeId,
        change: { from: before.name, to: name },
      });
      return node;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ServiceError("CONFLICT", `a node named "${name}" already exists`);
    }
    throw error;
  }
}
