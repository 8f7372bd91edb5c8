import type { TPrismaClient } from "@meshover/prisma";

/** Sums and extremes over the latest sample of each tunnel direction a node reported. */
export type TNodeTunnels = {
  tunnels: number;
  bgpEstablished: number;
  bfdUp: number;
  rttMaxMs: number | null;
  /** The oldest last handshake over the node's tunnels (null: none has one). */
  oldestHandshakeAt: Date | null;
  mtuMeasuredMin: number | null;
  rxBytes: number;
  txBytes: number;
};

/** One tunnel (node pair, by node index): how many of its two directions reported, and are up. */
export type TPairHealth = { source: number; target: number; seen: number; up: number };

type TRow = TNodeTunnels & {
  kind: "node" | "pair";
  nodeId: string | null;
  source: number | null;
  target: number | null;
  up: number | null;
};

/**
 * The mesh's health for a metrics scrape, aggregated in SQL from the latest sample per
 * direction (one index probe per ordered node pair): per node its tunnels' figures, per node
 * pair whether both directions report BGP Established and BFD up. A few thousand small rows
 * instead of N·(N-1) samples with their JSON.
 */
export async function readMeshHealth({ db }: { db: TPrismaClient }) {
  const rows = await db.$queryRaw<TRow[]>`
    WITH latest AS (
      SELECT n.id AS "nodeId", n.index AS "nodeIndex", p.index AS "peerIndex", s.*
      FROM "Node" n
      JOIN "Node" p ON p.id <> n.id
      CROSS JOIN LATERAL (
        SELECT h."handshakeAt", h."rxBytes", h."txBytes", h."rttMs",
          h.metrics->>'bgpState' = 'Established' AS bgp,
          lower(h.metrics->>'bfdState') = 'up' AS bfd,
          CASE WHEN jsonb_typeof(h.metrics->'mtuMeasured') = 'number'
            THEN (h.metrics->>'mtuMeasured')::float8 END AS mtu
        FROM "HealthSample" h
        WHERE h."nodeId" = n.id AND h."peerId" = p.id
        ORDER BY h.at DESC
        LIMIT 1
      ) s
    )
    SELECT 'node' AS kind, "nodeId"::text AS "nodeId", NULL::int AS source, NULL::int AS target,
      count(*)::int AS tunnels,
      (count(*) FILTER (WHERE bgp))::int AS "bgpEstablished",
      (count(*) FILTER (WHERE bfd))::int AS "bfdUp",
      max("rttMs") AS "rttMaxMs", min("handshakeAt") AS "oldestHandshakeAt",
      min(mtu) AS "mtuMeasuredMin",
      sum("rxBytes")::float8 AS "rxBytes", sum("txBytes")::float8 AS "txBytes", NULL::int AS up
    FROM latest GROUP BY "nodeId"
    UNION ALL
    SELECT 'pair', NULL, least("nodeIndex", "peerIndex"), greatest("nodeIndex", "peerIndex"),
      count(*)::int, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
      (count(*) FILTER (WHERE bgp AND bfd))::int
    FROM latest GROUP BY 3, 4`;
  const nodes = new Map<string, TNodeTunnels>();
  const pairs: TPairHealth[] = [];
  for (const row of rows) {
    if (row.kind === "node" && row.nodeId) nodes.set(row.nodeId, row);
    else if (row.source !== null && row.target !== null) {
      pairs.push({ source: row.source, target: row.target, seen: row.tunnels, up: row.up ?? 0 });
    }
  }
  return { nodes, pairs };
}
