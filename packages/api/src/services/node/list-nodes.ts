import type { Prisma, TPrismaClient } from "@meshover/prisma";
import { ServiceError } from "../../lib/service-error";

/** A node as the dashboard shows it. */
export interface TNodeSummary {
  id: string;
  name: string;
  index: number;
  asn: number;
  ipv4: string;
  ipv6: string;
  publicKey: string | null;
  endpoints: string[];
  createdAt: Date;
  lastSeenAt: Date | null;
  /** Seen within the settings' staleAfterSec; stale nodes stay listed, shown offline. */
  isOnline: boolean;
  agentVersion: string | null;
  appliedConfigVersion: number | null;
  /** The mesh version the node should have applied. */
  desiredConfigVersion: number;
  applyError: string | null;
  prefixes: { cidr: string; isAnycast: boolean; description: string | null }[];
}

/** A node with host facts and its recent key rotations. */
export interface TNodeDetail extends TNodeSummary {
  hostInfo: unknown;
  credentials: { id: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }[];
}

const SUMMARY_SELECT = {
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

type TNodeRow = Prisma.NodeGetPayload<{ select: typeof SUMMARY_SELECT }>;

/** Whether a node last seen at `lastSeenAt` counts as online. */
export function isNodeOnline(lastSeenAt: Date | null, staleAfterSec: number, now: Date): boolean {
  return lastSeenAt !== null && now.getTime() - lastSeenAt.getTime() <= staleAfterSec * 1000;
}

function toSummary(
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

async function readStaleness(db: TPrismaClient) {
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

/** One node with details; NOT_FOUND when it does not exist. */
export async function getNode({
  db,
  nodeId,
  now = new Date(),
}: {
  db: TPrismaClient;
  nodeId: string;
  now?: Date;
}): Promise<TNodeDetail> {
  const [settings, row] = await Promise.all([
    readStaleness(db),
    db.node.findUnique({
      where: { id: nodeId },
      select: {
        ...SUMMARY_SELECT,
        hostInfo: true,
        credentials: {
          select: { id: true, createdAt: true, lastUsedAt: true, revokedAt: true },
          orderBy: { createdAt: "desc" },
        },
      },
    }),
  ]);
  if (!row) throw new ServiceError("NOT_FOUND", "no such node");
  const { hostInfo, credentials, ...summary } = row;
  return { ...toSummary(summary, settings, now), hostInfo, credentials };
}
