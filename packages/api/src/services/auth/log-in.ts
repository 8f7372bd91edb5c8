import { Prisma, type Role, type TPrismaClient } from "@meshover/prisma";
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

// Claims of one key queue on its lock; a burst (a batch of hundreds of logins) waits longer for
// a connection than Prisma's 2 s default, and each claim is short, so waiting is right.
const CLAIM_TRANSACTION = { maxWait: 30_000, timeout: 30_000 } as const;

// Advisory lock classes, so an e-mail's lock and an address's lock never share a key.
const EMAIL_LOCK_CLASS = 1;
const IP_LOCK_CLASS = 2;

/**
 * Claim one attempt for `email` (and `ip`) before any password is checked, or refuse: the
 * claim is a LoginAttempt row inserted only while fewer than the limit exist in the window.
 * Advisory locks on the e-mail and the address serialise claims for the same key across every
 * connection and replica; the insert runs as a second statement so its snapshot sees the
 * claim the previous lock holder committed. Parallel requests or a batch of 200 logins thus
 * get exactly as many password checks as the limit allows. Returns the claim's id.
 */
async function claimLoginAttempt({
  db,
  email,
  ip,
  now,
}: {
  db: TPrismaClient;
  email: string;
  ip: string | null;
  now: Date;
}): Promise<bigint | null> {
  const since = new Date(now.getTime() - LOGIN_WINDOW_MS);
  const ipLimit = ip
    ? Prisma.sql`AND (SELECT count(*) FROM "LoginAttempt" WHERE "ip" = ${ip} AND "at" >= ${since}) < ${MAX_FAILURES_PER_IP}`
    : Prisma.empty;
  const claimed = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${EMAIL_LOCK_CLASS}::int, hashtext(${email}))`;
    if (ip) {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${IP_LOCK_CLASS}::int, hashtext(${ip}))`;
    }
    return tx.$queryRaw<{ id: bigint }[]>`
      INSERT INTO "LoginAttempt" ("email", "ip", "at")
      SELECT ${email}, ${ip}, ${now}
      WHERE (SELECT count(*) FROM "LoginAttempt" WHERE "email" = ${email} AND "at" >= ${since}) < ${MAX_FAILURES_PER_EMAIL}
      ${ipLimit}
      RETURNING "id"`;
  }, CLAIM_TRANSACTION);
  return claimed[0]?.id ?? null;
}

/**
 * Check e-mail and password and open a session. Every attempt is claimed before its password
 * is checked ({@link claimLoginAttempt}); a success gives its claim back, failures keep theirs
 * and are recorded in the audit log.
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
  const claimId = await claimLoginAttempt({ db, email: normalized, ip, now });
  if (claimId === null) {
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
    await tx.loginAttempt.deleteMany({ where: { id: claimId } });
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
