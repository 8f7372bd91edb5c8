import type { TPrismaClient } from "@meshover/prisma";
import { removeNode } from "../node/remove-node";
import type { TAgentIdentity } from "./authenticate-node";

/**
 * A node leaving on its own (`meshover-agent leave`): removed exactly like an admin's
 * `node.remove` (credentials go with it, the mesh version bumps so every peer tears its tunnel
 * down), audited with the agent as the actor.
 */
export function leaveMesh({
  db,
  agent,
  ip = null,
}: {
  db: TPrismaClient;
  agent: TAgentIdentity;
  ip?: string | null;
}): Promise<{ id: string; name: string }> {
  // Same actor shape as enrollment's, so the audit log names the node that acted.
  return removeNode({
    db,
    actor: { id: null, email: `agent:${agent.nodeName}`, ip },
    nodeId: agent.nodeId,
  });
}
