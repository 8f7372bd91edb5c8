import type { TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent, type TActor } from "../../lib/audit";

/** End a session (server side: the cookie alone is worthless afterwards). */
export async function logOut({
  db,
  sessionId,
  actor,
}: {
  db: TPrismaClient;
  sessionId: string;
  actor: TActor;
}): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.session.deleteMany({ where: { id: sessionId } });
    await writeAuditEvent(tx, {
      actor,
      action: "auth.logout",
      targetType: "user",
      targetId: actor.id,
    });
  });
}
