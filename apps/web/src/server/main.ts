// The controller process: database (embedded PGlite or DATABASE_URL), migrations, first-run
// bootstrap, then Next.js serving the dashboard and the API. Ctrl-C stops all of it cleanly.
import { createServer } from "node:http";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { pino } from "pino";
import { bootstrapAdmin, ensureSettings, readControllerEnv } from "@meshover/api";
import { closeDb, getDb } from "@meshover/api/db";
import { startEmbeddedDatabase, type TEmbeddedDatabase } from "@meshover/prisma/embedded";
import { applyMigrations } from "@meshover/prisma/migrate";

const WEB_DIR = fileURLToPath(new URL("../..", import.meta.url));

async function main() {
  const env = readControllerEnv();
  const log = pino({ level: env.MESHOVER_LOG_LEVEL, base: { svc: "controller" } });
  const started = performance.now();

  let embedded: TEmbeddedDatabase | undefined;
  if (!env.DATABASE_URL) {
    const dataDir = resolve(env.MESHOVER_DATA_DIR);
    log.info({ dataDir }, "starting embedded database (PGlite)");
    embedded = await startEmbeddedDatabase({ dataDir });
    process.env.DATABASE_URL = embedded.url;
    process.env.MESHOVER_EMBEDDED_DB = "1";
  }
  const databaseUrl = process.env.DATABASE_URL ?? "";

  log.info("applying database migrations");
  await applyMigrations({ url: databaseUrl });
  const db = getDb();
  await ensureSettings({ db });

  const app = next({ dev: false, dir: WEB_DIR, hostname: env.HOST, port: env.PORT });
  const handle = app.getRequestHandler();
  await app.prepare();
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(env.PORT, env.HOST, done);
  });

  const publicUrl = env.MESHOVER_PUBLIC_URL ?? `http://${formatHost(env.HOST)}:${env.PORT}`;
  const bootstrap = await bootstrapAdmin({
    db,
    adminEmail: env.MESHOVER_ADMIN_EMAIL,
    adminPassword: env.MESHOVER_ADMIN_PASSWORD,
  });
  log.info({ ms: Math.round(performance.now() - started) }, "controller ready");
  console.log(`\n  meshover controller listening on ${publicUrl}`);
  if (bootstrap.kind === "setup-code") {
    console.log(`  No admin exists yet. Open this one-time setup link (valid 24 h):`);
    console.log(`  ${publicUrl}/setup?code=${bootstrap.code}\n`);
  } else if (bootstrap.kind === "created-admin") {
    console.log(`  Created admin ${bootstrap.email} from MESHOVER_ADMIN_EMAIL.\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await app.close();
    await closeDb();
    await embedded?.stop();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGINT", (s) => void stop(s));
  process.on("SIGTERM", (s) => void stop(s));
}

function formatHost(host: string) {
  return host.includes(":") ? `[${host}]` : host;
}

main().catch((error: unknown) => {
  console.error(
    "meshover controller failed to start:",
    error instanceof Error ? error.message : error,
  );
  process.exit(1);
});
