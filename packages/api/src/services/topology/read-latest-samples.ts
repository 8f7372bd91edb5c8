import type { TPrismaClient } from "@meshover/prisma";

/** The latest health sample of one tunnel direction (what `nodeId` saw of `peerId`). */
export interface TLatestSample {
  nodeId: string;
  peerId: string;
  at: Date;
  handshakeAt: Date | null;
  rxBytes: bigint;
  txBytes: bigint;
  bgpState: string | null;
  bgpUptimeSec: number | null;
  bfdState: string | null;
  prefixesReceived: number | null;
  mtuConfigured: number | null;
  mtuMeasured: number | null;
  rttMs: number | null;
}

/** The newest sample per (node, peer) direction, from the (nodeId, peerId, at) index. */
export async function readLatestSamples({ db }: { db: TPrismaClient }): Promise<TLatestSample[]> {
  return db.$queryRaw<TLatestSample[]>`
    SELECT DISTINCT ON ("nodeId", "peerId")
      "nodeId"::text AS "nodeId", "peerId"::text AS "peerId", at, "handshakeAt", "rxBytes",
      "txBytes", "bgpState", "bgpUptimeSec", "bfdState", "prefixesReceived", "mtuConfigured",
      "mtuMeasured", "rttMs"
    FROM "HealthSample"
    ORDER BY "nodeId", "peerId", at DESC`;
}

/**
 * The newest sample of each given (node, peer) direction: one index probe per pair, so a live
 * view that needs one node's tunnels reads O(n) rows, not the whole mesh's.
 */
export async function readLatestSamplesFor({
  db,
  pairs,
}: {
  db: TPrismaClient;
  pairs: readonly { nodeId: string; peerId: string }[];
}): Promise<TLatestSample[]> {
  if (pairs.length === 0) return [];
  return db.$queryRaw<TLatestSample[]>`
    SELECT s."nodeId"::text AS "nodeId", s."peerId"::text AS "peerId", s.at, s."handshakeAt",
      s."rxBytes", s."txBytes", s."bgpState", s."bgpUptimeSec", s."bfdState",
      s."prefixesReceived", s."mtuConfigured", s."mtuMeasured", s."rttMs"
    FROM json_to_recordset(${JSON.stringify(pairs)}::json) AS p("nodeId" uuid, "peerId" uuid)
    CROSS JOIN LATERAL (
      SELECT * FROM "HealthSample" h
      WHERE h."nodeId" = p."nodeId" AND h."peerId" = p."peerId"
      ORDER BY h.at DESC LIMIT 1
    ) s`;
}
