import type { Prisma, TPrismaClient } from "@meshover/prisma";
import { MESH_CHANNEL, getMeshFanout } from "../../lib/mesh-fanout";

/** Bump Setting.meshVersion and queue the NOTIFY (delivered on commit) inside `tx`. */
export async function bumpMeshVersion(tx: Prisma.TransactionClient): Promise<bigint> {
  // The row lock also orders concurrent mesh changes, so versions follow commit order.
  const rows = await tx.$queryRaw<{ meshVersion: bigint }[]>`
    UPDATE "Setting" SET "meshVersion" = "meshVersion" + 1 WHERE id = 1 RETURNING "meshVersion"`;
  const version = rows[0]?.meshVersion;
  if (version === undefined) throw new Error("the Setting row is missing (ensureSettings not run)");
  await tx.$executeRaw`SELECT pg_notify(${MESH_CHANNEL}, ${version.toString()})`;
  return version;
}

// Mesh changes queue on the Setting row lock, so a burst (20 enrollments at once) waits longer
// for its turn than Prisma's 2 s default allows on a loaded 2-core machine.
const MESH_CHANGE_TRANSACTION = { maxWait: 15_000, timeout: 20_000 } as const;

/**
 * Run `change` in a transaction that also bumps the mesh version and NOTIFYs it, then wake this
 * process's subscribers directly (other processes hear the NOTIFY).
 */
export function commitMeshChange<T>(
  db: TPrismaClient,
  change: (tx: Prisma.TransactionClient) => Promise<T>,
): Promise<T> {
  return commitPreparedMeshChange(db, () => Promise.resolve(null), change);
}

/**
 * commitMeshChange with `prepare` run first in the same transaction, before the Setting row
 * lock is taken: reads that need not see the previous change (a token check, the settings)
 * then do not make every other mesh change wait. `change` gets what `prepare` returned.
 */
export async function commitPreparedMeshChange<P, T>(
  db: TPrismaClient,
  prepare: (tx: Prisma.TransactionClient) => Promise<P>,
  change: (tx: Prisma.TransactionClient, prepared: P) => Promise<T>,
): Promise<T> {
  const { result, version } = await db.$transaction(async (tx) => {
    const prepared = await prepare(tx);
    // Bump next: the Setting row lock then serialises mesh changes (allocations read what the
    // previous change committed), and versions follow commit order.
    const version = await bumpMeshVersion(tx);
    const result = await change(tx, prepared);
    return { result, version };
  }, MESH_CHANGE_TRANSACTION);
  getMeshFanout(db).publish(version);
  return result;
}
