import type { TPrismaClient } from "@meshover/prisma";

/** Whether the first-run setup page should be offered (no user exists yet). */
export async function readSetupStatus({
  db,
}: {
  db: TPrismaClient;
}): Promise<{ needsSetup: boolean }> {
  return { needsSetup: (await db.user.count()) === 0 };
}
