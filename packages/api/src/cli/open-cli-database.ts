// The admin CLI's database: DATABASE_URL when set; otherwise the embedded database, reached
// through the running controller's socket (named in its lock file) or, when no controller
// runs, opened by the CLI itself for the duration of the command.
import { resolve } from "node:path";
import { createPrismaClient, type TPrismaClient } from "@meshover/prisma";
import {
  readEmbeddedLock,
  startEmbeddedDatabase,
  type TEmbeddedDatabase,
} from "@meshover/prisma/embedded";
import { applyMigrations } from "@meshover/prisma/migrate";
import type { TControllerEnv } from "../env";
import { ensureSettings } from "../services/settings/ensure-settings";

/** An open database for one CLI command. */
export interface TCliDatabase {
  db: TPrismaClient;
  /** Where it came from, for the operator. */
  source: "DATABASE_URL" | "running controller" | "embedded (opened by the CLI)";
  close(): Promise<void>;
}

/** Open the database the controller uses (see the file comment). */
export async function openCliDatabase(env: TControllerEnv): Promise<TCliDatabase> {
  if (env.DATABASE_URL) {
    const db = createPrismaClient({ url: env.DATABASE_URL, maxConnections: 2 });
    return { db, source: "DATABASE_URL", close: () => db.$disconnect() };
  }
  const dataDir = resolve(env.MESHOVER_DATA_DIR);
  const lock = readEmbeddedLock(dataDir);
  if (lock) {
    const db = createPrismaClient({ url: lock.url, maxConnections: 1 });
    return { db, source: "running controller", close: () => db.$disconnect() };
  }
  const embedded: TEmbeddedDatabase = await startEmbeddedDatabase({ dataDir });
  try {
    await applyMigrations({ url: embedded.url });
    const db = createPrismaClient({ url: embedded.url, maxConnections: 1 });
    await ensureSettings({ db });
    return {
      db,
      source: "embedded (opened by the CLI)",
      async close() {
        await db.$disconnect();
        await embedded.stop();
      },
    };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}
