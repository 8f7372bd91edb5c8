import type { TPrismaClient } from "@meshover/prisma";
import {
  DIRECTED_SAMPLE_COLUMNS,
  toDirectedSample,
  type TDirectedSample,
  type TSampleRow,
} from "../../lib/health-sample";

/**
 * The newest sample per (node, peer) direction. One backward probe of the (nodeId, peerId, at)
 * index per ordered node pair, so the cost follows N·(N-1), not the stored history (a
 * DISTINCT ON over the table reads every sample kept: a week of reports at 150 nodes).
 */
export async function readLatestSamples({ db }: { db: TPrismaClient }): Promise<TDirectedSample[]> {
  const rows = await db.$queryRaw<TSampleRow[]>`
    SELECT ${DIRECTED_SAMPLE_COLUMNS}
    FROM (
      SELECT latest.*
      FROM "Node" n
      JOIN "Node" p ON p.id <> n.id
      CROSS JOIN LATERAL (
        SELECT * FROM "HealthSample" h
        WHERE h."nodeId" = n.id AND h."peerId" = p.id
        ORDER BY h.at DESC
        LIMIT 1
      ) latest
    ) samples
    ORDER BY "nodeId", "peerId"`;
  return rows.map(toDirectedSample);
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
}): Promise<TDirectedSample[]> {
  if (pairs.length === 0) return [];
  const rows = await db.$queryRaw<TSampleRow[]>`
    SELECT s.*
    FROM json_to_recordset(${JSON.stringify(pairs)}::json) AS p("nodeId" uuid, "peerId" uuid)
    CROSS JOIN LATERAL (
      SELECT ${DIRECTED_SAMPLE_COLUMNS} FROM "HealthSample" h
      WHERE h."nodeId" = p."nodeId" AND h."peerId" = p."peerId"
      ORDER BY h.at DESC LIMIT 1
    ) s`;
  return rows.map(toDirectedSample);
}
