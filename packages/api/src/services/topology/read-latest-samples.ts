import type { TPrismaClient } from "@meshover/prisma";
import {
  DIRECTED_SAMPLE_COLUMNS,
  toDirectedSample,
  type TDirectedSample,
  type TSampleRow,
} from "../../lib/health-sample";

/** The newest sample per (node, peer) direction, from the (nodeId, peerId, at) index. */
export async function readLatestSamples({ db }: { db: TPrismaClient }): Promise<TDirectedSample[]> {
  const rows = await db.$queryRaw<TSampleRow[]>`
    SELECT DISTINCT ON ("nodeId", "peerId") ${DIRECTED_SAMPLE_COLUMNS}
    FROM "HealthSample"
    ORDER BY "nodeId", "peerId", at DESC`;
  return rows.map(toDirectedSample);
}
