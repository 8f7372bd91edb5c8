import type { Prisma, TPrismaClient } from "@meshover/prisma";
import { ServiceError } from "../../lib/service-error";
import { readRoutingContext, readStoredSources } from "./read-routing-context";
import type { TNodeRoutingView } from "./routing-schemas";

/** A node's routing policy (the defaults when none was set) with the sources in effect. */
export async function readNodeRouting({
  db,
  nodeId,
}: {
  db: TPrismaClient | Prisma.TransactionClient;
  nodeId: string;
}): Promise<TNodeRoutingView> {
  const [node, context] = await Promise.all([
    db.node.findUnique({
      where: { id: nodeId },
      select: {
        routing: {
          select: {
            mayOriginate: true,
            exitNode: true,
            maxPrefixes: true,
            sources: true,
            updatedAt: true,
          },
        },
        allowedRanges: {
          select: { prefix: true, maxLength: true, anycast: true, description: true },
          orderBy: { prefix: "asc" },
        },
      },
    }),
    readRoutingContext(db),
  ]);
  if (!node) throw new ServiceError("NOT_FOUND", "no such node");
  const sources = readStoredSources(node.routing?.sources, null);
  return {
    nodeId,
    mayOriginate: node.routing?.mayOriginate ?? false,
    exitNode: node.routing?.exitNode ?? false,
    maxPrefixes: node.routing?.maxPrefixes ?? 1000,
    allowedRanges: node.allowedRanges,
    sources,
    effectiveSources: sources ?? context.defaultSources,
    updatedAt: node.routing?.updatedAt ?? null,
  };
}
