import type { Role, TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent } from "../../lib/audit";
import { hashPassword, hashSecret } from "../../lib/secrets";
import { ServiceError } from "../../lib/service-error";
import { createSession, type TNewSession } from "./create-session";

/** The first admin, created with the printed one-time setup code, and their session. */
export interface TSetUpAdminResult {
  session: TNewSession;
  user: { id: string; email: string; role: Role };
}

/**
 * First-run setup: redeem the one-time code printed at start (see bootstrap-admin.ts) to create
 * the first admin. Works only while no user exists and only once per code.
 */
export async function setUpAdmin({
  db,
  code,
  email,
  password,
  ip,
  userAgent,
  now = new Date(),
}: {
  db: TPrismaClient;
  code: string;
  email: string;
  password: string;
  ip: string | null;
  userAgent: string | null;
  now?: Date;
}): Promise<TSetUpAdminResult> {
  const passwordHash = await hashPassword(password);
  const normalized = email.trim().toLowerCase();
  return db.$transaction(async (tx) => {
    // Claiming the code with a conditional update makes two racing setups see one winner.
    const claimed = await tx.setupCode.updateMany({
      where: { codeHash: hashSecret(code), usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (claimed.count !== 1) {
      throw new ServiceError("UNAUTHORIZED", "the setup code is wrong, used or expired");
    }
    if ((await tx.user.count()) > 0) {
      throw new ServiceError("CONFLICT", "setup is already done; sign in instead");
    }
    const user = await tx.user.create({
      data: { email: normalized, passwordHash, role: "admin", lastLoginAt: now },
      select: { id: true, email: true, role: true },
    });
    await writeAuditEvent(tx, {
      actor: { id: user.id, email: user.email, ip },
      action: "user.setup",
      targetType: "user",
      targetId: user.id,
      change: { email: user.email, role: user.role, source: "setup-code" },
    });
    const session = await createSession({ db: tx, userId: user.id, ip, userAgent, now });
    return { session, user };
  });
}
