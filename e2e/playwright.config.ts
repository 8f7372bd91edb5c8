// Browser tests against the production build and a real database (npm test creates
// E2E_DATABASE_URL on its throwaway PostgreSQL). Debian's Chromium: Playwright cannot download
// its own browser here.
import { fileURLToPath } from "node:url";
import { defineConfig, devices } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3987);
const BASE_URL = `http://127.0.0.1:${PORT}`;
/** The signed-in admin's cookies, written by auth.setup.ts. */
const ADMIN_STATE = fileURLToPath(
  new URL("../.artifacts/playwright/.auth/admin.json", import.meta.url),
);
const DATABASE_URL = process.env.E2E_DATABASE_URL;
if (!DATABASE_URL)
  throw new Error("E2E_DATABASE_URL is not set (run the browser tests via npm test)");

export default defineConfig({
  testDir: "./browser",
  outputDir: "../.artifacts/playwright",
  timeout: 30_000,
  // Two cores shared with the network lab: first renders can take a few seconds.
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [["list"], ["json"]],
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        // IPv6 literals (never DNS) stay reachable: the lab controller listens on a 2001:db8::
        // address (lab-mesh.spec.ts).
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE *:*",
      ],
    },
  },
  projects: [
    // Signs in once as the bootstrap admin and saves the session for the other tests.
    { name: "setup", testMatch: /.*\.setup\.ts/ },
    {
      name: "chromium",
      dependencies: ["setup"],
      use: {
        ...devices["Desktop Chrome"],
        viewport: { width: 1440, height: 900 },
        storageState: ADMIN_STATE,
      },
    },
  ],
  webServer: {
    command: "node --import tsx apps/web/src/server/main.ts",
    cwd: "..",
    url: `${BASE_URL}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      DATABASE_URL,
      PORT: String(PORT),
      HOST: "127.0.0.1",
      NEXT_TELEMETRY_DISABLED: "1",
      MESHOVER_ADMIN_EMAIL: "admin@meshover.test",
      MESHOVER_ADMIN_PASSWORD: "e2e-admin-password",
    },
  },
});
