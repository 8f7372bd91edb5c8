import { randomUUID } from "node:crypto";
import type { TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent, type TActor } from "../../lib/audit";
import { ServiceError } from "../../lib/service-error";
import { commitMeshChange } from "../mesh/commit-mesh-change";

/**
 * Ask a node's agent to re-apply its config from a fresh observation of its host: a new
 * re-apply id in its config (a mesh change, so the config stream delivers it at once). The
 * agent reports the id back when done (`reappliedId`).
 */
export async function requestReapply({
  db,
  actor,
  nodeId,
  now = new Date(),
}: {
  db: TPrismaClient;
  actor: TActor;
  nodeId: string;
  now?: Date;
}): Promise<{ reapplyId: string }> {
  return commitMeshChange(db, async (tx) => {
    const node = await tx.node.findUnique({ where: { id: nodeId }, select: { name: true } });
    if (!node) throw new ServiceError("NOT_FOUND", "no such node");
    const reapplyId = randomUUID();
    await tx.node.update({
      where: { id: nodeId },
      data: { reapplyId, reapplyRequestedAt: now },
      select: { id: true },
    });
    await writeAuditEvent(tx, {
      actor,
      action: "node.reapply",
      targetType: "node",
      targetId: nodeId,
      change: { name: node.name },
    });
    return { reapplyId };
  });
}
