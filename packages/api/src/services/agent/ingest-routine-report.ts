import type { THealthReport } from "@meshover/netcfg";
import { getPgPool, type TPrismaClient } from "@meshover/prisma";
import {
  readStoredMetrics,
  sampleInsertSql,
  toSampleRowsJson,
  toUtcTimestamp,
} from "../../lib/health-sample";
import type { TPreviousReport } from "../events/record-report-events";

/**
 * The report fields the fast case handles: those its statement stores (the observed mesh and
 * the re-apply request included) and those stored apart whichever case a report takes (route
 * candidates by `ingestRouteCandidates`, received and installed routes by `storeObservedState`,
 * handshakes over rotation tunnels by `recordRotationEvidence`). A report carrying anything else
 * that is not null (a rotation's next key, a field added to the protocol later) takes the
 * general case, which knows what to do with it: add a field here only once it is stored.
 */
const ROUTINE_FIELDS = new Set<string>([
  "agentVersion",
  "hostInfo",
  "endpoints",
  "publicKey",
  "rotationId",
  "appliedVersion",
  "applyError",
  "peers",
  "routeCandidates",
  "routes",
  "observed",
  "reappliedId",
  "rotationTunnels",
] satisfies (keyof THealthReport)[]);

function isRoutineField(key: string, value: unknown): boolean {
  return value === undefined || value === null || ROUTINE_FIELDS.has(key);
}

// One statement, one round trip, atomic on its own: read what the timeline compares the report
// with (the node's applied version and the newest sample of each of its tunnels; CTEs see the
// snapshot from before the writes), update the node's facts (the observed mesh and the re-apply
// request too, as storeObservedState would: $12 null keeps the stored mesh, $13 false the
// stored request) and insert the samples. The update (and with it the inserts) happens only
// when the report changes nothing in the mesh (same key, same endpoints, same virtualization:
// it picks the node's BFD timers) and none of the node's failed direct paths is due for a
// retry: otherwise `updated` is 0 and nothing was written. It also says whether a key rotation
// of the node or of a peer it saw waits for handshakes (the caller then records the evidence).
const INGEST_SQL = `
WITH previous_node AS (
  SELECT "appliedConfigVersion"::text AS applied FROM "Node" WHERE id = $1::uuid
), previous_samples AS (
  SELECT json_agg(json_build_object(
    'peerId', p.id, 'at', latest.at, 'handshakeAt', latest."handshakeAt",
    'metrics', latest.metrics)) AS samples
  FROM unnest($10::uuid[]) AS p(id)
  CROSS JOIN LATERAL (
    SELECT h.at, h."handshakeAt", h.metrics FROM "HealthSample" h
    WHERE h."nodeId" = $1::uuid AND h."peerId" = p.id
    ORDER BY h.at DESC LIMIT 1
  ) latest
), updated AS (
  UPDATE "Node" SET "lastSeenAt" = $2::timestamp, "updatedAt" = $2::timestamp,
    "agentVersion" = $5, "hostInfo" = $6::jsonb, "appliedConfigVersion" = $7::bigint,
    "applyError" = $8, "observedMesh" = COALESCE($12::jsonb, "observedMesh"),
    "reappliedAt" = CASE WHEN $13::boolean AND "reappliedId" IS DISTINCT FROM $14::uuid
      THEN $2::timestamp ELSE "reappliedAt" END,
    "reappliedId" = CASE WHEN $13::boolean THEN $14::uuid ELSE "reappliedId" END
  WHERE id = $1::uuid AND "publicKey" = $3 AND endpoints = $4::text[]
    AND "hostInfo"->>'virtualization' IS NOT DISTINCT FROM $6::jsonb->>'virtualization'
    AND NOT EXISTS (
      SELECT 1 FROM "DirectPathFailure" f
      WHERE (f."nodeAId" = $1::uuid OR f."nodeBId" = $1::uuid) AND f."retryAt" <= $2::timestamp)
  RETURNING id
), inserted AS (
  ${sampleInsertSql("$1", "$2", "$9", "EXISTS (SELECT 1 FROM updated)")}
  RETURNING 1
)
SELECT (SELECT count(*) FROM updated)::int AS updated,
  (SELECT applied FROM previous_node) AS applied,
  EXISTS (SELECT 1 FROM "KeyRotation" r
    WHERE r.status = 'reported' AND r."nodeId" = ANY($11::uuid[])) AS "isRotationWaiting",
  (SELECT samples FROM previous_samples) AS samples`;

