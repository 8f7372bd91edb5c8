// First run: a controller that was never set up prints a one-time setup link; the /setup page
// refuses a wrong code, creates the admin with the real one and signs in, and is gone afterwards
// (the code is single use and setup is done). Runs its own controller on a fresh database.
import { expect, test } from "@playwright/test";
import { SCREENSHOT_DIR } from "./helpers/accounts";
import { type TFreshController, startFreshController } from "./helpers/start-fresh-controller";

let controller: TFreshController | undefined;

// A first-run visitor has no session.
test.use({ storageState: { cookies: [], origins: [] } });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  controller = await startFreshController({
    serverUrl: process.env.E2E_DATABASE_URL!,
    name: `mo_e2e_setup_${process.pid}`,
  });
});

test.afterAll(async () => {
  await controller?.stop();
});

test("first-run setup with the printed one-time code creates the admin and signs in", async ({
  page,
}) => {
  test.setTimeout(60_000);
  const { url, setupLink } = controller!;
  const code = new URL(setupLink).searchParams.get("code")!;
  expect(code.length).toBeGreaterThan(16);
  const email = "first-admin@meshover.test";
  const password = "first-run-password-1";

  // Not set up yet: signing in is not possible, and a wrong code is refused.
  await page.goto(`${url}/setup?code=${"x".repeat(code.length)}`);
  await expect(page.getByRole("heading", { name: "Set up meshover" })).toBeVisible();
  await page.getByLabel("Admin e-mail").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Repeat password").fill(password);
  await page.getByRole("button", { name: "Create admin and sign in" }).click();
  await expect(page.getByText("the setup code is wrong, used or expired")).toBeVisible();

  // Without a code in the link the page asks for it; the real one works.
  await page.goto(`${url}/setup`);
  await page.getByLabel("Setup code").fill(code);
  await page.getByLabel("Admin e-mail").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Repeat password").fill("something else entirely");
  await expect(page.getByText("The passwords differ.")).toBeVisible();
  await page.getByLabel("Repeat password").fill(password);
  await page.screenshot({ path: `${SCREENSHOT_DIR}setup.png` });
  await page.getByRole("button", { name: "Create admin and sign in" }).click();
  await expect(page.getByRole("heading", { name: "Topology" })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText(email)).toBeVisible();

  // Setup is done: the link now leads to sign-in, and the new admin can sign in there. Leave
  // the console first: its live polling would notice the cleared session and navigate to sign
  // in on its own, aborting the navigation below (net::ERR_ABORTED in CI).
  await page.goto("about:blank");
  await page.context().clearCookies();
  await page.goto(setupLink);
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Topology" })).toBeVisible();
});
