import type { Prisma } from "@meshover/prisma";
import { generateSecret, hashSecret } from "../../lib/secrets";
import { SESSION_ABSOLUTE_MS } from "../../lib/session-cookie";

/** A new session: the token goes into the cookie, only its hash into the database. */
export interface TNewSession {
  token: string;
  expiresAt: Date;
}

/** Open a server-side session for `userId`; the absolute expiry starts now. */
export async function createSession({
  db,
  userId,
  ip,
  userAgent,
  now = new Date(),
}: {
  db: Prisma.TransactionClient;
  userId: string;
  ip: string | null;
  userAgent: string | null;
  now?: Date;
}): Promise<TNewSession> {
  const token = generateSecret("", 32);
  const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
  await db.session.create({
    data: {
      tokenHash: hashSecret(token),
      userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
      ip,
      userAgent: userAgent?.slice(0, 255) ?? null,
    },
    select: { id: true },
  });
  return { token, expiresAt };
}
