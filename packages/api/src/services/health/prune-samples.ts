import type { TPrismaClient } from "@meshover/prisma";

/**
 * Delete health samples, timeline events, withdrawn observed routes and vanished route
 * candidates older than
 * `retentionHours` (history is kept, but not forever; events go with the samples they were
 * derived from).
 */
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
  await db.meshEvent.deleteMany({ where: { at: { lt: cutoff } } });
  // Routes gone for longer than the history is kept (present ones stay, however old).
  await db.observedRoute.deleteMany({ where: { isPresent: false, lastChange: { lt: cutoff } } });
  // Route candidates an agent stopped reporting, likewise.
  await db.discoveredRoute.deleteMany({ where: { goneAt: { lt: cutoff } } });
  return deleted.count;
}
