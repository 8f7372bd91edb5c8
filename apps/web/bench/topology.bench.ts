// Topology page benchmark: a production controller on a fresh database with a seeded 50-node
// full mesh (1,225 edges), real Chromium. Prints the time from navigation until every edge is
// drawn (median of several runs) and the JavaScript the page loads.
// Needs the web build (`next build`, run by npm test/start) and DATABASE_URL or the shared
// dev PostgreSQL. Run: npm run bench -- topology
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";
import { refreshSeededMesh, seedMesh } from "../../../e2e/browser/helpers/seed-mesh";
import { createFreshDatabase, dropDatabase, findFreePort } from "../../../scripts/lib/postgres.mjs";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const NODES = 50;
const RUNS = 5;
const ADMIN = { email: "bench@meshover.test", password: "bench-admin-password" };
// eslint-disable-next-line no-restricted-properties -- a bench script, like tests, reads its own env
const SERVER_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:43495/postgres";
const DB_NAME = `meshover_bench_topology_${process.pid}`;

function median(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main() {
  if (!existsSync(`${ROOT}apps/web/.next/BUILD_ID`)) {
    throw new Error("no web build: run `npx next build` in apps/web first (npm test does)");
  }
  const databaseUrl = await createFreshDatabase(SERVER_URL, DB_NAME);
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = spawn("node", ["--import", "tsx", "apps/web/src/server/main.ts"], {
    cwd: ROOT,
    env: {
      // eslint-disable-next-line no-restricted-properties -- passed on to the controller it starts
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      NEXT_TELEMETRY_DISABLED: "1",
      MESHOVER_ADMIN_EMAIL: ADMIN.email,
      MESHOVER_ADMIN_PASSWORD: ADMIN.password,
      MESHOVER_LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
  });
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const ok = await fetch(`${baseUrl}/api/health`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      if (server.exitCode !== null) throw new Error("controller exited during start");
      if (Date.now() > deadline) throw new Error("controller did not start in 120 s");
      await new Promise((r) => setTimeout(r, 250));
    }
    const mesh = await seedMesh({ databaseUrl, count: NODES, prefix: "bench" });

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel("E-mail").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("navigation", { name: "Main" }).waitFor();

    // JS size: every script the topology page loads, cold cache.
    const cold = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      storageState: await context.storageState(),
    });
    const coldPage = await cold.newPage();
    const scripts = new Map<string, { encoded: number; decoded: number }>();
    coldPage.on("requestfinished", (request) => {
      if (request.resourceType() !== "script") return;
      void Promise.all([request.sizes(), request.response()]).then(async ([sizes, response]) => {
        const body = await response?.body().catch(() => null);
        scripts.set(request.url(), {
          encoded: sizes.responseBodySize,
          decoded: body?.length ?? sizes.responseBodySize,
        });
      });
    });
    await coldPage.goto(`${baseUrl}/`);
    await coldPage.waitForFunction(
      (n) => document.querySelectorAll(".react-flow__edge").length >= n,
      mesh.edgeCount,
      { timeout: 60_000 },
    );
    await coldPage.waitForLoadState("networkidle");
    await cold.close();

    const timings: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      // A live mesh, as if every node had just reported (a seed never reports again).
      await refreshSeededMesh(databaseUrl, mesh.nodeIds);
      await page.goto(`${baseUrl}/nodes`);
      const started = Date.now();
      await page.goto(`${baseUrl}/`);
      await page.waitForFunction(
        (n) => document.querySelectorAll(".react-flow__edge").length >= n,
        mesh.edgeCount,
        { timeout: 60_000, polling: "raf" },
      );
      timings.push(Date.now() - started);
    }
    await page.waitForTimeout(500);
    await page.screenshot({ path: `${ROOT}.artifacts/screenshots/topology-50-nodes.png` });
    const encoded = [...scripts.values()].reduce((sum, s) => sum + s.encoded, 0);
    const decoded = [...scripts.values()].reduce((sum, s) => sum + s.decoded, 0);
    console.log(`topology page, ${NODES} nodes / ${mesh.edgeCount} edges (seeded), Chromium:`);
    console.log(
      `  navigation → all edges drawn: median ${median(timings)} ms (runs: ${timings.join(", ")} ms)`,
    );
    console.log(
      `  JavaScript: ${scripts.size} files, ${(decoded / 1024).toFixed(0)} KiB uncompressed, ${(encoded / 1024).toFixed(0)} KiB transferred`,
    );
  } finally {
    await browser.close();
    if (server.exitCode === null) {
      server.kill("SIGTERM");
      await new Promise((r) => server.once("exit", r));
    }
    await dropDatabase(SERVER_URL, DB_NAME);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
