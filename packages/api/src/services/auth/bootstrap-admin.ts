import type { TPrismaClient } from "@meshover/prisma";
import { generateSecret, hashPassword, hashSecret } from "../../lib/secrets";

/** How long a printed first-run setup code stays valid. */
export const SETUP_CODE_TTL_MS = 24 * 60 * 60 * 1000;

/** What start-up should tell the operator. */
export type TBootstrapResult =
  | { kind: "has-users" }
  | { kind: "created-admin"; email: string }
  | { kind: "setup-code"; code: string; expiresAt: Date };

/**
 * First-run bootstrap: when no user exists, create the admin from the given credentials
 * (automation), or issue a fresh one-time setup code (stored hashed) for the setup page.
 */
export async function bootstrapAdmin({
  db,
  adminEmail,
  adminPassword,
  now = new Date(),
}: {
  db: TPrismaClient;
  adminEmail?: string;
  adminPassword?: string;
  now?: Date;
}): Promise<TBootstrapResult> {
  if ((await db.user.count()) > 0) return { kind: "has-users" };
  if (adminEmail && adminPassword) {
    const passwordHash = await hashPassword(adminPassword);
    await db.$transaction([
      db.user.create({ data: { email: adminEmail.toLowerCase(), passwordHash, role: "admin" } }),
      db.auditEvent.create({
        data: {
          action: "user.bootstrap",
          targetType: "user",
          actorEmail: "system",
          change: { email: adminEmail.toLowerCase(), source: "environment" },
        },
      }),
    ]);
    return { kind: "created-admin", email: adminEmail.toLowerCase() };
  }
  const code = generateSecret("", 24);
  const expiresAt = new Date(now.getTime() + SETUP_CODE_TTL_MS);
  // A new start invalidates older codes: only the one printed last works.
  await db.$transaction([
    db.setupCode.deleteMany({ where: { usedAt: null } }),
    db.setupCode.create({ data: { codeHash: hashSecret(code), expiresAt } }),
  ]);
  return { kind: "setup-code", code, expiresAt };
}
