import type { Prisma, TPrismaClient } from "@meshover/prisma";
import type { TNodeSummary } from "./node-schemas";

/** The Node columns a summary is built from. */
export const SUMMARY_SELECT = {
  id: true,
  name: true,
  index: true,
  asn: true,
  ipv4: true,
  ipv6: true,
  publicKey: true,
  endpoints: true,
  createdAt: true,
  lastSeenAt: true,
  agentVersion: true,
  appliedConfigVersion: true,
  applyError: true,
  prefixes: {
    select: { cidr: true, isAnycast: true, description: true },
    orderBy: { cidr: "asc" },
  },
} satisfies Prisma.NodeSelect;

/** A row selected with SUMMARY_SELECT. */
export type TNodeRow = Prisma.NodeGetPayload<{ select: typeof SUMMARY_SELECT }>;

/** Whether a node last seen at `lastSeenAt` counts as online. */
export function isNodeOnline(lastSeenAt: Date | null, staleAfterSec: number, now: Date): boolean {
  return lastSeenAt !== null && now.getTime() - lastSeenAt.getTime() <= staleAfterSec * 1000;
}

/** A selected row as a summary: online state and versions as numbers. */
export function toSummary(
  row: TNodeRow,
  settings: { staleAfterSec: number; meshVersion: bigint },
  now: Date,
): TNodeSummary {
  return {
    ...row,
    asn: Number(row.asn),
    isOnline: isNodeOnline(row.lastSeenAt, settings.staleAfterSec, now),
    appliedConfigVersion:
      row.appliedConfigVersion === null ? null : Number(row.appliedConfigVersion),
    desiredConfigVersion: Number(settings.meshVersion),
  };
}

/** The settings a summary depends on (staleness threshold, current mesh version). */
export async function readStaleness(db: TPrismaClient) {
  return db.setting.findUniqueOrThrow({
    where: { id: 1 },
    select: { staleAfterSec: true, meshVersion: true },
  });
}

/** Every node, by index. */
export async function listNodes({
  db,
  now = new Date(),
}: {
  db: TPrismaClient;
  now?: Date;
}): Promise<TNodeSummary[]> {
  const [settings, rows] = await Promise.all([
    readStaleness(db),
    db.node.findMany({ select: SUMMARY_SELECT, orderBy: { index: "asc" } }),
  ]);
  return rows.map((row) => toSummary(row, settings, now));
}
