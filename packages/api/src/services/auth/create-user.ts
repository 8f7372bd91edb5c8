import type { Role, TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent, type TActor } from "../../lib/audit";
import { hashPassword } from "../../lib/secrets";
import { ServiceError, isUniqueViolation } from "../../lib/service-error";

/** Create a dashboard user with an Argon2id password hash. */
export async function createUser({
  db,
  actor,
  email,
  password,
  role,
}: {
  db: TPrismaClient;
  actor: TActor;
  email: string;
  password: string;
  role: Role;
}): Promise<{ id: string; email: string; role: Role }> {
  const normalized = email.trim().toLowerCase();
  const passwordHash = await hashPassword(password);
  try {
    return await db.$transaction(async (tx) => {
      const user = await tx.user.create({
        data: { email: normalized, passwordHash, role },
        select: { id: true, email: true, role: true },
      });
      await writeAuditEvent(tx, {
        actor,
        action: "user.create",
        targetType: "user",
        targetId: user.id,
        change: { email: user.email, role },
      });
      return user;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ServiceError("CONFLICT", `a user ${normalized} already exists`);
    }
    throw error;
  }
}
