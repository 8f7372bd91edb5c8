// A throwaway PostgreSQL cluster for tests and migration authoring: initdb + pg_ctl in a temp
// folder on a free loopback port, owned by the `postgres` user when running as root; and fresh
// databases on a server for tests, benches, the lab and migrations. Node built-ins only, plus
// `pg` loaded when a database is created, so scripts that run before `npm ci` can import this.
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The folder holding initdb/pg_ctl of the newest installed PostgreSQL, or null. */
export function findPostgresBin() {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : null;
}

/**
 * A TCP port that was free a moment ago on `host`.
 * @param {string} [host]
 * @returns {Promise<number>}
 */
export function findFreePort(host = "127.0.0.1") {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `url` pointing at database `name` of the same server.
 * @param {string} url
 * @param {string} name
 * @returns {string}
 */
export function withDatabase(url, name) {
  const next = new URL(url);
  next.pathname = `/${name}`;
  return next.toString();
}

/**
 * Run statements one after another on one connection to `serverUrl`.
 * @param {string} serverUrl
 * @param {string[]} statements
 */
async function runOnServer(serverUrl, statements) {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Replace database `name` on the server at `serverUrl` with an empty one (or a copy of
 * `template`) and return its URL. The name is quoted, not escaped: only [a-z0-9_] is accepted.
 * @param {string} serverUrl
 * @param {string} name
 * @param {{ template?: string }} [options]
 * @returns {Promise<string>}
 */
export async function createFreshDatabase(serverUrl, name, { template } = {}) {
  assertDatabaseName(name);
  if (template !== undefined) assertDatabaseName(template);
  await runOnServer(serverUrl, [
    `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`,
    template === undefined
      ? `CREATE DATABASE "${name}"`
      : `CREATE DATABASE "${name}" TEMPLATE "${template}"`,
  ]);
  return withDatabase(serverUrl, name);
}

/**
 * Drop database `name` on the server at `serverUrl`, closing its connections first.
 * @param {string} serverUrl
 * @param {string} name
 */
export async function dropDatabase(serverUrl, name) {
  assertDatabaseName(name);
  await runOnServer(serverUrl, [`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`]);
}

/**
 * Throws unless `name` is a plain lowercase identifier (it is spliced into SQL).
 * @param {string} name
 */
function assertDatabaseName(name) {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
}

/**
 * Start a throwaway cluster. Returns its URL and a stop() that shuts it down and deletes it.
 * As root the cluster runs as `postgres` (PostgreSQL refuses to run as root).
 */
export async function startThrowawayPostgres({ log = () => {} } = {}) {
  const bin = findPostgresBin();
  if (!bin) throw new Error("PostgreSQL is not installed (apt-get install postgresql)");
  const dir = mkdtempSync(join(tmpdir(), "meshover-pg-"));
  const dataDir = join(dir, "data");
  const isRoot = process.getuid?.() === 0;
  if (isRoot) chownSync(dir, uidOf("postgres"), gidOf("postgres"));
  const asPg = (cmd, args) =>
    isRoot
      ? ["runuser", ["-u", "postgres", "--", join(bin, cmd), ...args]]
      : [join(bin, cmd), args];
  const port = await findFreePort();
  const run = (cmd, args) => {
    const [file, argv] = asPg(cmd, args);
    const result = spawnSync(file, argv, { encoding: "utf8" });
    if (result.status !== 0) {
      throw new Error(`${cmd} failed (${result.status}): ${result.stderr || result.stdout}`);
    }
  };
  log(`starting throwaway PostgreSQL on 127.0.0.1:${port}`);
  run("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  run("pg_ctl", [
    "-D",
    dataDir,
    "-l",
    join(dir, "server.log"),
    "-w",
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`,
    "start",
  ]);
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    stop() {
      try {
        run("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function uidOf(user) {
  return Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim());
}
function gidOf(user) {
  return Number(execFileSync("id", ["-g", user], { encoding: "utf8" }).trim());
}
