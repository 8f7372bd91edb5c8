import type { TPrismaClient } from "@meshover/prisma";
import type { MeshFanout } from "../../lib/mesh-fanout";

// Revoking a credential is a mesh change (it bumps the version), so every open config stream
// wakes and asks whether its credential still holds. One query per version per process answers
// all of them, like the compiled mesh cache: hundreds of streams wake at once.
interface TCacheEntry {
  version: bigint;
  ids: Promise<Set<string>>;
}
const caches = new WeakMap<MeshFanout, TCacheEntry>();

/** The ids of every unrevoked node credential, read at most once per mesh version. */
export async function readActiveCredentialIds({
  db,
  fanout,
}: {
  db: TPrismaClient;
  fanout: MeshFanout;
}): Promise<Set<string>> {
  let entry = caches.get(fanout);
  if (!entry || entry.version < fanout.latestVersion) {
    const ids = db.nodeCredential
      .findMany({ where: { revokedAt: null }, select: { id: true } })
      .then((rows) => new Set(rows.map((row) => row.id)));
    const created: TCacheEntry = { version: fanout.latestVersion, ids };
    entry = created;
    caches.set(fanout, created);
    ids.catch(() => {
      if (caches.get(fanout) === created) caches.delete(fanout);
    });
  }
  return entry.ids;
}
