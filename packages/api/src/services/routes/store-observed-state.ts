import type { TObservedRoute, THealthReport } from "@meshover/netcfg";
import type { Prisma, TPrismaClient } from "@meshover/prisma";

/** The two kinds of observed route. */
export type TObservedRouteKind = "received" | "installed";

/**
 * Store what a report says the node's host really has: its received and installed routes (a
 * delta applied on top of the last stored set, or a full set that replaces it), the tunnels
 * and BGP neighbours present (drift), and the re-apply request it carried out. A delta whose
 * base is not the stored `routesSeq` (a lost answer, a restored database) is not applied:
 * `routesResync` asks the agent for its full set instead. One transaction, the node row locked,
 * so two reports of the same node never interleave.
 */
export async function storeObservedState({
  db,
  nodeId,
  report,
  now = new Date(),
}: {
  db: TPrismaClient;
  nodeId: string;
  report: THealthReport;
  now?: Date;
}): Promise<{ routesResync: boolean }> {
  const { routes, observed, reappliedId } = report;
  if (!routes && !observed && reappliedId === undefined) return { routesResync: false };
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ routesSeq: bigint | null; reappliedId: string | null }[]>`
      SELECT "routesSeq", "reappliedId" FROM "Node" WHERE id = ${nodeId}::uuid FOR UPDATE`;
    const node = rows[0];
    if (!node) return { routesResync: false };
    const data: Prisma.NodeUpdateInput = {};
    if (observed) data.observedMesh = observed;
    if (reappliedId !== undefined && reappliedId !== node.reappliedId) {
      data.reappliedId = reappliedId;
      data.reappliedAt = now;
    }
    let routesResync = false;
    if (routes) {
      const isFull = routes.baseSeq === null;
      if (!isFull && (node.routesSeq === null || Number(node.routesSeq) !== routes.baseSeq)) {
        routesResync = true;
      } else {
        await applyRoutes(tx, { nodeId, kind: "received", isFull, now }, routes.received);
        await applyRoutes(tx, { nodeId, kind: "installed", isFull, now }, routes.installed);
        await withdrawRoutes(tx, { nodeId, kind: "received", now }, routes.receivedGone);
        await withdrawRoutes(tx, { nodeId, kind: "installed", now }, routes.installedGone);
        data.routesSeq = BigInt(routes.seq);
      }
    }
    if (Object.keys(data).length > 0)
      await tx.node.update({ where: { id: nodeId }, data, select: { id: true } });
    return { routesResync };
  });
}

// Upsert the given routes; a full set first marks every other present route of the kind gone.
// A route that comes back counts a flap; a changed `via` or a return is its last change.
async function applyRoutes(
  tx: Prisma.TransactionClient,
  options: { nodeId: string; kind: TObservedRouteKind; isFull: boolean; now: Date },
  routes: readonly TObservedRoute[],
) {
  const { nodeId, kind, isFull, now } = options;
  if (isFull) {
    await tx.$executeRaw`
      UPDATE "ObservedRoute" SET "isPresent" = false, "lastChange" = ${now}
      WHERE "nodeId" = ${nodeId}::uuid AND kind = ${kind} AND "isPresent"
        AND NOT (prefix = ANY(${routes.map((route) => route.prefix)}::text[]))`;
  }
  if (routes.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO "ObservedRoute" ("nodeId", kind, prefix, via, "isPresent", "firstSeen", "lastChange", flaps)
    SELECT ${nodeId}::uuid, ${kind}, r.prefix, r.via, true, ${now}, ${now}, 0
    FROM jsonb_to_recordset(${JSON.stringify(routes)}::jsonb) AS r(prefix text, via text[])
    ON CONFLICT ("nodeId", kind, prefix) DO UPDATE SET
      via = EXCLUDED.via,
      "isPresent" = true,
      "lastChange" = CASE
        WHEN NOT "ObservedRoute"."isPresent" OR "ObservedRoute".via <> EXCLUDED.via
        THEN EXCLUDED."lastChange" ELSE "ObservedRoute"."lastChange" END,
      flaps = "ObservedRoute".flaps + CASE WHEN "ObservedRoute"."isPresent" THEN 0 ELSE 1 END`;
}

async function withdrawRoutes(
  tx: Prisma.TransactionClient,
  options: { nodeId: string; kind: TObservedRouteKind; now: Date },
  prefixes: readonly string[],
) {
  if (prefixes.length === 0) return;
  await tx.$executeRaw`
    UPDATE "ObservedRoute" SET "isPresent" = false, "lastChange" = ${options.now}
    WHERE "nodeId" = ${options.nodeId}::uuid AND kind = ${options.kind} AND "isPresent"
      AND prefix = ANY(${[...prefixes]}::text[])`;
}
