// Every admin action leaves an AuditEvent, written in the same transaction as the change so the
// log can never claim something that did not happen (or miss something that did).
import type { Prisma } from "@meshover/prisma";

/** Who did something: a signed-in user, or the system / CLI. */
export interface TActor {
  id: string | null;
  email: string;
  ip?: string | null;
}

/** Record `action` by `actor` on `targetType`/`targetId` with the `change` made. */
export async function writeAuditEvent(
  db: Prisma.TransactionClient,
  {
    actor,
    action,
    targetType,
    targetId,
    change,
  }: {
    actor: TActor;
    action: string;
    targetType: string;
    targetId?: string | null;
    change?: Prisma.InputJsonValue;
  },
): Promise<void> {
  await db.auditEvent.create({
    data: {
      actorId: actor.id,
      actorEmail: actor.email,
      ip: actor.ip ?? null,
      action,
      targetType,
      targetId: targetId ?? null,
      change,
    },
  });
}
