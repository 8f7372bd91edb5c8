import type { TUnderlayMode } from "@meshover/netcfg";
import type { TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent, type TActor } from "../../lib/audit";
import { ServiceError } from "../../lib/service-error";
import { commitMeshChange } from "../mesh/commit-mesh-change";

/**
 * Set how peers reach a node's underlay and whether it carries transit (a mesh change: peers'
 * tunnels and everyone's routes depend on it). A new underlay mode also forgets the node's
 * measured failures, so its direct paths are tried again at once.
 */
export async function setNodeUnderlay({
  db,
  actor,
  nodeId,
  underlayMode,
  canTransit,
  isHub,
}: {
  db: TPrismaClient;
  actor: TActor;
  nodeId: string;
  underlayMode: TUnderlayMode;
  canTransit: boolean;
  /** Unchanged when omitted. */
  isHub?: boolean;
}): Promise<{ id: string; underlayMode: TUnderlayMode; canTransit: boolean; isHub: boolean }> {
  return commitMeshChange(db, async (tx) => {
    const before = await tx.node.findUnique({
      where: { id: nodeId },
      select: { underlayMode: true, canTransit: true, isHub: true },
    });
    if (!before) throw new ServiceError("NOT_FOUND", "no such node");
    const node = await tx.node.update({
      where: { id: nodeId },
      data: { underlayMode, canTransit, ...(isHub === undefined ? {} : { isHub }) },
      select: { id: true, underlayMode: true, canTransit: true, isHub: true },
    });
    if (before.underlayMode !== underlayMode) {
      await tx.directPathFailure.deleteMany({
        where: { OR: [{ nodeAId: nodeId }, { nodeBId: nodeId }] },
      });
    }
    await writeAuditEvent(tx, {
      actor,
      action: "node.setUnderlay",
      targetType: "node",
      targetId: nodeId,
      change: { from: before, to: { underlayMode, canTransit, isHub: isHub ?? before.isHub } },
    });
    return node;
  });
}
