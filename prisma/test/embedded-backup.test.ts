// The documented backup path (npm run admin -- backup / restore): a backup taken from a running
// database while other clients work restores to the same data.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedDatabase } from "../src/embedded";
import { backupEmbeddedDatabase, restoreEmbeddedDatabase } from "../src/embedded-backup";

const root = mkdtempSync(join(tmpdir(), "meshover-backup-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("embedded database backup", () => {
  it("backs up a running database through its backup socket and restores it elsewhere", async () => {
    const dataDir = join(root, "live");
    const outFile = join(root, "backup.tar.gz");
    const live = await startEmbeddedDatabase({ dataDir });
    const client = new pg.Client({ connectionString: live.url });
    try {
      await client.connect();
      await client.query(`CREATE TABLE "Item" (id int PRIMARY KEY, tag text)`);
      await client.query(`INSERT INTO "Item" SELECT i, 'kept-' || i FROM generate_series(1, 50) i`);
      // A transaction in progress during the backup is not in it.
      await client.query("BEGIN");
      await client.query(`INSERT INTO "Item" VALUES (999, 'uncommitted')`);
      const pending = backupEmbeddedDatabase({ dataDir, outFile });
      await client.query("ROLLBACK");
      const { source, bytes } = await pending;
      expect(source).toBe("running controller");
      expect(bytes).toBeGreaterThan(1024);
      expect(statSync(outFile).mode & 0o777).toBe(0o600);
    } finally {
      await client.end();
      await live.stop();
    }

    const restoredDir = join(root, "restored");
    await restoreEmbeddedDatabase({ dataDir: restoredDir, backup: readFileSync(outFile) });
    const restored = await startEmbeddedDatabase({ dataDir: restoredDir });
    const check = new pg.Client({ connectionString: restored.url });
    try {
      await check.connect();
      const rows = await check.query<{ n: string }>(`SELECT count(*) AS n FROM "Item"`);
      expect(rows.rows).toEqual([{ n: "50" }]);
    } finally {
      await check.end();
      await restored.stop();
    }
  }, 120_000);
});
