// Writes a synthetic mesh straight into the database: N nodes and, for every ordered pair, a
// recent health sample (and `historyMinutes` of older ones). For the topology benchmark and
// page screenshots, where N real agents are not the point; the lab tests use real agents.
import { randomUUID } from "node:crypto";
import pg from "pg";

/** What {@link seedMesh} created. */
export type TSeededMesh = { nodeIds: string[]; names: string[]; edgeCount: number };

/**
 * Insert `count` nodes named `${prefix}-NN` with full-mesh health (a few links with issues).
 * Idempotent per prefix: when such nodes exist already (Playwright re-runs beforeAll after a
 * failed test), those are returned instead of adding more.
 */
export async function seedMesh(options: {
  databaseUrl: string;
  count: number;
  prefix?: string;
  historyMinutes?: number;
}): Promise<TSeededMesh> {
  const { count, prefix = "node", historyMinutes = 0 } = options;
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    const existing = await client.query<{ id: string; name: string }>(
      `SELECT id::text, name FROM "Node" WHERE name LIKE $1 ORDER BY "index"`,
      [`${prefix}-%`],
    );
    if (existing.rows.length > 0) {
      const n = existing.rows.length;
      return {
        nodeIds: existing.rows.map((r) => r.id),
        names: existing.rows.map((r) => r.name),
        edgeCount: (n * (n - 1)) / 2,
      };
    }
    await client.query("BEGIN");
    const base = await client.query<{ max: number | null }>(
      'SELECT max("index") AS max FROM "Node"',
    );
    const offset = (base.rows[0]?.max ?? 0) + 1;
    const setting = await client.query<{ version: string }>(
      'SELECT "meshVersion"::text AS version FROM "Setting" WHERE id = 1',
    );
    const meshVersion = Number(setting.rows[0]?.version ?? 1);
    const nodeIds: string[] = [];
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      const index = offset + i;
      const id = randomUUID();
      const name = `${prefix}-${String(index).padStart(2, "0")}`;
      nodeIds.push(id);
      names.push(name);
      await client.query(
        `INSERT INTO "Node" (id, name, "index", asn, ipv4, ipv6, endpoints, "updatedAt", "lastSeenAt",
           "agentVersion", "desiredConfigVersion", "appliedConfigVersion", "publicKey")
         VALUES ($1, $2, $3, $4, $5, $6, $7, now() at time zone 'utc', now() at time zone 'utc',
           '0.1.0', $8, $8, $9)`,
        [
          id,
          name,
          index,
          4200000000 + index,
          `10.128.${Math.floor(index / 256)}.${index % 256}`,
          `fd42:6d65:7368::${index.toString(16)}`,
          [`2001:db8:${index.toString(16)}::1`],
          // One node lags behind the mesh version, so drift shows.
          i === 2 ? meshVersion - 1 : meshVersion,
          Buffer.from(`seeded-public-key-${index}`.padEnd(32, "=")).toString("base64"),
        ],
      );
    }
    const rows: unknown[][] = [];
    for (let a = 0; a < count; a++)
      for (let b = 0; b < count; b++) {
        if (a === b) continue;
        const isMtuLow = a === 0 && b === 1;
        const isBfdDown = a === 1 && b === 2;
        for (let minute = historyMinutes; minute >= 0; minute -= 1) {
          rows.push([
            nodeIds[a],
            nodeIds[b],
            minute * 60 + 2,
            // Handshake age at that sample: WireGuard re-keys every 2 min under traffic.
            minute * 60 + 2 + ((a + b + minute * 37) % 110),
            // Counters grow with time: ~40-80 KB/s each way.
            (historyMinutes - minute) * 60 * (40_000 + ((a * 13 + minute * 7) % 40) * 1000),
            (historyMinutes - minute) * 60 * (30_000 + ((b * 11 + minute * 5) % 50) * 1000),
            JSON.stringify({
              bgpState: "Established",
              bgpUptimeSec: 3600,
              bfdState: isBfdDown ? "down" : "up",
              prefixesReceived: 1,
              prefixesSent: 1,
              mtuConfigured: 1420,
              mtuMeasured: isMtuLow ? 1380 : 1420,
            }),
            4 + ((a * 7 + b * 13) % 40) + Math.sin(minute / 5) * 2,
          ]);
        }
      }
    // Batch inserts: one statement per 500 samples.
    for (let start = 0; start < rows.length; start += 500) {
      const batch = rows.slice(start, start + 500);
      const values = batch
        .map((_, j) => {
          const p = j * 8;
          return `($${p + 1}::uuid, $${p + 2}::uuid, now() at time zone 'utc' - make_interval(secs => $${p + 3}),
            now() at time zone 'utc' - make_interval(secs => $${p + 4}), $${p + 5}, $${p + 6},
            $${p + 7}::jsonb, $${p + 8})`;
        })
        .join(",");
      await client.query(
        `INSERT INTO "HealthSample" ("nodeId", "peerId", at, "handshakeAt", "rxBytes", "txBytes",
           metrics, "rttMs")
         VALUES ${values}`,
        batch.flat(),
      );
    }
    await client.query("COMMIT");
    return { nodeIds, names, edgeCount: (count * (count - 1)) / 2 };
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * Make the seeded nodes `names` look as if they had just reported (lastSeenAt and their newest
 * samples now): the dashboard calls a node offline after three missed 5 s reports, and a
 * seeded mesh never reports again.
 */
export async function refreshSeededMesh(databaseUrl: string, nodeIds: readonly string[]) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `UPDATE "Node" SET "lastSeenAt" = now() at time zone 'utc' WHERE id = ANY($1::uuid[])`,
      [nodeIds],
    );
    await client.query(
      `UPDATE "HealthSample" h SET at = now() at time zone 'utc'
       FROM (SELECT DISTINCT ON ("nodeId", "peerId") id FROM "HealthSample"
             WHERE "nodeId" = ANY($1::uuid[]) ORDER BY "nodeId", "peerId", at DESC) latest
       WHERE h.id = latest.id`,
      [nodeIds],
    );
  } finally {
    await client.end();
  }
}
