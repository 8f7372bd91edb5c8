import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFreshDatabase, dropDatabase } from "../../scripts/lib/postgres.mjs";
import { requireTestServerUrl } from "../src/testing";

const MIGRATIONS = join(import.meta.dirname, "..", "migrations");
const readMigration = (name: string) =>
  readFileSync(join(MIGRATIONS, name, "migration.sql"), "utf8");

const serverUrl = requireTestServerUrl();
const name = `meshover_test_mig_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({ connectionString: await createFreshDatabase(serverUrl, name) });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await dropDatabase(serverUrl, name);
});

describe("the health-metrics migration", () => {
  it("moves the old per-metric columns of stored samples into metrics, leaving nulls out", async () => {
    await client.query(readMigration("20261126073430_init"));
    const [a, b] = [randomUUID(), randomUUID()];
    await client.query(
      `INSERT INTO "Node" (id, name, index, asn, ipv4, ipv6, "updatedAt")
       VALUES ($1, 'a', 1, 4200000001, '10.128.0.1', 'fd00::1', now()),
              ($2, 'b', 2, 4200000002, '10.128.0.2', 'fd00::2', now())`,
      [a, b],
    );
    await client.query(
      `INSERT INTO "HealthSample" ("nodeId", "peerId", "rxBytes", "txBytes", "bgpState",
         "bgpUptimeSec", "bfdState", "prefixesReceived", "mtuConfigured", "mtuMeasured", "rttMs")
       VALUES ($1, $2, 10, 20, 'Established', 42, 'up', 3, 1420, 1380, 1.5),
              ($2, $1, 0, 0, NULL, NULL, NULL, NULL, 1420, NULL, NULL)`,
      [a, b],
    );

    await client.query(readMigration("20261206072934_health_metrics_jsonb"));

    const { rows } = await client.query<{ nodeId: string; rxBytes: string; metrics: unknown }>(
      `SELECT "nodeId"::text AS "nodeId", "rxBytes"::text AS "rxBytes", "rttMs", metrics
       FROM "HealthSample" ORDER BY "rxBytes" DESC`,
    );
    expect(rows).toEqual([
      {
        nodeId: a,
        rxBytes: "10",
        rttMs: 1.5,
        metrics: {
          bgpState: "Established",
          bgpUptimeSec: 42,
          bfdState: "up",
          prefixesReceived: 3,
          mtuConfigured: 1420,
          mtuMeasured: 1380,
        },
      },
      { nodeId: b, rxBytes: "0", rttMs: null, metrics: { mtuConfigured: 1420 } },
    ]);
  });
});
