import type { TPrismaClient } from "@meshover/prisma";

/** One line of the timeline, with names resolved (removed nodes keep their id). */
export interface TMeshEventView {
  id: string;
  at: Date;
  kind: string;
  nodeId: string;
  nodeName: string | null;
  peerId: string | null;
  peerName: string | null;
  detail: string | null;
}

/** Audit actions that belong on the mesh timeline, as event kinds. */
const AUDIT_KINDS: Record<string, string> = {
  "node.enroll": "node_joined",
  "node.remove": "node_removed",
  "node.set_prefixes": "prefixes_changed",
  "key.rotate": "rotation_started",
};

function readName(change: unknown): string | null {
  if (!change || typeof change !== "object") return null;
  const record = change as Record<string, unknown>;
  const name = record.name ?? record.node;
  return typeof name === "string" ? name : null;
}

/**
 * The timeline, newest first: events derived from reports, joins, removals, prefix changes,
 * and key rotations (started, and finished with their duration). Of one node (its own events
 * and those its peers recorded about it) or mesh-wide.
 */
export async function listEvents({
  db,
  nodeId,
  since,
  limit,
}: {
  db: TPrismaClient;
  nodeId?: string;
  since: Date;
  limit: number;
}): Promise<TMeshEventView[]> {
  const [events, audits, rotations, nodes] = await Promise.all([
    db.meshEvent.findMany({
      where: {
        at: { gte: since },
        ...(nodeId ? { OR: [{ nodeId }, { peerId: nodeId }] } : {}),
      },
      orderBy: { at: "desc" },
      take: limit,
    }),
    db.auditEvent.findMany({
      where: {
        at: { gte: since },
        action: { in: Object.keys(AUDIT_KINDS) },
        ...(nodeId ? { targetId: nodeId } : {}),
      },
      orderBy: { at: "desc" },
      take: limit,
    }),
    db.keyRotation.findMany({
      where: { completedAt: { gte: since }, status: "done", ...(nodeId ? { nodeId } : {}) },
      select: { id: true, nodeId: true, requestedAt: true, completedAt: true },
      orderBy: { completedAt: "desc" },
      take: limit,
    }),
    db.node.findMany({ select: { id: true, name: true } }),
  ]);
  const names = new Map(nodes.map((node) => [node.id, node.name]));
  const removedNames = new Map(
    audits
      .filter((a) => a.targetId && readName(a.change))
      .map((a) => [a.targetId!, readName(a.change)!] as const),
  );
  const nameOf = (id: string | null) =>
    id === null ? null : (names.get(id) ?? removedNames.get(id) ?? null);
  const all: TMeshEventView[] = [
    ...events.map((e) => ({
      id: `e${e.id}`,
      at: e.at,
      kind: e.kind,
      nodeId: e.nodeId,
      nodeName: nameOf(e.nodeId),
      peerId: e.peerId,
      peerName: nameOf(e.peerId),
      detail: e.detail,
    })),
    ...audits.map((a) => ({
      id: `a${a.id}`,
      at: a.at,
      kind: AUDIT_KINDS[a.action] ?? a.action,
      nodeId: a.targetId ?? "",
      nodeName: nameOf(a.targetId),
      peerId: null,
      peerName: null,
      detail: a.actorEmail ? `by ${a.actorEmail}` : null,
    })),
    ...rotations.map((r) => ({
      id: `r${r.id}`,
      at: r.completedAt!,
      kind: "rotation_done",
      nodeId: r.nodeId,
      nodeName: nameOf(r.nodeId),
      peerId: null,
      peerName: null,
      detail: `took ${((r.completedAt!.getTime() - r.requestedAt.getTime()) / 1000).toFixed(1)} s`,
    })),
  ];
  return all.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, limit);
}
