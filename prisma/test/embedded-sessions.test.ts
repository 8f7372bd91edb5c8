// The embedded database serves several clients over one PGlite session. Every client must get
// its own query's answers (no cross-talk under load) and its own session settings (one client's
// SET, e.g. pg_dump clearing search_path, must not break another's queries).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedDatabase, type TEmbeddedDatabase } from "../src/embedded";

const dataDir = mkdtempSync(join(tmpdir(), "meshover-pglite-sessions-"));
let embedded: TEmbeddedDatabase;

beforeAll(async () => {
  embedded = await startEmbeddedDatabase({ dataDir });
  const setup = new pg.Client({ connectionString: embedded.url });
  await setup.connect();
  await setup.query(`CREATE TABLE "Item" (id int PRIMARY KEY, tag text NOT NULL)`);
  await setup.query(`INSERT INTO "Item" SELECT i, 'item-' || i FROM generate_series(1, 500) i`);
  await setup.end();
}, 60_000);
afterAll(async () => {
  await embedded?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function connect() {
  const client = new pg.Client({ connectionString: embedded.url });
  await client.connect();
  return client;
}

describe("embedded database sessions", () => {
  it("answers every query of several concurrent clients with its own result", async () => {
    const clients = await Promise.all(Array.from({ length: 6 }, connect));
    let checked = 0;
    try {
      await Promise.all(
        clients.map(async (client, c) => {
          for (let i = 0; i < 120; i++) {
            const id = ((c * 120 + i) % 500) + 1;
            // Extended protocol (Parse/Bind/Execute/Sync) with the unnamed statement, as node-postgres
            // and Prisma send it, mixed with transactions.
            if (i % 10 === 0) {
              await client.query("BEGIN");
              const inside = await client.query<{ tag: string }>(
                `SELECT tag FROM "Item" WHERE id = $1`,
                [id],
              );
              expect(inside.rows).toEqual([{ tag: `item-${id}` }]);
              await client.query("COMMIT");
            } else {
              const result = await client.query<{ tag: string; c: number; i: number }>(
                `SELECT tag, $2::int AS c, $3::int AS i FROM "Item" WHERE id = $1`,
                [id, c, i],
              );
              expect(result.rows).toEqual([{ tag: `item-${id}`, c, i }]);
            }
            checked++;
          }
        }),
      );
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
    expect(checked).toBe(6 * 120);
  }, 60_000);

  it("keeps one client's session settings away from the others", async () => {
    const controller = await connect();
    const dump = await connect();
    try {
      // What pg_dump does first.
      await dump.query("SELECT pg_catalog.set_config('search_path', '', false)");
      const result = await controller.query<{ n: string }>(`SELECT count(*) AS n FROM "Item"`);
      expect(result.rows).toEqual([{ n: "500" }]);
      // The setting still holds for the client that made it.
      const own = await dump.query<{ path: string }>(
        "SELECT current_setting('search_path') AS path",
      );
      expect(own.rows).toEqual([{ path: "" }]);
      await expect(dump.query(`SELECT count(*) FROM "Item"`)).rejects.toThrow(/does not exist/);
    } finally {
      await controller.end();
      await dump.end();
    }
  }, 30_000);
});
