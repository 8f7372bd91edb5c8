// The embedded default database: PGlite (Postgres compiled to WASM) in this process, served on
// a Unix socket so Prisma's pg adapter, the migration CLI and the admin CLI can reach it like any
// Postgres. Only one process may open a PGlite folder, so the owner writes a lock file naming
// its pid and socket; other processes connect through that socket instead.
//
// PGlite has no passwords and makes every client superuser, so the socket must be reachable by
// this installation's user alone: it lives in `<data>/run`, and the data folder is 0700 with
// files 0600. Nobody else can connect, read the files, or see the lock file.
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { servePglite } from "./serve-pglite";

/** What the lock file next to the data says about the process serving it. */
export interface TEmbeddedLock {
  pid: number;
  url: string;
}

/** A running embedded database. */
export interface TEmbeddedDatabase {
  /** postgres:// URL of the Unix socket. */
  url: string;
  /** Close the socket and the database, and remove the lock. */
  stop(): Promise<void>;
  /** A consistent gzipped tar of the data folder (see `backupEmbeddedDatabase`). */
  backup(): Promise<Blob>;
}

const LOCK_FILE = "pglite.lock.json";

/**
 * Postgres settings of the embedded database. PGlite keeps Postgres's shared memory inside its
 * WASM heap, which never shrinks and is touched at start, so the stock shared_buffers (128 MB)
 * cost ~240 MB of resident memory before a single row. A small mesh's working set (nodes,
 * the newest samples) fits in far less, and files it does not hold stay in the OS page cache.
 */
export const EMBEDDED_SETTINGS = ["-c", "shared_buffers=16MB"];
/** Postgres clients look for `<host folder>/.s.PGSQL.<port>`; 5432 is the default port. */
const SOCKET_NAME = ".s.PGSQL.5432";
/** Beside the database socket: connecting to it streams a backup (`npm run admin -- backup`). */
export const BACKUP_SOCKET_NAME = "backup.sock";
// sun_path holds 108 bytes on Linux; a deeper data folder gets its socket in a private /tmp dir.
const MAX_SOCKET_PATH = 100;

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

// Folders from before these rules (or a copied backup) may be 0755/0666: tighten them.
function restrictTree(path: string): void {
  chmodSync(path, 0o700);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) restrictTree(child);
    else if (entry.isFile()) chmodSync(child, 0o600);
  }
}

/** A 0700 folder for the socket: `<dataDir>/run`, or a private temp folder when that is too long. */
function makeSocketFolder(dataDir: string): { folder: string; isTemporary: boolean } {
  const folder = join(dataDir, "run");
  if (join(folder, SOCKET_NAME).length <= MAX_SOCKET_PATH) {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    chmodSync(folder, 0o700);
    return { folder, isTemporary: false };
  }
  const temporary = join(tmpdir(), `meshover-pg-${process.pid}-${Date.now()}`);
  mkdirSync(temporary, { mode: 0o700 });
  return { folder: temporary, isTemporary: true };
}

/** Open (creating if needed) the PGlite folder under `dataDir` and serve it on a private Unix socket. */
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
  // Everything this process creates from here on is private to its user.
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  restrictTree(dataDir);
  const db = await PGlite.create(join(dataDir, "pglite"), {
    startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS],
  });
  // PGlite chmods the files of a new database to 0666 whatever the umask: tighten again.
  // Files it creates while running follow the umask (the access test checks both).
  restrictTree(dataDir);
  const { folder, isTemporary } = makeSocketFolder(dataDir);
  const server = await servePglite({ db, path: join(folder, SOCKET_NAME) });
  const url = `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(folder)}`;
  // The admin CLI cannot open the folder while we hold it, so it asks us for the backup.
  const backupPath = join(folder, BACKUP_SOCKET_NAME);
  rmSync(backupPath, { force: true });
  const backupServer = createServer((socket) => {
    socket.on("error", () => socket.destroy());
    server
      .backup()
      .then(async (blob) => socket.end(Buffer.from(await blob.arrayBuffer())))
      .catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    backupServer.once("error", reject);
    backupServer.listen(backupPath, resolve);
  });
  const lockPath = join(dataDir, LOCK_FILE);
  writeFileSync(lockPath, JSON.stringify({ pid: process.pid, url } satisfies TEmbeddedLock), {
    mode: 0o600,
  });
  let stopped = false;
  return {
    url,
    backup: () => server.backup(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise((resolve) => backupServer.close(resolve));
      rmSync(backupPath, { force: true });
      await server.close();
      await db.close();
      rmSync(lockPath, { force: true });
      restrictTree(dataDir);
      if (isTemporary) rmSync(folder, { recursive: true, force: true });
    },
  };
}
