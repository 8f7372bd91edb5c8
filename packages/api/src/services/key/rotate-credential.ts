import type { TPrismaClient } from "@meshover/prisma";
import { writeAuditEvent, type TActor } from "../../lib/audit";
import { generateSecret, hashSecret } from "../../lib/secrets";
import { ServiceError } from "../../lib/service-error";
import { CREDENTIAL_PREFIX } from "../agent/enroll-node";
import { commitMeshChange } from "../mesh/commit-mesh-change";

/**
 * Replace a node's agent credential: every old one is revoked at once and the new one is
 * returned once (the admin hands it to the agent, e.g. `meshover-agent set-credential`). It is
 * a mesh change so that every replica's open config streams of the node wake and end (their
 * credential no longer holds) within the fan-out's second.
 */
export async function rotateCredential({
  db,
  actor,
  nodeId,
  now = new Date(),
}: {
  db: TPrismaClient;
  actor: TActor;
  nodeId: string;
  now?: Date;
}): Promise<{ nodeId: string; credential: string; revokedCount: number }> {
  const credential = generateSecret(CREDENTIAL_PREFIX, 32);
  return commitMeshChange(db, async (tx) => {
    const node = await tx.node.findUnique({ where: { id: nodeId }, select: { name: true } });
    if (!node) throw new ServiceError("NOT_FOUND", "no such node");
    const revoked = await tx.nodeCredential.updateMany({
      where: { nodeId, revokedAt: null },
      data: { revokedAt: now },
    });
    await tx.nodeCredential.create({
      data: { nodeId, secretHash: hashSecret(credential) },
      select: { id: true },
    });
    await writeAuditEvent(tx, {
      actor,
      action: "key.rotate_credential",
      targetType: "node",
      targetId: nodeId,
      change: { node: node.name, revoked: revoked.count },
    });
    return { nodeId, credential, revokedCount: revoked.count };
  });
}
