import type { TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent, type TActor } from "../../lib/audit";
import { generateSecret, hashSecret } from "../../lib/secrets";

/** Enrollment tokens start with this, so a leaked one is recognisable in logs and scanners. */
export const TOKEN_PREFIX = "mo_enr_";

/** A new enrollment token: `token` is shown once and never stored. */
export interface TCreatedToken {
  id: string;
  token: string;
  hint: string;
  nodeName: string | null;
  usesAllowed: number;
  expiresAt: Date;
}

/** Create an enrollment token (stored as a hash) valid `ttlSec` seconds for `usesAllowed` uses. */
export async function createToken({
  db,
  actor,
  nodeName,
  usesAllowed = 1,
  ttlSec,
  now = new Date(),
}: {
  db: TPrismaClient;
  actor: TActor;
  nodeName?: string | null;
  usesAllowed?: number;
  ttlSec: number;
  now?: Date;
}): Promise<TCreatedToken> {
  const token = generateSecret(TOKEN_PREFIX, 32);
  const hint = token.slice(0, TOKEN_PREFIX.length + 4);
  const expiresAt = new Date(now.getTime() + ttlSec * 1000);
  return db.$transaction(async (tx) => {
    const row = await tx.enrollmentToken.create({
      data: {
        tokenHash: hashSecret(token),
        hint,
        nodeName: nodeName ?? null,
        usesAllowed,
        expiresAt,
        createdById: actor.id,
      },
      select: { id: true, hint: true, nodeName: true, usesAllowed: true, expiresAt: true },
    });
    await writeAuditEvent(tx, {
      actor,
      action: "token.create",
      targetType: "token",
      targetId: row.id,
      change: { hint, nodeName: row.nodeName, usesAllowed, expiresAt: expiresAt.toISOString() },
    });
    return { ...row, token };
  });
}
