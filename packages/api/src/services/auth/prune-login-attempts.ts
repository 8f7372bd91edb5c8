import type { TPrismaClient } from "@meshover/prisma";
import { LOGIN_WINDOW_MS } from "./log-in";

/** Delete login attempts older than the rate-limit window: they no longer count for anything. */
export async function pruneLoginAttempts({
  db,
  now = new Date(),
}: {
  db: TPrismaClient;
  now?: Date;
}): Promise<number> {
  const cutoff = new Date(now.getTime() - LOGIN_WINDOW_MS);
  const deleted = await db.loginAttempt.deleteMany({ where: { at: { lt: cutoff } } });
  return deleted.count;
}
