import type { TPrismaClient } from "@meshover/prisma";
import { commitMeshChange } from "../mesh/commit-mesh-change";
import { ROTATION_TIMEOUT_MS } from "./list-rotations";

/** How often the controller looks for rotations past ROTATION_TIMEOUT_MS. */
export const ROTATION_EXPIRY_INTERVAL_MS = 30 * 1000;

/**
 * Mark pending and reported rotations requested more than ROTATION_TIMEOUT_MS before `now` as
 * failed, as one mesh change: the queue moves on to the next rotation and peers drop the failed
 * one's next key. The compile reads only stored statuses (never the clock), so this timer is what
 * unblocks a stuck queue. Returns how many rotations it failed (no mesh change when none).
 */
export async function expireRotations({
  db,
  now = new Date(),
}: {
  db: TPrismaClient;
  now?: Date;
}): Promise<number> {
  const cutoff = new Date(now.getTime() - ROTATION_TIMEOUT_MS);
  const where = {
    status: { in: ["pending" as const, "reported" as const] },
    requestedAt: { lt: cutoff },
  };
  // Most sweeps find nothing: check outside the mesh lock, so an idle timer bumps no version.
  if ((await db.keyRotation.count({ where })) === 0) return 0;
  return commitMeshChange(db, async (tx) => {
    const failed = await tx.keyRotation.updateMany({
      where,
      data: {
        status: "failed",
        error: `not finished within ${ROTATION_TIMEOUT_MS / 60_000} minutes`,
      },
    });
    return failed.count;
  });
}
