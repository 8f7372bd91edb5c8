import { detectRouteOverlaps } from "@meshover/netcfg";
import type { Prisma, TPrismaClient } from "@meshover/prisma";
import type { TRouteOverlapView } from "./routing-schemas";

/**
 * Nested prefixes announced by different nodes (a /25 on n2 inside n1's /24): a warning, not
 * a conflict (see detectRouteOverlaps), computed from the candidates present and announced
 * now. With `nodeId`, only the overlaps that node is on either side of.
 */
export async function listRouteOverlaps({
  db,
  nodeId,
}: {
  db: TPrismaClient | Prisma.TransactionClient;
  nodeId?: string;
}): Promise<TRouteOverlapView[]> {
  // For one node: its own announced prefixes and every announced prefix nesting with one of
  // them (Postgres' cidr `&&`: contains or is contained by).
  const rows = await db.$queryRaw<{ nodeId: string; prefix: string }[]>`
    SELECT DISTINCT d."nodeId"::text AS "nodeId", d.prefix FROM "DiscoveredRoute" d
    WHERE d."goneAt" IS NULL AND d.verdict = 'announced'
      AND (${nodeId ?? null}::uuid IS NULL OR EXISTS (
        SELECT 1 FROM "DiscoveredRoute" m
        WHERE m."nodeId" = ${nodeId ?? null}::uuid AND m."goneAt" IS NULL
          AND m.verdict = 'announced' AND m.prefix::cidr && d.prefix::cidr))`;
  const overlaps = detectRouteOverlaps(
    rows.map((row) => ({ ...row, isEligible: true, isAnycast: false })),
  ).filter(
    (overlap) =>
      !nodeId || overlap.nodeIds.includes(nodeId) || overlap.withinNodeIds.includes(nodeId),
  );
  if (overlaps.length === 0) return [];
  const ids = [...new Set(overlaps.flatMap((o) => [...o.nodeIds, ...o.withinNodeIds]))];
  const names = new Map(
    (await db.node.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map(
      (node) => [node.id, node.name],
    ),
  );
  const named = (nodeIds: readonly string[]) =>
    nodeIds
      .flatMap((id) => {
        const name = names.get(id);
        return name ? [{ id, name }] : [];
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  return overlaps.map((overlap) => {
    const nodes = named(overlap.nodeIds);
    const withinNodes = named(overlap.withinNodeIds);
    const list = (entries: { name: string }[]) => entries.map((entry) => entry.name).join(", ");
    return {
      prefix: overlap.prefix,
      nodes,
      within: overlap.within,
      withinNodes,
      reason:
        `${overlap.prefix} on ${list(nodes)} lies inside ${overlap.within} on ${list(withinNodes)}: ` +
        `by longest match every node, ${list(withinNodes)} too, sends ${overlap.prefix} to ${list(nodes)}`,
    };
  });
}
