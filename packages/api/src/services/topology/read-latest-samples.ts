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
