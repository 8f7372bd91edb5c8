// Test databases: every integration test file gets its own database, cloned from a template
// that is migrated once per set of migrations (CREATE DATABASE ... TEMPLATE is fast; running the
// migrations per file is not).
import { createHash, randomUUID } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createFreshDatabase, dropDatabase } from "../../scripts/lib/postgres.mjs";
import { createPrismaClient, type TPrismaClient } from "./index";
import { applyMigrations } from "./migrate";

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "migrations");

/** A throwaway database for one test file. */
export interface TTestDatabase {
  url: string;
  db: TPrismaClient;
  /** Disconnect and drop the database. */
  drop(): Promise<void>;
}

function migrationsDigest() {
  const hash = createHash("sha256");
  for (const dir of readdirSync(MIGRATIONS_DIR).sort()) {
    if (dir.endsWith(".toml")) continue;
    hash.update(dir);
    hash.update(readFileSync(join(MIGRATIONS_DIR, dir, "migration.sql")));
  }
  return hash.digest("hex").slice(0, 16);
}

/** The server URL tests run against (npm test starts a throwaway PostgreSQL and sets it). */
export function requireTestServerUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("integration tests need DATABASE_URL (npm test provides one)");
  return url;
}

/** Create a fresh, fully migrated database on the DATABASE_URL server. */
export async function createTestDatabase(): Promise<TTestDatabase> {
  const serverUrl = requireTestServerUrl();
  const template = `meshover_template_${migrationsDigest()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const name = `meshover_test_${randomUUID().replaceAll("-", "").slice(0, 20)}`;
  let url: string;
  try {
    // One migrator at a time across parallel test workers.
    await admin.query("SELECT pg_advisory_lock(4242)");
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [template]);
    if (exists.rowCount === 0) {
      const building = `${template}_build`;
      await applyMigrations({ url: await createFreshDatabase(serverUrl, building) });
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
    }
    url = await createFreshDatabase(serverUrl, name, { template });
  } finally {
    await admin.query("SELECT pg_advisory_unlock(4242)").catch(() => undefined);
    await admin.end();
  }
  const db = createPrismaClient({ url });
  return {
    url,
    db,
    async drop() {
      await db.$disconnect();
      await dropDatabase(serverUrl, name);
    },
  };
}
