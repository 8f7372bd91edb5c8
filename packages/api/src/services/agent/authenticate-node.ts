import type { TPrismaClient } from "@meshover/prisma";
import { getMeshFanout } from "../../lib/mesh-fanout";
import { hashSecret } from "../../lib/secrets";

/** The node an agent credential belongs to. */
export interface TAgentIdentity {
  nodeId: string;
  nodeName: string;
  credentialId: string;
}

// lastUsedAt is informational; once a minute is enough and spares a write per report.
const TOUCH_AFTER_MS = 60 * 1000;
/** Cached identities kept at most (a cache of valid credentials only, so about one per node). */
const MAX_CACHED = 20_000;

// Every agent call (a report every 5 s per node) authenticates. Revoking a credential and
// removing a node are mesh changes, so an identity read at mesh version V holds while this
// process knows no newer version; it is read again (and lastUsedAt touched) after a minute.
interface TCachedIdentity {
  identity: TAgentIdentity;
  version: bigint;
  readAt: number;
}
const caches = new WeakMap<TPrismaClient, Map<string, TCachedIdentity>>();

/** The node behind a bearer credential, or null when it is unknown or revoked. */
export async function authenticateNode({
  db,
  credential,
  now = new Date(),
}: {
  db: TPrismaClient;
  credential: string;
  now?: Date;
}): Promise<TAgentIdentity | null> {
  const secretHash = hashSecret(credential);
  const version = getMeshFanout(db).latestVersion;
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  const cached = cache.get(secretHash);
  if (cached) {
    if (cached.version === version && now.getTime() - cached.readAt < TOUCH_AFTER_MS) {
      return cached.identity;
    }
    cache.delete(secretHash);
  }
  const row = await db.nodeCredential.findUnique({
    where: { secretHash },
    select: {
      id: true,
      revokedAt: true,
      lastUsedAt: true,
      node: { select: { id: true, name: true } },
    },
  });
  if (!row || row.revokedAt) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > TOUCH_AFTER_MS) {
    await db.nodeCredential.updateMany({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  const identity = { nodeId: row.node.id, nodeName: row.node.name, credentialId: row.id };
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(secretHash, { identity, version, readAt: now.getTime() });
  return identity;
}
