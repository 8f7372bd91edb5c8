import type { TPrismaClient } from "@meshover/prisma";

/** Delete health samples older than `retentionHours` (history is kept, but not forever). */
export async function pruneSamples({
  db,
  retentionHours,
  now = new Date(),
}: {
  db: TPrismaClient;
  retentionHours: number;
  now?: Date;
}): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionHours * 3600 * 1000);
  const deleted = await db.healthSample.deleteMany({ where: { at: { lt: cutoff } } });
  return deleted.count;
}
