import type { TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent, type TActor } from "../../lib/audit";
import { ServiceError } from "../../lib/service-error";

/** Revoke an enrollment token so it can no longer enroll anything (idempotent). */
export async function revokeToken({
  db,
  actor,
  tokenId,
  now = new Date(),
}: {
  db: TPrismaClient;
  actor: TActor;
  tokenId: string;
  now?: Date;
}): Promise<{ id: string; revokedAt: Date }> {
  return db.$transaction(async (tx) => {
    const token = await tx.enrollmentToken.findUnique({
      where: { id: tokenId },
      select: { id: true, hint: true, revokedAt: true },
    });
    if (!token) throw new ServiceError("NOT_FOUND", "no such enrollment token");
    if (token.revokedAt) return { id: token.id, revokedAt: token.revokedAt };
    await tx.enrollmentToken.update({
      where: { id: tokenId },
      data: { revokedAt: now },
      select: { id: true },
    });
    await writeAuditEvent(tx, {
      actor,
      action: "token.revoke",
      targetType: "token",
      targetId: tokenId,
      change: { hint: token.hint },
    });
    return { id: token.id, revokedAt: now };
  });
}
