import { ZRouteRefusal, ZRouteSourceKind } from "@meshover/netcfg";
import type { TPrismaClient } from "@meshover/prisma";
import { ServiceError } from "../../lib/service-error";
import { listRouteConflicts } from "./list-route-conflicts";
import { listRouteOverlaps } from "./list-route-overlaps";
import type { TRouteCandidateView } from "./routing-schemas";

/**
 * Every route candidate a node reported (present first, then the ones that went away), each
 * with its verdict, first seen, last change and flaps, the conflict it is part of and the
 * overlaps (nested prefixes of other nodes) it is on either side of.
 */
export async function listRouteCandidates({
  db,
  nodeId,
}: {
  db: TPrismaClient;
  nodeId: string;
}): Promise<TRouteCandidateView[]> {
  const node = await db.node.findUnique({ where: { id: nodeId }, select: { id: true } });
  if (!node) throw new ServiceError("NOT_FOUND", "no such node");
  const [rows, conflicts, overlaps] = await Promise.all([
    db.discoveredRoute.findMany({
      where: { nodeId },
      orderBy: [{ goneAt: { sort: "desc", nulls: "first" } }, { prefix: "asc" }, { source: "asc" }],
      take: 5000,
    }),
    listRouteConflicts({ db, nodeId }),
    listRouteOverlaps({ db, nodeId }),
  ]);
  const byPrefix = new Map(conflicts.map((conflict) => [conflict.prefix, conflict]));
  return rows.map((row) => ({
    prefix: row.prefix,
    source: ZRouteSourceKind.catch("static").parse(row.source),
    interface: row.interface,
    protocol: row.protocol,
    speaker: row.speaker,
    verdict: row.verdict === "announced" ? "announced" : "refused",
    refusal: row.refusal === null ? null : ZRouteRefusal.catch("withheld").parse(row.refusal),
    detail: row.detail,
    firstSeenAt: row.firstSeenAt,
    lastChangeAt: row.lastChangeAt,
    flapCount: row.flapCount,
    isPresent: row.goneAt === null,
    conflict: row.goneAt === null ? (byPrefix.get(row.prefix) ?? null) : null,
    overlaps:
      row.goneAt === null && row.verdict === "announced"
        ? overlaps.filter(
            (overlap) =>
              (overlap.prefix === row.prefix && overlap.nodes.some((n) => n.id === nodeId)) ||
              (overlap.within === row.prefix && overlap.withinNodes.some((n) => n.id === nodeId)),
          )
        : [],
  }));
}
