import type { Role, TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent } from "../../lib/audit";
import { hashPassword, verifyPassword } from "../../lib/secrets";
import { ServiceError } from "../../lib/service-error";
import { createSession, type TNewSession } from "./create-session";

/** Failed logins per e-mail address allowed within {@link LOGIN_WINDOW_MS}. */
export const MAX_FAILURES_PER_EMAIL = 5;
/** Failed logins per client address allowed within {@link LOGIN_WINDOW_MS}. */
export const MAX_FAILURES_PER_IP = 20;
/** The sliding window of the login rate limit. */
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;

const FAILED_ACTION = "auth.login_failed";

// Verifying against a real hash when the user does not exist keeps the response time the same,
// so timing does not reveal which addresses have accounts.
let dummyHash: Promise<string> | undefined;

/** A successful login: the session to put in the cookie and who signed in. */
export interface TLogInResult {
  session: TNewSession;
  user: { id: string; email: string; role: Role };
}

/**
 * Check e-mail and password and open a session. Failures are recorded in the audit log, which
 * is also what the rate limit counts, so the limit holds across controller replicas.
 */
export async function logIn({
  db,
  email,
  password,
  ip,
  userAgent,
  now = new Date(),
}: {
  db: TPrismaClient;
  email: string;
  password: string;
  ip: string | null;
  userAgent: string | null;
  now?: Date;
}): Promise<TLogInResult> {
  const normalized = email.trim().toLowerCase();
  const since = new Date(now.getTime() - LOGIN_WINDOW_MS);
  const [emailFailures, ipFailures] = await Promise.all([
    db.auditEvent.count({
      where: { action: FAILED_ACTION, targetId: normalized, at: { gte: since } },
    }),
    ip
      ? db.auditEvent.count({ where: { action: FAILED_ACTION, ip, at: { gte: since } } })
      : Promise.resolve(0),
  ]);
  if (emailFailures >= MAX_FAILURES_PER_EMAIL || ipFailures >= MAX_FAILURES_PER_IP) {
    throw new ServiceError(
      "TOO_MANY_REQUESTS",
      "too many failed logins; wait 15 minutes and try again",
    );
  }
  const user = await db.user.findUnique({
    where: { email: normalized },
    select: { id: true, email: true, role: true, passwordHash: true },
  });
  dummyHash ??= hashPassword("meshover-timing-equaliser");
  const isValid = user
    ? await verifyPassword(user.passwordHash, password)
    : await verifyPassword(await dummyHash, password).then(() => false);
  if (!user || !isValid) {
    await writeAuditEvent(db, {
      actor: { id: null, email: normalized, ip },
      action: FAILED_ACTION,
      targetType: "user",
      targetId: normalized,
    });
    throw new ServiceError("UNAUTHORIZED", "wrong e-mail address or password");
  }
  const session = await db.$transaction(async (tx) => {
    await tx.user.update({
      where: { id: user.id },
      data: { lastLoginAt: now },
      select: { id: true },
    });
    await writeAuditEvent(tx, {
      actor: { id: user.id, email: user.email, ip },
      action: "auth.login",
      targetType: "user",
      targetId: user.id,
    });
    return createSession({ db: tx, userId: user.id, ip, userAgent, now });
  });
  return { session, user: { id: user.id, email: user.email, role: user.role } };
}
