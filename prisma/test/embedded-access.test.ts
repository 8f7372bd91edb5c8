// The embedded database trusts every client (PGlite has no passwords), so only this
// installation's user may reach it: another local user can neither connect to its socket nor
// read its files. Needs root to act as that other user (`runuser -u nobody`).
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedDatabase } from "../src/embedded";

const isRoot = process.getuid?.() === 0;
// A world-traversable parent, as a checkout in /srv or /home would be.
const parent = mkdtempSync(join(tmpdir(), "meshover-access-"));
chmodSync(parent, 0o755);
const dataDir = join(parent, "data");
afterAll(() => rmSync(parent, { recursive: true, force: true }));

function listTree(path: string): { path: string; mode: number; isDirectory: boolean }[] {
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => {
    const child = join(path, entry.name);
    const mode = statSync(child).mode & 0o777;
    return entry.isDirectory()
      ? [{ path: child, mode, isDirectory: true }, ...listTree(child)]
      : [{ path: child, mode, isDirectory: false }];
  });
}

/** Run a Node snippet as the user nobody; its stdout. */
function runAsNobody(script: string): string {
  const result = spawnSync("runuser", ["-u", "nobody", "--", process.execPath, "-e", script], {
    encoding: "utf8",
    timeout: 20_000,
  });
  return result.stdout.trim();
}

describe.skipIf(!isRoot)("embedded database access", () => {
  it("is reachable by no other local user: socket and files are private", async () => {
    const embedded = await startEmbeddedDatabase({ dataDir });
    try {
      // Files PGlite creates while running (a new table) are private too.
      const client = new pg.Client({ connectionString: embedded.url });
      await client.connect();
      await client.query("CREATE TABLE secret (id int PRIMARY KEY, value text)");
      await client.query("INSERT INTO secret VALUES (1, 'session token')");
      await client.query("CHECKPOINT");
      await client.end();
      const files = listTree(dataDir);
      expect(files.length).toBeGreaterThan(100);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      const open = files.filter((file) => (file.mode & 0o077) !== 0);
      expect(open.map((file) => `${file.path} ${file.mode.toString(8)}`)).toEqual([]);

      const url = new URL(embedded.url);
      const socketFolder = url.searchParams.get("host");
      const target = socketFolder
        ? { path: join(socketFolder, `.s.PGSQL.${url.port || 5432}`) }
        : { host: url.hostname, port: Number(url.port) };
      const connect = runAsNobody(
        `require("net").connect(${JSON.stringify(target)})` +
          `.on("connect", () => { console.log("connected"); process.exit(0); })` +
          `.on("error", (e) => { console.log(e.code); process.exit(0); });`,
      );
      expect(connect).toMatch(/^(EACCES|ENOENT)$/);
      const anyFile = files.find((file) => !file.isDirectory)!.path;
      const read = runAsNobody(
        `try { require("fs").readFileSync(${JSON.stringify(anyFile)}); console.log("read"); }` +
          ` catch (e) { console.log(e.code); }`,
      );
      expect(read).toBe("EACCES");
    } finally {
      await embedded.stop();
    }
  }, 60_000);
});
