// The admin the Playwright web server bootstraps (MESHOVER_ADMIN_* in playwright.config.ts).
import { fileURLToPath } from "node:url";

/** Bootstrap admin e-mail. */
export const ADMIN_EMAIL = "admin@meshover.test";
/** Bootstrap admin password. */
export const ADMIN_PASSWORD = "e2e-admin-password";
/** Where auth.setup.ts saves the signed-in state (same file as ADMIN_STATE in the config). */
export const ADMIN_STATE_PATH = fileURLToPath(
  new URL("../../../.artifacts/playwright/.auth/admin.json", import.meta.url),
);
/** Where page screenshots are saved as artifacts. */
export const SCREENSHOT_DIR = fileURLToPath(
  new URL("../../../.artifacts/screenshots/", import.meta.url),
);
