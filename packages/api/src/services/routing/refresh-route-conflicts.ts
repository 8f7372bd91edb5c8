import {
  createRoutePrefixJudge,
  detectRouteConflicts,
  type TRouteConflict,
} from "@meshover/netcfg";
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

/** Timestamp text for a raw statement (UTC, like Prisma's own columns). */
export function toSqlTimestamp(at: Date): string {
  return at.toISOString().replace(/Z$/, "");
}

/** Events listed one by one up to this many; beyond it one event sums up the rest. */
const MAX_EVENTS_LISTED = 10;

// One timeline line per conflict opened or closed; a burst (a node reporting hundreds of VIPs a
// peer also has) becomes a few lines plus one "and N more", not hundreds.
async function describeConflictEvents(
  tx: Prisma.TransactionClient,
  {
    opened,
    closed,
    causeNodeId,
    now,
  }: { opened: TRouteConflict[]; closed: string[]; causeNodeId: string; now: Date },
) {
  const listed = opened.slice(0, MAX_EVENTS_LISTED);
  const names = new Map(
    (
      await tx.node.findMany({
        where: { id: { in: [...new Set(listed.flatMap((conflict) => conflict.nodeIds))] } },
        select: { id: true, name: true },
      })
    ).map((node) => [node.id, node.name]),
  );
  const event = (kind: string, detail: string) => ({ at: now, nodeId: causeNodeId, kind, detail });
  const events = listed.map((conflict) =>
    event(
      "route_conflict",
      `${conflict.prefix} withheld on ${conflict.nodeIds
        .map((id) => names.get(id) ?? id)
        .join(", ")}: ${conflict.reason}`,
    ),
  );
  if (opened.length > listed.length) {
    events.push(
      event(
        "route_conflict",
        `${opened.length - listed.length} more prefixes withheld as conflicts`,
      ),
    );
  }
  const listedClosed = closed.slice(0, MAX_EVENTS_LISTED);
  events.push(
    ...listedClosed.map((prefix) =>
      event("route_conflict_cleared", `${prefix} is no longer announced by several nodes`),
    ),
  );
  if (closed.length > listedClosed.length) {
    events.push(
      event(
        "route_conflict_cleared",
        `${closed.length - listedClosed.length} more conflicts are over`,
      ),
    );
  }
  return events;
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
    tx.$queryRaw<{ prefix: string; nodeIds: string[]; reason: string }[]>`
      SELECT prefix, "nodeIds", reason FROM "RouteConflict" WHERE prefix = ANY(${wanted}::text[])`,
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
    const judge = createRoutePrefixJudge(context);
    detected = detectRouteConflicts(
      shared.map((row) => {
        const policy = policies.get(row.nodeId);
        const verdict = policy ? judge(row.prefix, policy) : null;
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
  if (closed.length > 0) {
    await tx.$executeRaw`DELETE FROM "RouteConflict" WHERE prefix = ANY(${closed}::text[])`;
  }
  const written = [...opened, ...changed];
  if (written.length > 0) {
    await tx.$executeRaw`
      INSERT INTO "RouteConflict" (prefix, "nodeIds", reason, "detectedAt")
      SELECT c.prefix, ARRAY(SELECT json_array_elements_text(c."nodeIds")), c.reason,
        ${toSqlTimestamp(now)}::timestamp
      FROM json_to_recordset(${JSON.stringify(written)}::json) AS c(prefix text, "nodeIds" json,
        reason text)
      ON CONFLICT (prefix) DO UPDATE SET "nodeIds" = EXCLUDED."nodeIds", reason = EXCLUDED.reason`;
  }
  if (opened.length > 0 || closed.length > 0) {
    await tx.meshEvent.createMany({
      data: await describeConflictEvents(tx, { opened, closed, causeNodeId, now }),
    });
  }
  return { isChanged: opened.length + changed.length + closed.length > 0, opened, closed };
}
