import type { Prisma, TPrismaClient } from "@meshover/prisma";

/** One audit log entry. */
export interface TAuditEventView {
  id: string;
  at: Date;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  change: Prisma.JsonValue;
  ip: string | null;
}

/** A page of the audit log, newest first; pass `nextCursor` back for the next page. */
export async function listAuditEvents({
  db,
  cursor,
  limit,
  action,
  targetId,
}: {
  db: TPrismaClient;
  cursor?: string | null;
  limit: number;
  action?: string;
  targetId?: string;
}): Promise<{ items: TAuditEventView[]; nextCursor: string | null }> {
  const rows = await db.auditEvent.findMany({
    where: {
      ...(cursor ? { id: { lt: BigInt(cursor) } } : {}),
      ...(action ? { action: { startsWith: action } } : {}),
      ...(targetId ? { targetId } : {}),
    },
    select: {
      id: true,
      at: true,
      actorId: true,
      actorEmail: true,
      action: true,
      targetType: true,
      targetId: true,
      change: true,
      ip: true,
    },
    orderBy: { id: "desc" },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  return {
    items: page.map((row) => ({ ...row, id: row.id.toString() })),
    nextCursor: rows.length > limit ? page.at(-1)!.id.toString() : null,
  };
}
