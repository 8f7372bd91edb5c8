// A viewer (read-only role) sees every page but no control that changes anything.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";
import { seedMesh } from "./helpers/seed-mesh";

const VIEWER = { email: "viewer@meshover.test", password: "e2e-viewer-password" };
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let nodeId = "";

test.use({ storageState: { cookies: [], origins: [] } });

test.beforeAll(async () => {
  // The admin CLI, as an operator would create a read-only colleague.
  execFileSync(
    "npx",
    [
      "tsx",
      "packages/api/src/cli/admin.ts",
      "create-user",
      "--email",
      VIEWER.email,
      "--role",
      "viewer",
      "--password-stdin",
    ],
    {
      cwd: ROOT,
      input: `${VIEWER.password}\n`,
      env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL },
    },
  );
  const mesh = await seedMesh({
    databaseUrl: process.env.E2E_DATABASE_URL!,
    count: 2,
    prefix: "viewed",
  });
  nodeId = mesh.nodeIds[0]!;
});

test("a viewer sees the console without mutating controls", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(VIEWER.email);
  await page.getByLabel("Password").fill(VIEWER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Topology" })).toBeVisible();
  await expect(page.getByText("viewer", { exact: true })).toBeVisible();

  await page.goto("/nodes");
  await expect(page.getByRole("table", { name: "Nodes" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Add server" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Remove" })).toHaveCount(0);

  await page.goto(`/nodes/${nodeId}`);
  await expect(page.getByRole("heading", { name: "Advertised prefixes" })).toBeVisible();
  for (const name of ["Rotate key", "Edit", "Remove node"])
    await expect(page.getByRole("button", { name })).toHaveCount(0);

  await page.goto("/tokens");
  await expect(page.getByRole("heading", { name: "Enrollment tokens" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Create token" })).toHaveCount(0);

  await page.goto("/add");
  await expect(page.getByText("Only admins can add servers.")).toBeVisible();

  await page.goto("/settings");
  await expect(page.getByLabel("IPv4 pool")).toBeDisabled();
  await expect(page.getByRole("button", { name: "Save settings" })).toHaveCount(0);
});
