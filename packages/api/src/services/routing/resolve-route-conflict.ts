import { normalizePrefix } from "@meshover/netcfg";
import type { TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent, type TActor } from "../../lib/audit";
import { ServiceError } from "../../lib/service-error";
import { commitMeshChange } from "../mesh/commit-mesh-change";
import type { TConflictResolutionKind } from "./routing-schemas";

/**
 * Answer a route conflict: `node` lets only `nodeId` announce the prefix, `anycast` lets every
 * node announce it (one network on purpose), `withhold` keeps it back everywhere (to renumber;
 * the warning is acknowledged), `reopen` forgets the answer. A mesh change (the nodes' withheld
 * prefixes follow the answer). Audited.
 */
export async function resolveRouteConflict({
  db,
  actor,
  prefix,
  kind,
  nodeId = null,
}: {
  db: TPrismaClient;
  actor: TActor;
  prefix: string;
  kind: TConflictResolutionKind | "reopen";
  nodeId?: string | null;
}): Promise<void> {
  const normalized = normalizePrefix(prefix);
  await commitMeshChange(db, async (tx) => {
    const conflict = await tx.routeConflict.findUnique({
      where: { prefix: normalized },
      select: { nodeIds: true },
    });
    const existing = await tx.routeConflictResolution.findUnique({ where: { prefix: normalized } });
    if (!conflict && !existing) {
      throw new ServiceError("NOT_FOUND", `${normalized} is not in conflict`);
    }
    if (kind === "node" && (!nodeId || !conflict?.nodeIds.includes(nodeId))) {
      throw new ServiceError("BAD_REQUEST", `choose one of the nodes that have ${normalized}`, [
        "nodeId",
      ]);
    }
    if (kind === "reopen") {
      await tx.routeConflictResolution.deleteMany({ where: { prefix: normalized } });
    } else {
      const data = {
        kind,
        nodeId: kind === "node" ? nodeId : null,
        resolvedById: actor.id,
        resolvedAt: new Date(),
      };
      await tx.routeConflictResolution.upsert({
        where: { prefix: normalized },
        create: { prefix: normalized, ...data },
        update: data,
        select: { prefix: true },
      });
    }
    await writeAuditEvent(tx, {
      actor,
      action: "routes.resolve_conflict",
      targetType: "prefix",
      targetId: normalized,
      change: {
        from: existing ? { kind: existing.kind, nodeId: existing.nodeId } : null,
        to: kind === "reopen" ? null : { kind, nodeId: kind === "node" ? nodeId : null },
      },
    });
  });
}
