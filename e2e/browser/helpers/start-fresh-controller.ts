// A second, never set up controller for the first-run tests: the real server
// (apps/web/src/server/main.ts, the production build) on 127.0.0.1 and a free port, on a fresh
// database of the E2E PostgreSQL server, with no MESHOVER_ADMIN_*: it prints a one-time setup
// link, which this helper reads from its output. `stop()` kills it by PID and drops the database.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createFreshDatabase, dropDatabase, findFreePort } from "../../../scripts/lib/postgres.mjs";

const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/** A running first-run controller. */
export type TFreshController = {
  url: string;
  /** The one-time setup link it printed (`<url>/setup?code=…`). */
  setupLink: string;
  stop: () => Promise<void>;
};

/** Start a controller on a fresh database `name` (only `mo_e2e_*` names) of `serverUrl`. */
export async function startFreshController(options: {
  serverUrl: string;
  name: string;
  timeoutMs?: number;
}): Promise<TFreshController> {
  if (!/^mo_e2e_[a-z0-9_]+$/.test(options.name)) throw new Error(`bad database ${options.name}`);
  const databaseUrl = await createFreshDatabase(options.serverUrl, options.name);
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    HOST: "127.0.0.1",
    PORT: String(port),
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
  };
  delete env.MESHOVER_ADMIN_EMAIL;
  delete env.MESHOVER_ADMIN_PASSWORD;
  delete env.MESHOVER_PUBLIC_URL;
  delete env.MESHOVER_EMBEDDED_DB;
  const child = spawn("node", ["--import", "tsx", "apps/web/src/server/main.ts"], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await dropDatabase(options.serverUrl, options.name);
  };
  try {
    const setupLink = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no setup link within ${options.timeoutMs ?? 60_000} ms`)),
        options.timeoutMs ?? 60_000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString("utf8");
        const match = /(http:\/\/\S+\/setup\?code=\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`controller exited with ${code}`));
      });
    });
    return { url, setupLink, stop };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output.slice(-2000)}`, { cause: error });
  }
}
