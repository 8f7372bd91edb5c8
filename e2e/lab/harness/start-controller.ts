// The real controller in the lab: `apps/web/src/server/main.ts` (migrations, bootstrap, Next)
// listening on the underlay bridge's <prefix>::1 (2001:db8:x::1) and a free port, on a fresh database of the
// given PostgreSQL server (or embedded PGlite in the lab folder), with an admin created from the
// environment so tests can sign in through the API.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createFreshDatabase, findFreePort } from "../../../scripts/lib/postgres.mjs";
import type { Lab } from "./create-lab";
import { assertDatabaseName } from "./destroy-lab";
import { waitForExec, type TLabProcess } from "./manage-process";
import { runCommand } from "./run-command";
import { REPO_ROOT } from "./lab-env";
import { waitUntil } from "./wait-until";

/** The admin every lab controller creates at first start. */
export const LAB_ADMIN_EMAIL = "lab-admin@meshover.invalid";

/** A controller the lab started. */
export interface TLabController {
  /** Base URL, e.g. http://[2001:db8:4f2a::1]:40123 */
  url: string;
  port: number;
  adminEmail: string;
  adminPassword: string;
  /** postgres:// URL of its own database, or null on embedded PGlite. */
  databaseUrl: string | null;
  process: TLabProcess | null;
  /** Environment it runs with (kept so a restart uses the same database and port). */
  env: NodeJS.ProcessEnv;
}

/** Options for {@link startController}. */
export interface TStartControllerOptions {
  /** A PostgreSQL server URL (any database on it); a fresh database is created there. */
  databaseServerUrl?: string;
  /** Build the web app when `.next` is missing (default true). */
  canBuild?: boolean;
  /**
   * Release the shared build lock once the controller is up (the CLI: a lab left running must
   * not block others' builds). Default: hold it for the lab's life (tests restart the controller).
   */
  isBuildLockReleasedWhenReady?: boolean;
}

const WEB_DIR = join(REPO_ROOT, "apps", "web");
const PROCESS_NAME = "controller";
const BUILD_LOCK = "/tmp/meshover-next-build.lock";
const BUILD_LOCK_PROCESS = "next-build-lock";

/** Start the controller for `lab` and wait until it answers /api/health. */
export async function startController(lab: Lab, options: TStartControllerOptions = {}) {
  await holdBuildLock(lab, options.canBuild ?? true);
  const address = lab.controllerAddress;
  const port = await findFreePort(address);
  const adminPassword = randomBytes(18).toString("base64url");
  let databaseUrl: string | null = null;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    HOST: address,
    PORT: String(port),
    MESHOVER_PUBLIC_URL: `http://[${address}]:${port}`,
    MESHOVER_ADMIN_EMAIL: LAB_ADMIN_EMAIL,
    MESHOVER_ADMIN_PASSWORD: adminPassword,
    MESHOVER_LOG_LEVEL: "debug",
  };
  delete env.DATABASE_URL;
  delete env.MESHOVER_EMBEDDED_DB;
  if (options.databaseServerUrl) {
    databaseUrl = await createLabDatabase(lab, options.databaseServerUrl);
    env.DATABASE_URL = databaseUrl;
  } else {
    env.MESHOVER_DATA_DIR = join(lab.dir, "controller-data");
  }
  const controller: TLabController = {
    url: `http://[${address}]:${port}`,
    port,
    adminEmail: LAB_ADMIN_EMAIL,
    adminPassword,
    databaseUrl,
    process: null,
    env,
  };
  await runController(lab, controller);
  if (options.isBuildLockReleasedWhenReady) await lab.stop(BUILD_LOCK_PROCESS);
  return controller;
}

/**
 * Others rebuild apps/web/.next while we work (each build replaces the folder under it): hold the
 * shared build lock (`flock -s` on the file builders lock exclusively), so no build starts while
 * the controller starts (or while it runs, unless released), and a build in progress finishes
 * first. Builds when `.next` is missing.
 */
async function holdBuildLock(lab: Lab, canBuild: boolean) {
  if (!existsSync(join(WEB_DIR, ".next", "BUILD_ID"))) {
    if (!canBuild) throw new Error("apps/web/.next is missing: run next build");
    await runCommand(["flock", BUILD_LOCK, "npx", "next", "build"], {
      cwd: WEB_DIR,
      timeoutMs: 300_000,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    });
  }
  // The shell takes the lock on its fd 9, then becomes `sleep` still holding it: the tracked
  // PID is the holder, and stopping it releases the lock.
  const holder = lab.startOnHost(BUILD_LOCK_PROCESS, [
    "sh",
    "-c",
    `exec 9>>${BUILD_LOCK} && flock -s 9 && exec sleep infinity`,
  ]);
  await waitForExec(holder, "sleep", 300_000);
  if (!existsSync(join(WEB_DIR, ".next", "BUILD_ID"))) {
    throw new Error("apps/web/.next has no build (a concurrent next build failed?)");
  }
}

/** (Re)start the controller process of `controller` and wait until it is healthy. */
export async function runController(lab: Lab, controller: TLabController) {
  controller.process = lab.startOnHost(
    PROCESS_NAME,
    // MESHOVER_LAB_CONTROLLER_NODE_ARGS: extra node flags (a CPU profile: --cpu-prof …).
    [
      "node",
      ...(process.env.MESHOVER_LAB_CONTROLLER_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
      "--import",
      "tsx",
      "src/server/main.ts",
    ],
    controller.env,
    WEB_DIR,
  );
  await waitForHealthy(controller);
}

/** Stop the controller by PID (the "controller down" case); agents keep running. */
export async function stopController(lab: Lab, controller: TLabController) {
  await lab.stop(PROCESS_NAME, 10_000);
  controller.process = null;
}

/** Wait until GET /api/health answers 200. */
export async function waitForHealthy(controller: TLabController, timeoutMs = 120_000) {
  await waitUntil(
    { name: `controller healthy at ${controller.url}`, timeoutMs, intervalMs: 250 },
    async () => {
      if (controller.process?.hasExited()) {
        throw new Error(`controller exited; see ${controller.process.logFile}`);
      }
      const response = await fetch(`${controller.url}/api/health`, {
        signal: AbortSignal.timeout(2000),
      });
      return { isDone: response.status === 200, state: `HTTP ${response.status}` };
    },
  );
}

/** Create the run's own database on `serverUrl` (recorded first, so teardown drops it). */
async function createLabDatabase(lab: Lab, serverUrl: string) {
  const name = `mo_lab_${lab.runId}`;
  assertDatabaseName(name);
  lab.addDatabase({ serverUrl, name });
  return createFreshDatabase(serverUrl, name);
}
