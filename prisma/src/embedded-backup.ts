// Backing up and restoring the embedded database. Pointing pg_dump at the live socket is not
// the way: Debian's pg_dump refuses PGlite's newer server version, and the data folder is
// PGlite's own. A backup is PGlite's data folder as a gzipped tar, taken by the process that
// holds the database (between two clients' turns, after a CHECKPOINT) so it is consistent; the
// admin CLI asks the running controller for it over the private backup socket, or opens the
// folder itself when no controller runs.
import { mkdirSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { BACKUP_SOCKET_NAME, readEmbeddedLock, startEmbeddedDatabase } from "./embedded";

/** Where a backup came from, for the operator. */
export type TBackupSource = "running controller" | "data folder";

/** Write a backup of the embedded database in `dataDir` to `outFile` (mode 0600). */
export async function backupEmbeddedDatabase({
  dataDir,
  outFile,
}: {
  dataDir: string;
  outFile: string;
}): Promise<{ bytes: number; source: TBackupSource }> {
  const lock = readEmbeddedLock(dataDir);
  let data: Buffer;
  let source: TBackupSource;
  if (lock) {
    const folder = new URL(lock.url).searchParams.get("host");
    if (!folder)
      throw new Error("the running controller serves no backup socket (an old version?)");
    data = await readSocket(join(folder, BACKUP_SOCKET_NAME));
    source = "running controller";
  } else {
    const embedded = await startEmbeddedDatabase({ dataDir });
    try {
      data = Buffer.from(await (await embedded.backup()).arrayBuffer());
    } finally {
      await embedded.stop();
    }
    source = "data folder";
  }
  // gzip magic: a truncated stream (the controller stopped mid-way) is not a backup.
  if (data.length < 1024 || data[0] !== 0x1f || data[1] !== 0x8b) {
    throw new Error("the backup came back empty or truncated");
  }
  writeFileSync(outFile, data, { mode: 0o600 });
  return { bytes: data.length, source };
}

function readSocket(path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    connect(path)
      .on("data", (chunk: Buffer) => chunks.push(chunk))
      .on("end", () => resolve(Buffer.concat(chunks)))
      .on("error", reject);
  });
}

/**
 * Replace the embedded database in `dataDir` with a backup (the controller must be stopped).
 * The current data moves aside to `pglite.replaced-<time>`, never deleted.
 */
export async function restoreEmbeddedDatabase({
  dataDir,
  backup,
  now = new Date(),
}: {
  dataDir: string;
  backup: Buffer;
  now?: Date;
}): Promise<{ movedAside: string | null }> {
  const holder = readEmbeddedLock(dataDir);
  if (holder) throw new Error(`stop the controller (process ${holder.pid}) before restoring`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const current = join(dataDir, "pglite");
  let movedAside: string | null = null;
  if (existsSync(current)) {
    movedAside = `${current}.replaced-${now.toISOString().replaceAll(":", "-")}`;
    renameSync(current, movedAside);
  }
  const db = await PGlite.create(current, { loadDataDir: new Blob([new Uint8Array(backup)]) });
  await db.close();
  // Re-open once through the normal path: it checks the data and tightens the permissions.
  const embedded = await startEmbeddedDatabase({ dataDir });
  await embedded.stop();
  return { movedAside };
}
