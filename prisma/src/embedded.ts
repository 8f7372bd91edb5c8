// The embedded default database: PGlite (Postgres compiled to WASM) in this process, served
// over a loopback socket so Prisma's pg adapter, the migration CLI and the admin CLI can reach
// it like any Postgres. Only one process may open a PGlite folder, so the owner writes a lock
// file naming its pid and socket; other processes connect through that socket instead.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/** What the lock file next to the data says about the process serving it. */
export interface TEmbeddedLock {
  pid: number;
  url: string;
}

/** A running embedded database. */
export interface TEmbeddedDatabase {
  /** postgres:// URL of the loopback socket. */
  url: string;
  /** Close the socket and the database, and remove the lock. */
  stop(): Promise<void>;
}

const LOCK_FILE = "pglite.lock.json";

// The socket multiplexes clients onto one PGlite connection; a handful is plenty for one
// controller plus an admin CLI and the migration engine.
const MAX_CONNECTIONS = 16;

/** The lock of a live process serving `dataDir`, or null when nobody serves it. */
export function readEmbeddedLock(dataDir: string): TEmbeddedLock | null {
  let lock: TEmbeddedLock;
  try {
    lock = JSON.parse(readFileSync(join(dataDir, LOCK_FILE), "utf8")) as TEmbeddedLock;
  } catch {
    return null;
  }
  try {
    process.kill(lock.pid, 0);
    return lock;
  } catch {
    return null; // stale lock of a process that is gone
  }
}

/** Open (creating if needed) the PGlite folder under `dataDir` and serve it on 127.0.0.1. */
export async function startEmbeddedDatabase({
  dataDir,
}: {
  dataDir: string;
}): Promise<TEmbeddedDatabase> {
  const holder = readEmbeddedLock(dataDir);
  if (holder && holder.pid !== process.pid) {
    throw new Error(
      `the embedded database in ${dataDir} is in use by process ${holder.pid}; stop it first`,
    );
  }
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(join(dataDir, "pglite"));
  const server = new PGLiteSocketServer({
    db,
    host: "127.0.0.1",
    port: 0,
    maxConnections: MAX_CONNECTIONS,
  });
  await server.start();
  const url = `postgresql://postgres@${server.getServerConn()}/postgres`;
  const lockPath = join(dataDir, LOCK_FILE);
  writeFileSync(lockPath, JSON.stringify({ pid: process.pid, url } satisfies TEmbeddedLock), {
    mode: 0o600,
  });
  let stopped = false;
  return {
    url,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
      rmSync(lockPath, { force: true });
    },
  };
}
