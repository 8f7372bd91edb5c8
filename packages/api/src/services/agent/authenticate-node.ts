import type { TPrismaClient } from "@meshover/prisma";
import { hashSecret } from "../../lib/secrets";

/** The node an agent credential belongs to. */
export interface TAgentIdentity {
  nodeId: string;
  nodeName: string;
  credentialId: string;
}

// lastUsedAt is informational; once a minute is enough and spares a write per report.
const TOUCH_AFTER_MS = 60 * 1000;

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
  const row = await db.nodeCredential.findUnique({
    where: { secretHash: hashSecret(credential) },
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
  return { nodeId: row.node.id, nodeName: row.node.name, credentialId: row.id };
}
