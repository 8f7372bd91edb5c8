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
  /** The target's name (node name, user e-mail, token hint) when it can be told. */
  targetName: z.string().nullable(),
});

/** A page of the audit log. */
export const ZAuditEventPage = z.object({
  items: z.array(ZAuditEventView),
  /** Pass back as `cursor` for the next page; null on the last one. */
  nextCursor: z.string().nullable(),
});

/** One audit log entry. */
export type TAuditEventView = z.infer<typeof ZAuditEventView>;

function readString(change: Prisma.JsonValue, key: string): string | null {
  if (!change || typeof change !== "object" || Array.isArray(change)) return null;
  const value = change[key];
  return typeof value === "string" ? value : null;
}

// Names instead of UUIDs: live nodes and users by id; removed ones from what their event kept.
async function readTargetNames(
  db: TPrismaClient,
  rows: { targetType: string; targetId: string | null; change: Prisma.JsonValue }[],
): Promise<Map<string, string>> {
  const ids = (type: string) => [
    ...new Set(rows.filter((r) => r.targetType === type && r.targetId).map((r) => r.targetId!)),
  ];
  const isUuid = (id: string) => /^[0-9a-f-]{36}$/i.test(id);
  const [nodes, users] = await Promise.all([
    db.node.findMany({
      where: { id: { in: ids("node").filter(isUuid) } },
      select: { id: true, name: true },
    }),
    db.user.findMany({
      where: { id: { in: ids("user").filter(isUuid) } },
      select: { id: true, email: true },
    }),
  ]);
  const names = new Map<string, string>();
  for (const row of rows) {
    if (!row.targetId) continue;
    const kept =
      readString(row.change, "name") ??
      readString(row.change, "node") ??
      readString(row.change, "email") ??
      (readString(row.change, "hint") ? `…${readString(row.change, "hint")}` : null);
    if (kept && !names.has(row.targetId)) names.set(row.targetId, kept);
  }
  for (const node of nodes) names.set(node.id, node.name);
  for (const user of users) names.set(user.id, user.email);
  return names;
}

// Free-text search: action, actor, target type, IP, and the change's text (node names kept in
// it, prefixes, e-mails).
async function buildSearch(db: TPrismaClient, query: string): Promise<Prisma.AuditEventWhereInput> {
  const pattern = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const [changed, nodes] = await Promise.all([
    db.$queryRaw<{ id: bigint }[]>`
      SELECT id FROM "AuditEvent" WHERE change::text ILIKE ${pattern} ORDER BY id DESC LIMIT 2000`,
    db.node.findMany({
      where: { name: { contains: query, mode: "insensitive" } },
      select: { id: true },
    }),
  ]);
  const contains = { contains: query, mode: "insensitive" } as const;
  return {
    OR: [
      { action: contains },
      { actorEmail: contains },
      { targetType: contains },
      { ip: contains },
      { id: { in: changed.map((row) => row.id) } },
      { targetId: { in: nodes.map((node) => node.id) } },
    ],
  };
}

/** A page of the audit log, newest first; pass `nextCursor` back for the next page. */
export async function listAuditEvents({
  db,
  cursor,
  limit,
  action,
  targetId,
  query,
}: {
  db: TPrismaClient;
  cursor?: string | null;
  limit: number;
  action?: string;
  targetId?: string;
  /** Free text: action, actor, target type, IP, node names and the change's text. */
  query?: string;
}): Promise<z.infer<typeof ZAuditEventPage>> {
  const search = query?.trim() ? await buildSearch(db, query.trim()) : {};
  const rows = await db.auditEvent.findMany({
    where: {
      ...search,
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
  const names = await readTargetNames(db, page);
  return {
    items: page.map((row) => ({
      ...row,
      id: row.id.toString(),
      targetName: row.targetId ? (names.get(row.targetId) ?? null) : null,
    })),
    nextCursor: rows.length > limit ? page.at(-1)!.id.toString() : null,
  };
}
