// The on-disk record of one lab run: everything it created (namespaces, links, processes,
// databases), written BEFORE each object is created, so that teardown, `npm run lab -- down`
// from another shell, and the leftover sweeper can all remove exactly what the run made.
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { TProcessRef } from "./manage-process";

/**
 * Every lab object name starts with this, so nothing else on the machine is ever touched.
 * MESHOVER_LAB_PREFIX gives one engineer's runs their own prefix (e.g. "mos-"): their sweeper
 * and teardown then never see anyone else's runs. Short, so link names stay within 15 bytes.
 */
export const LAB_PREFIX = readLabPrefix(process.env.MESHOVER_LAB_PREFIX);

function readLabPrefix(value: string | undefined) {
  if (value === undefined || value === "") return "mo-lab-";
  if (!/^[a-z][a-z0-9]{1,5}-$/.test(value)) {
    throw new Error(`MESHOVER_LAB_PREFIX must look like "mos-" (2-6 letters/digits, then -)`);
  }
  return value;
}
/** Where lab runs keep their records, logs and per-node folders. */
export const LAB_ROOT = "/run/mo-lab";

/** A database the run created on a PostgreSQL server (dropped at teardown). */
export interface TRecordedDatabase {
  /** URL of the server's maintenance database, used to drop `name`. */
  serverUrl: string;
  name: string;
}

/** The record of one lab run. */
export interface TLabRecord {
  runId: string;
  /** The process that owns the run: while it lives, nobody else removes the run. */
  owner: TProcessRef;
  createdAt: string;
  /** Folder with this record, logs and per-node folders. */
  dir: string;
  netns: string[];
  /** Links in the root namespace (bridge, host ends of veth pairs). */
  links: string[];
  processes: TProcessRef[];
  databases: TRecordedDatabase[];
  /** Free-form facts for `lab status` (controller URL, nodes, ...). */
  info: Record<string, unknown>;
}

/** The folder of run `runId`. */
export function labDir(runId: string) {
  return join(LAB_ROOT, `${LAB_PREFIX}${runId}`);
}

/** Persist `record` atomically. */
export function writeLabRecord(record: TLabRecord) {
  mkdirSync(record.dir, { recursive: true });
  const path = join(record.dir, "lab.json");
  writeFileSync(`${path}.tmp`, JSON.stringify(record, null, 2));
  renameSync(`${path}.tmp`, path);
}

/** Read the record in `dir`, or null when there is none (or it is unreadable). */
export function readLabRecord(dir: string): TLabRecord | null {
  try {
    return JSON.parse(readFileSync(join(dir, "lab.json"), "utf8")) as TLabRecord;
  } catch {
    return null;
  }
}

/** Every lab record on this machine. */
export function listLabRecords(): TLabRecord[] {
  if (!existsSync(LAB_ROOT)) return [];
  return readdirSync(LAB_ROOT)
    .filter((name) => name.startsWith(LAB_PREFIX))
    .map((name) => readLabRecord(join(LAB_ROOT, name)))
    .filter((record): record is TLabRecord => record !== null);
}