interface TIngestRow {
  updated: number;
  applied: string | null;
  isRotationWaiting: boolean;
  samples: { peerId: string; at: string; handshakeAt: string | null; metrics: unknown }[] | null;
}

/** A report of `nodeId` received at `now`. */
export interface TReportOptions {
  db: TPrismaClient;
  nodeId: string;
  report: THealthReport;
  now: Date;
}

/** A `timestamp` as JSON gives it (UTC without a zone) as a Date. */
function fromUtcJson(text: string): Date {
  return new Date(`${text}Z`);
}

/**
 * The nodes whose running key rotation a report may prove a pair of: the peers it saw
 * handshake with a key, the peers of its rotation tunnels, and the node itself.
 */
export function listRotationCandidates(
  nodeId: string,
  report: Pick<THealthReport, "peers" | "rotationTunnels">,
): string[] {
  const seen = report.peers.filter((peer) => peer.peerPublicKey && peer.handshakeAt);
  const ids = [...seen, ...(report.rotationTunnels ?? [])].map((peer) => peer.peerId);
  return [...new Set([...ids, nodeId])];
}

/** What the fast case stored. */
export interface TRoutineReport {
  /** What the timeline compares the report with. */
  previous: TPreviousReport;
  /** A key rotation of the node or of a peer it names waits for handshakes. */
  isRotationWaiting: boolean;
}

/**
 * The fast case of `ingestReport`: store a routine health report (the same node key and
 * endpoints, no next key, no direct path failing or due for a retry: nearly every report, those
 * sent during a peer's key rotation included) with its observed mesh and re-apply request in one
 * statement on the pool, without Prisma's per-query compile. Route candidates, routes and
 * rotation evidence are left to the caller. Null when the report is not routine (or the node is
 * gone) and nothing was written: then the general case must handle it.
 */
export async function ingestRoutineReport(options: TReportOptions): Promise<TRoutineReport | null> {
  const { db, nodeId, report, now } = options;
  const isRoutine = Object.entries(report).every(([key, value]) => isRoutineField(key, value));
  const peers = report.peers.filter((peer) => peer.peerId !== nodeId);
  // A tunnel that never handshook may be a dead direct path (record-direct-paths.ts decides).
  if (!isRoutine || peers.some((peer) => peer.directPathError)) return null;
  const { rows } = await getPgPool(db).query<TIngestRow>(INGEST_SQL, [
    nodeId,
    toUtcTimestamp(now),
    report.publicKey,
    report.endpoints,
    report.agentVersion,
    JSON.stringify(report.hostInfo),
    report.appliedVersion === null ? null : String(report.appliedVersion),
    report.applyError,
    toSampleRowsJson(peers),
    peers.map((peer) => peer.peerId),
    listRotationCandidates(nodeId, report),
    report.observed ? JSON.stringify(report.observed) : null,
    report.reappliedId !== undefined,
    report.reappliedId ?? null,
  ]);
  const row = rows[0];
  if (!row || row.updated === 0) return null;
  const previous = {
    appliedVersion: row.applied === null ? null : Number(row.applied),
    tunnels: (row.samples ?? []).map((sample) => {
      const metrics = readStoredMetrics(sample.metrics);
      return {
        peerId: sample.peerId,
        at: fromUtcJson(sample.at),
        bgpState: metrics.bgpState,
        bfdState: metrics.bfdState,
        handshakeAt: sample.handshakeAt === null ? null : fromUtcJson(sample.handshakeAt),
      };
    }),
  };
  return { previous, isRotationWaiting: row.isRotationWaiting };
}
