import type { Prisma, TPrismaClient } from "@meshover/prisma";
import { ZConflictResolutionKind, type TRouteConflictView } from "./routing-schemas";

/** The mesh's route conflicts (or those `nodeId` is part of), by prefix, with the answers. */
export async function listRouteConflicts({
  db,
  nodeId,
}: {
  db: TPrismaClient | Prisma.TransactionClient;
  nodeId?: string;
}): Promise<TRouteConflictView[]> {
  const conflicts = await db.routeConflict.findMany({
    where: nodeId ? { nodeIds: { has: nodeId } } : {},
    orderBy: { prefix: "asc" },
  });
  if (conflicts.length === 0) return [];
  const prefixes = conflicts.map((conflict) => conflict.prefix);
  const [resolutions, nodes] = await Promise.all([
    db.routeConflictResolution.findMany({ where: { prefix: { in: prefixes } } }),
    db.node.findMany({
      where: { id: { in: [...new Set(conflicts.flatMap((conflict) => conflict.nodeIds))] } },
      select: { id: true, name: true },
    }),
  ]);
  const names = new Map(nodes.map((node) => [node.id, node.name]));
  const answers = new Map(resolutions.map((resolution) => [resolution.prefix, resolution]));
  return conflicts.map((conflict) => {
    const answer = answers.get(conflict.prefix);
    const kind = ZConflictResolutionKind.safeParse(answer?.kind);
    return {
      prefix: conflict.prefix,
      reason: conflict.reason,
      // A removed node drops out of the list (its candidates are gone with it).
      nodes: conflict.nodeIds
        .flatMap((id) => {
          const name = names.get(id);
          return name ? [{ id, name }] : [];
        })
        .sort((a, b) => a.name.localeCompare(b.name)),
      detectedAt: conflict.detectedAt,
      resolution:
        answer && kind.success
          ? {
              kind: kind.data,
              nodeId: answer.nodeId,
              nodeName: answer.nodeId ? (names.get(answer.nodeId) ?? null) : null,
              resolvedAt: answer.resolvedAt,
            }
          : null,
    };
  });
}
