import type { TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent, type TActor } from "../../lib/audit";
import { hashPassword } from "../../lib/secrets";
import { ServiceError } from "../../lib/service-error";

/** Set a user's password and end all their sessions (whoever held them must sign in again). */
export async function resetPassword({
  db,
  actor,
  email,
  password,
}: {
  db: TPrismaClient;
  actor: TActor;
  email: string;
  password: string;
}): Promise<{ id: string; email: string; sessionsEnded: number }> {
  const normalized = email.trim().toLowerCase();
  const passwordHash = await hashPassword(password);
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { email: normalized }, select: { id: true } });
    if (!user) throw new ServiceError("NOT_FOUND", `no user ${normalized}`);
    await tx.user.update({ where: { id: user.id }, data: { passwordHash }, select: { id: true } });
    const ended = await tx.session.deleteMany({ where: { userId: user.id } });
    await writeAuditEvent(tx, {
      actor,
      action: "user.reset_password",
      targetType: "user",
      targetId: user.id,
      change: { email: normalized, sessionsEnded: ended.count },
    });
    return { id: user.id, email: normalized, sessionsEnded: ended.count };
  });
}
