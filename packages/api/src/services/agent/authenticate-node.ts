import { getPgPool, type TPrismaClient } from "@meshover/prisma";
import { toUtcTimestamp } from "../../lib/health-sample";
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
const AUTHENTICATE_SQL = `
WITH credential AS (
  SELECT c.id, c."lastUsedAt", n.id AS "nodeId", n.name
  FROM "NodeCredential" c JOIN "Node" n ON n.id = c."nodeId"
  WHERE c."secretHash" = $1 AND c."revokedAt" IS NULL
), touched AS (
  UPDATE "NodeCredential" SET "lastUsedAt" = $2::timestamp
  WHERE id = (SELECT id FROM credential WHERE "lastUsedAt" IS NULL OR "lastUsedAt" < $3::timestamp)
)
SELECT id::text, "nodeId"::text, name FROM credential`;

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
  // Read and touch in one statement on the pool (no Prisma compile): every agent comes here
  // once a minute and after every mesh change.
  const { rows } = await getPgPool(db).query<{ id: string; nodeId: string; name: string }>(
    AUTHENTICATE_SQL,
    [secretHash, toUtcTimestamp(now), toUtcTimestamp(new Date(now.getTime() - TOUCH_AFTER_MS))],
  );
  const row = rows[0];
  if (!row) return null;
  const identity = { nodeId: row.nodeId, nodeName: row.name, credentialId: row.id };
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(secretHash, { identity, version, readAt: now.getTime() });
  return identity;
}
