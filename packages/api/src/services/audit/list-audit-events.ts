import { z } from "zod";
import type { Prisma, TPrismaClient } from "@meshover/prisma";

/** One audit log entry. */
export const ZAuditEventView = z.object({
  id: z.string(),
  at: z.date(),
  actorId: z.string().nullable(),
  actorEmail: z.string().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  /** What changed, as the action recorded it (JSON the controller wrote itself). */
  change: z.custom<Prisma.JsonValue>(),
  ip: z.string().nullable(),
});

/** A page of the audit log. */
export const ZAuditEventPage = z.object({
  items: z.array(ZAuditEventView),
  /** Pass back as `cursor` for the next page; null on the last one. */
  nextCursor: z.string().nullable(),
});

/** One audit log entry. */
export type TAuditEventView = z.infer<typeof ZAuditEventView>;

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
}): Promise<z.infer<typeof ZAuditEventPage>> {
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
