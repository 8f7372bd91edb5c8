// The controller process: database (embedded PGlite or DATABASE_URL), migrations, first-run
// bootstrap, change fan-out (LISTEN), then Next.js serving the dashboard and the API, over
// https when given a certificate. Ctrl-C stops all of it cleanly.
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { pino } from "pino";
import {
  bootstrapAdmin,
  ensureSettings,
  expireRotations,
  getMeshFanout,
  installFastTextEncoderStream,
  logTrpcErrors,
  pruneLoginAttempts,
  pruneSamples,
  readCertificatePins,
  readControllerEnv,
  ROTATION_EXPIRY_INTERVAL_MS,
  serveApiRequest,
} from "@meshover/api";
import { closeDb, getDb } from "@meshover/api/db";
import { TRPC_PATH } from "@meshover/netcfg";
import { startEmbeddedDatabase, type TEmbeddedDatabase } from "@meshover/prisma/embedded";
import { applyMigrations } from "@meshover/prisma/migrate";
import { ensureSelfSignedCertificate } from "./ensure-self-signed-certificate";
import { listSecurityHeaders } from "./security-headers";

const WEB_DIR = fileURLToPath(new URL("../..", import.meta.url));
/** Accept queue length asked of the kernel (see the listen call). */
const LISTEN_BACKLOG = 4096;

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

  // Every replica LISTENs for mesh changes so its connected agents get them within a second.
  const fanout = getMeshFanout(db);
  await fanout.start({
    url: databaseUrl,
    log: (level, message, fields) => log[level](fields ?? {}, message),
  });
  log.info({ mode: fanout.mode }, "mesh change fan-out started");
  const pruneTimer = setInterval(
    () => {
      pruneSamples({ db, retentionHours: env.MESHOVER_SAMPLE_RETENTION_HOURS }).catch(
        (error: unknown) => log.warn({ error: String(error) }, "pruning health samples failed"),
      );
      pruneLoginAttempts({ db }).catch((error: unknown) =>
        log.warn({ error: String(error) }, "pruning login attempts failed"),
      );
    },
    60 * 60 * 1000,
  );
  pruneTimer.unref();
  // Configs never read the clock: this timer is what fails a key rotation stuck past its timeout
  // (so the rotation queue moves on).
  const rotationTimer = setInterval(() => {
    expireRotations({ db }).catch((error: unknown) =>
      log.warn({ error: String(error) }, "expiring key rotations failed"),
    );
  }, ROTATION_EXPIRY_INTERVAL_MS);
  rotationTimer.unref();

  // Config streams encode hundreds of large SSE events per change; do it natively.
  installFastTextEncoderStream();
  let tlsFiles =
    env.MESHOVER_TLS_CERT && env.MESHOVER_TLS_KEY
      ? { certFile: env.MESHOVER_TLS_CERT, keyFile: env.MESHOVER_TLS_KEY }
      : null;
  if (!tlsFiles && env.MESHOVER_TLS === "self-signed") {
    const publicHost = env.MESHOVER_PUBLIC_URL
      ? new URL(env.MESHOVER_PUBLIC_URL).hostname.replace(/^\[|\]$/g, "")
      : null;
    const created = ensureSelfSignedCertificate({
      dir: resolve(env.MESHOVER_DATA_DIR, "tls"),
      hosts: [env.HOST, ...(publicHost ? [publicHost] : [])],
    });
    log.info({ certFile: created.certFile, isNew: created.isNew }, "self-signed certificate");
    tlsFiles = created;
    // The Add server page reads the certificate from here to print its pin.
    process.env.MESHOVER_TLS_CERT = created.certFile;
    process.env.MESHOVER_TLS_KEY = created.keyFile;
  }
  const isTls = tlsFiles !== null;
  const app = next({ dev: false, dir: WEB_DIR, hostname: env.HOST, port: env.PORT });
  const handle = app.getRequestHandler();
  await app.prepare();
  const logApiError = logTrpcErrors(log);
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (env.MESHOVER_TRUST_PROXY !== "1") {
      // We are the edge: what the socket says is the truth, whatever the client claims.
      req.headers["x-forwarded-for"] = req.socket.remoteAddress ?? "";
      req.headers["x-forwarded-proto"] = isTls ? "https" : "http";
      delete req.headers["x-forwarded-host"];
    }
    const isHttps = req.headers["x-forwarded-proto"]?.toString().split(",")[0]?.trim() === "https";
    for (const [name, value] of listSecurityHeaders({ isHttps })) res.setHeader(name, value);
    // The API (agents' long-lived config streams included) goes straight to the tRPC handler:
    // the same function as the Next route, without Next's per-request overhead.
    if (req.url?.startsWith(`${TRPC_PATH}/`)) {
      serveApiRequest(req, res, {
        db,
        publicUrl: env.MESHOVER_PUBLIC_URL,
        onError: logApiError,
        onFailure: (error) => log.error({ error: String(error) }, "tRPC request failed"),
      });
      return;
    }
    void handle(req, res);
  };
  const server = isTls
    ? createHttpsServer(
        { cert: readFileSync(tlsFiles!.certFile), key: readFileSync(tlsFiles!.keyFile) },
        onRequest,
      )
    : createServer(onRequest);
  server.keepAliveTimeout = 65_000;
  // The admin exists before the port opens: whoever waits for /api/health may sign in at once
  // (the lab did, and lost the race against the password hash).
  const bootstrap = await bootstrapAdmin({
    db,
    adminEmail: env.MESHOVER_ADMIN_EMAIL,
    adminPassword: env.MESHOVER_ADMIN_PASSWORD,
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    // Every agent reconnects at once after a controller restart: Node's default accept
    // backlog (511) reset a few hundred of 2,000 connects in the bench; the kernel caps this at
    // net.core.somaxconn (4096 on current kernels).
    server.listen({ port: env.PORT, host: env.HOST, backlog: LISTEN_BACKLOG }, done);
  });

  const publicUrl =
    env.MESHOVER_PUBLIC_URL ?? `${isTls ? "https" : "http"}://${formatHost(env.HOST)}:${env.PORT}`;
  log.info({ ms: Math.round(performance.now() - started) }, "controller ready");
  console.log(`\n  meshover controller listening on ${publicUrl}`);
  if (tlsFiles && env.MESHOVER_TLS === "self-signed" && !env.MESHOVER_TLS_CERT) {
    const { certSha256 } = readCertificatePins(readFileSync(tlsFiles.certFile));
    console.log(`  Self-signed certificate, SHA-256 pin: ${certSha256}`);
  }
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
    clearInterval(pruneTimer);
    clearInterval(rotationTimer);
    await fanout.stop();
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
