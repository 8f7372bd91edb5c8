import type { Role, TPrismaClient } from "@meshover/prisma";
import { hashSecret } from "../../lib/secrets";
import { SESSION_IDLE_MS } from "../../lib/session-cookie";

/** The signed-in user a valid session belongs to. */
export interface TSessionUser {
  sessionId: string;
  userId: string;
  email: string;
  role: Role;
}

// Writing lastSeenAt on every request would turn each dashboard poll into a write; a minute of
// slack on a twelve-hour idle timeout is harmless.
const TOUCH_AFTER_MS = 60 * 1000;

/**
 * The user behind a session cookie token, or null when the token is unknown or the session
 * passed its idle or absolute expiry (expired sessions are deleted on sight).
 */
export async function resolveSession({
  db,
  token,
  now = new Date(),
}: {
  db: TPrismaClient;
  token: string;
  now?: Date;
}): Promise<TSessionUser | null> {
  const session = await db.session.findUnique({
    where: { tokenHash: hashSecret(token) },
    select: {
      id: true,
      lastSeenAt: true,
      expiresAt: true,
      user: { select: { id: true, email: true, role: true } },
    },
  });
  if (!session) return null;
  const isExpired =
    session.expiresAt <= now || session.lastSeenAt.getTime() + SESSION_IDLE_MS <= now.getTime();
  if (isExpired) {
    await db.session.deleteMany({ where: { id: session.id } });
    return null;
  }
  if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_AFTER_MS) {
    await db.session.updateMany({ where: { id: session.id }, data: { lastSeenAt: now } });
  }
  return {
    sessionId: session.id,
    userId: session.user.id,
    email: session.user.email,
    role: session.user.role,
  };
}
