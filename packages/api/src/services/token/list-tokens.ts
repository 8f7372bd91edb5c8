import { z } from "zod";
import type { TPrismaClient } from "@meshover/prisma";

/** An enrollment token in lists (hint only). */
export const ZTokenSummary = z.object({
  id: z.uuid(),
  hint: z.string(),
  nodeName: z.string().nullable(),
  usesAllowed: z.number().int(),
  usesCount: z.number().int(),
  expiresAt: z.date(),
  revokedAt: z.date().nullable(),
  createdAt: z.date(),
  status: z.enum(["active", "expired", "used", "revoked"]),
});

/** An enrollment token as lists show it (never the token itself: only its hint). */
export type TTokenSummary = z.infer<typeof ZTokenSummary>;
/** Where an enrollment token stands. */
export type TTokenStatus = TTokenSummary["status"];

/** Every enrollment token, newest first. */
export async function listTokens({
  db,
  now = new Date(),
}: {
  db: TPrismaClient;
  now?: Date;
}): Promise<TTokenSummary[]> {
  const rows = await db.enrollmentToken.findMany({
    select: {
      id: true,
      hint: true,
      nodeName: true,
      usesAllowed: true,
      usesCount: true,
      expiresAt: true,
      revokedAt: true,
      createdAt: true,
    },
    orderBy: { createdAt: "desc" },
  });
  return rows.map((row) => ({
    ...row,
    status: row.revokedAt
      ? "revoked"
      : row.usesCount >= row.usesAllowed
        ? "used"
        : row.expiresAt <= now
          ? "expired"
          : "active",
  }));
}
