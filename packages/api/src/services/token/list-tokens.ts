import type { TPrismaClient } from "@meshover/prisma";

/** Where an enrollment token stands. */
export type TTokenStatus = "active" | "expired" | "used" | "revoked";

/** An enrollment token as lists show it (never the token itself: only its hint). */
export interface TTokenSummary {
  id: string;
  hint: string;
  nodeName: string | null;
  usesAllowed: number;
  usesCount: number;
  expiresAt: Date;
  revokedAt: Date | null;
  createdAt: Date;
  status: TTokenStatus;
}

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
