import { detectRouteConflicts, judgeRoutePrefix, type TRouteConflict } from "@meshover/netcfg";
import type { Prisma } from "@meshover/prisma";
import { readNodePolicies, readRoutingContext } from "./read-routing-context";

/** What a refresh changed. */
export interface TConflictRefresh {
  /** The conflict set changed: nodes' withheld prefixes (their configs) change with it. */
  isChanged: boolean;
  opened: TRouteConflict[];
  closed: string[];
}

function isSameNodes(a: readonly string[], b: readonly string[]) {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/**
 * Recompute the conflicts of `prefixes` from the candidates present on every node and each
 * node's policy (a candidate counts when the policy would announce it), store the difference
 * (RouteConflict rows) and record a MeshEvent per conflict opened or closed. Runs inside the
 * caller's transaction, which must hold the Setting row lock (mesh changes and candidate ingest
 * both do), so two nodes reporting the same prefix at once cannot both miss each other.
 */
export async function refreshRouteConflicts(
  tx: Prisma.TransactionClient,
  { prefixes, causeNodeId, now }: { prefixes: Iterable<string>; causeNodeId: string; now: Date },
): Promise<TConflictRefresh> {
  const wanted = [...new Set(prefixes)];
  if (wanted.length === 0) return { isChanged: false, opened: [], closed: [] };
  const [present, stored] = await Promise.all([
    tx.$queryRaw<{ nodeId: string; prefix: string }[]>`
      SELECT DISTINCT "nodeId"::text AS "nodeId", prefix FROM "DiscoveredRoute"
      WHERE prefix = ANY(${wanted}::text[]) AND "goneAt" IS NULL`,
    tx.routeConflict.findMany({
      where: { prefix: { in: wanted } },
      select: { prefix: true, nodeIds: true, reason: true },
    }),
  ]);
  // A prefix on one node only cannot conflict: judge just the shared ones.
  const nodesByPrefix = new Map<string, number>();
  for (const row of present)
    nodesByPrefix.set(row.prefix, (nodesByPrefix.get(row.prefix) ?? 0) + 1);
  const shared = present.filter((row) => (nodesByPrefix.get(row.prefix) ?? 0) > 1);
  let detected: TRouteConflict[] = [];
  if (shared.length > 0) {
    const [context, policies] = await Promise.all([
      readRoutingContext(tx),
      readNodePolicies(tx, [...new Set(shared.map((row) => row.nodeId))]),
    ]);
    detected = detectRouteConflicts(
      shared.map((row) => {
        const policy = policies.get(row.nodeId);
        const verdict = policy ? judgeRoutePrefix(row.prefix, policy, context) : null;
        return {
          nodeId: row.nodeId,
          prefix: row.prefix,
          isEligible: verdict?.refusal === null,
          isAnycast: verdict?.refusal === null ? verdict.range.anycast : false,
        };
      }),
    );
  }
  const before = new Map(stored.map((row) => [row.prefix, row]));
  const after = new Map(detected.map((conflict) => [conflict.prefix, conflict]));
  const opened = detected.filter((conflict) => !before.has(conflict.prefix));
  const changed = detected.filter((conflict) => {
    const old = before.get(conflict.prefix);
    return old && (!isSameNodes(old.nodeIds, conflict.nodeIds) || old.reason !== conflict.reason);
  });
  const closed = stored.filter((row) => !after.has(row.prefix)).map((row) => row.prefix);
  if (closed.length > 0) await tx.routeConflict.deleteMany({ where: { prefix: { in: closed } } });
  if (opened.length > 0) {
    await tx.routeConflict.createMany({
      data: opened.map((conflict) => ({ ...conflict, detectedAt: now })),
    });
  }
  for (const conflict of changed) {
    await tx.routeConflict.update({
      where: { prefix: conflict.prefix },
      data: { nodeIds: conflict.nodeIds, reason: conflict.reason },
      select: { prefix: true },
    });
  }
  if (opened.length > 0 || closed.length > 0) {
    const names = new Map(
      (
        await tx.node.findMany({
          where: { id: { in: opened.flatMap((conflict) => conflict.nodeIds) } },
          select: { id: true, name: true },
        })
      ).map((node) => [node.id, node.name]),
    );
    await tx.meshEvent.createMany({
      data: [
        ...opened.map((conflict) => ({
          at: now,
          nodeId: causeNodeId,
          kind: "route_conflict",
          detail: `${conflict.prefix} withheld on ${conflict.nodeIds
            .map((id) => names.get(id) ?? id)
            .join(", ")}: ${conflict.reason}`,
        })),
        ...closed.map((prefix) => ({
          at: now,
          nodeId: causeNodeId,
          kind: "route_conflict_cleared",
          detail: `${prefix} is no longer announced by several nodes`,
        })),
      ],
    });
  }
  return { isChanged: opened.length + changed.length + closed.length > 0, opened, closed };
}
