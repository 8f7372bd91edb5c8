// Per-peer health history of one node for the node page's charts: RTT, throughput and
// handshake age in fixed buckets. Bucketing happens in SQL (date_bin) so a node with 50 peers
// and 5 s reports returns a few thousand points, not tens of thousands of rows.
import { z } from "zod";
import type { TPrismaClient } from "@meshover/prisma";
import { Prisma } from "@meshover/prisma";

/** One bucket of one peer's history. */
export const ZHistoryPoint = z.object({
  at: z.date(),
  rttMs: z.number().nullable(),
  /** Bytes per second received/sent over the tunnel in this bucket (null for the first). */
  rxBps: z.number().nullable(),
  txBps: z.number().nullable(),
  /** Seconds since the last WireGuard handshake at the end of the bucket. */
  handshakeAgeSec: z.number().nullable(),
});

/** The history of the tunnel to one peer. */
export const ZPeerHistory = z.object({
  peerId: z.string(),
  peerName: z.string(),
  points: z.array(ZHistoryPoint),
});

/** One bucket of one peer's history. */
export type THistoryPoint = z.infer<typeof ZHistoryPoint>;
/** The history of the tunnel to one peer. */
export type TPeerHistory = z.infer<typeof ZPeerHistory>;

type TBucketRow = {
  peerId: string;
  bucket: Date;
  rttMs: number | null;
  rxBytes: bigint;
  txBytes: bigint;
  handshakeAt: Date | null;
  lastAt: Date;
};

/** Turn per-bucket counters into rates; a counter that went down (restart) counts as 0. */
export function toHistoryPoints(rows: Omit<TBucketRow, "peerId">[]): THistoryPoint[] {
  return rows.map((row, i) => {
    const prev = i > 0 ? rows[i - 1]! : null;
    const seconds = prev ? (row.lastAt.getTime() - prev.lastAt.getTime()) / 1000 : 0;
    const rate = (now: bigint, before: bigint) =>
      seconds > 0 ? Math.max(0, Number(now - before)) / seconds : null;
    return {
      at: row.bucket,
      rttMs: row.rttMs,
      rxBps: prev ? rate(row.rxBytes, prev.rxBytes) : null,
      txBps: prev ? rate(row.txBytes, prev.txBytes) : null,
      handshakeAgeSec: row.handshakeAt
        ? Math.max(0, (row.lastAt.getTime() - row.handshakeAt.getTime()) / 1000)
        : null,
    };
  });
}

/** History of every tunnel of `nodeId` over the last `minutes`, in `bucketSec` buckets. */
export async function readPeerHistory({
  db,
  nodeId,
  minutes = 60,
  bucketSec = 30,
  now = new Date(),
}: {
  db: TPrismaClient;
  nodeId: string;
  minutes?: number;
  bucketSec?: number;
  now?: Date;
}): Promise<TPeerHistory[]> {
  const since = new Date(now.getTime() - minutes * 60_000);
  const interval = `${bucketSec} seconds`;
  const [rows, peers] = await Promise.all([
    db.$queryRaw<TBucketRow[]>(Prisma.sql`
      SELECT "peerId"::text AS "peerId",
        date_bin(${interval}::interval, at, TIMESTAMP '2000-01-01') AS bucket,
        avg("rttMs")::float8 AS "rttMs",
        max("rxBytes") AS "rxBytes",
        max("txBytes") AS "txBytes",
        max("handshakeAt") AS "handshakeAt",
        max(at) AS "lastAt"
      FROM "HealthSample"
      WHERE "nodeId" = ${nodeId}::uuid AND at >= ${since}
      GROUP BY 1, 2
      ORDER BY 1, 2`),
    db.node.findMany({ where: { id: { not: nodeId } }, select: { id: true, name: true } }),
  ]);
  const names = new Map(peers.map((p) => [p.id, p.name]));
  const byPeer = new Map<string, TBucketRow[]>();
  for (const row of rows) {
    const list = byPeer.get(row.peerId) ?? [];
    list.push(row);
    byPeer.set(row.peerId, list);
  }
  return [...byPeer.entries()]
    .filter(([peerId]) => names.has(peerId))
    .map(([peerId, list]) => ({
      peerId,
      peerName: names.get(peerId)!,
      points: toHistoryPoints(list),
    }))
    .sort((a, b) => a.peerName.localeCompare(b.peerName));
}
