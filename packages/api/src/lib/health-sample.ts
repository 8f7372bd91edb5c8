// The HealthSample table, derived from the record in netcfg's protocol: ZPeerCounters are
// columns (SQL aggregates them for the history charts), ZPeerMetrics is one JSONB column. The
// SQL column lists, the row reader and the API's output schema all come from those two, so a new
// metric (a field of ZPeerMetrics) changes nothing here.
import { z } from "zod";
import {
  ZPeerMetrics,
  type TPeerCounters,
  type TPeerHealth,
  type TPeerMetrics,
} from "@meshover/netcfg";
import { Prisma } from "@meshover/prisma";

/** The SQL type of each counter column, as json_to_recordset reads it out of a report. */
const COUNTER_COLUMNS = {
  handshakeAt: "timestamp",
  rxBytes: "bigint",
  txBytes: "bigint",
  rttMs: "double precision",
} as const satisfies Record<keyof TPeerCounters, string>;

const COUNTER_NAMES = Object.keys(COUNTER_COLUMNS) as (keyof TPeerCounters)[];
const METRIC_NAMES = Object.keys(ZPeerMetrics.shape) as (keyof TPeerMetrics)[];

/** One stored sample as the API returns it: the counters with their stored types, every metric. */
export const ZHealthSample = z.object({
  at: z.date(),
  ...({
    handshakeAt: z.date().nullable(),
    rxBytes: z.number(),
    txBytes: z.number(),
    rttMs: z.number().nullable(),
  } satisfies Record<keyof TPeerCounters, z.ZodType>),
  ...ZPeerMetrics.shape,
});

/** One stored sample. */
export type THealthSample = z.infer<typeof ZHealthSample>;

/** A stored sample with the direction it describes (`nodeId` saw its tunnel to `peerId`). */
export type TDirectedSample = THealthSample & { nodeId: string; peerId: string };

/** The columns a SELECT needs for `toDirectedSample` (table alias-free). */
export const DIRECTED_SAMPLE_COLUMNS = Prisma.raw(
  [
    `"nodeId"::text AS "nodeId"`,
    `"peerId"::text AS "peerId"`,
    "at",
    ...COUNTER_NAMES.map((name) => `"${name}"`),
    "metrics",
  ].join(", "),
);

/** A row selected with DIRECTED_SAMPLE_COLUMNS. */
export type TSampleRow = {
  nodeId: string;
  peerId: string;
  at: Date;
  handshakeAt: Date | null;
  rxBytes: bigint;
  txBytes: bigint;
  rttMs: number | null;
  metrics: unknown;
};

/**
 * The stored metrics, each validated by its ZPeerMetrics field. A metric that is missing (stored
 * before it existed) or no longer valid (its bounds tightened since) reads as null instead of
 * failing the whole dashboard.
 */
export function readStoredMetrics(stored: unknown): TPeerMetrics {
  const whole = ZPeerMetrics.safeParse(stored);
  if (whole.success) return whole.data;
  const record = typeof stored === "object" && stored !== null ? stored : {};
  const fields = Object.entries(ZPeerMetrics.shape).map(([name, schema]) => {
    const field = schema.safeParse((record as Record<string, unknown>)[name]);
    return [name, field.success ? field.data : null];
  });
  // Every field is nullable (ZPeerMetrics's rule), so this object has the record's type.
  return Object.fromEntries(fields) as TPeerMetrics;
}

/** A selected row as the API returns it (counters as numbers, metrics validated). */
export function toDirectedSample(row: TSampleRow): TDirectedSample {
  return {
    nodeId: row.nodeId,
    peerId: row.peerId,
    at: row.at,
    handshakeAt: row.handshakeAt,
    rxBytes: Number(row.rxBytes),
    txBytes: Number(row.txBytes),
    rttMs: row.rttMs,
    ...readStoredMetrics(row.metrics),
  };
}

/** A UTC time as a `timestamp` literal (Prisma stores DateTime as UTC without a zone). */
export function toUtcTimestamp(at: Date): string {
  return at.toISOString().replace(/Z$/, "");
}

/** A report's peers as the JSON rows {@link sampleInsertSql} reads (one per peer). */
export function toSampleRowsJson(peers: readonly TPeerHealth[]): string {
  return JSON.stringify(
    peers.map((peer) => ({
      peerId: peer.peerId,
      ...Object.fromEntries(COUNTER_NAMES.map((name) => [name, peer[name]])),
      handshakeAt: peer.handshakeAt?.replace(/Z$/, "") ?? null,
      metrics: Object.fromEntries(METRIC_NAMES.map((name) => [name, peer[name]])),
    })),
  );
}

const COUNTERS_SQL = COUNTER_NAMES.map((name) => `"${name}"`).join(", ");
const FROM_COUNTERS_SQL = COUNTER_NAMES.map((name) => `s."${name}"`).join(", ");
const RECORDSET_SQL = COUNTER_NAMES.map((name) => `"${name}" ${COUNTER_COLUMNS[name]}`).join(", ");

/**
 * SQL inserting one sample per row of a {@link toSampleRowsJson} array. The arguments are SQL
 * expressions (placeholders) for the reporting node's id, the report's time (from
 * {@link toUtcTimestamp}) and the rows; `condition`, when given, must hold for anything to be
 * inserted. The join skips peers the controller no longer knows (removed meanwhile) instead of
 * failing the report.
 */
export function sampleInsertSql(
  nodeId: string,
  at: string,
  rows: string,
  condition = "true",
): string {
  return `INSERT INTO "HealthSample" ("nodeId", "peerId", at, ${COUNTERS_SQL}, metrics)
    SELECT ${nodeId}::uuid, n.id, ${at}::timestamp, ${FROM_COUNTERS_SQL}, jsonb_strip_nulls(s.metrics)
    FROM json_to_recordset(${rows}::json) AS s("peerId" uuid, ${RECORDSET_SQL}, metrics jsonb)
    JOIN "Node" n ON n.id = s."peerId"
    WHERE ${condition}`;
}

const INSERT_SAMPLES_SQL = sampleInsertSql("$1", "$2", "$3");

/** Insert one sample per peer of a report in one statement. */
export async function insertHealthSamples(
  tx: Prisma.TransactionClient,
  { nodeId, at, peers }: { nodeId: string; at: Date; peers: readonly TPeerHealth[] },
): Promise<void> {
  if (peers.length === 0) return;
  await tx.$executeRawUnsafe(
    INSERT_SAMPLES_SQL,
    nodeId,
    toUtcTimestamp(at),
    toSampleRowsJson(peers),
  );
}
