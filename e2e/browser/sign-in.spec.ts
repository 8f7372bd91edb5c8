// Signed-out flows: redirect to sign-in, a wrong password, a real sign-in and sign-out.
import { expect, test } from "@playwright/test";
import { ADMIN_EMAIL, ADMIN_PASSWORD, SCREENSHOT_DIR } from "./helpers/accounts";

test.use({ storageState: { cookies: [], origins: [] } });

test("a signed-out visitor is sent to sign in", async ({ page }) => {
  await page.goto("/nodes");
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});

test("setup is closed once an admin exists", async ({ page }) => {
  await page.goto("/setup?code=whatever-code-1234567890");
  await expect(page).toHaveURL(/\/login/);
});

test("a wrong password is refused with a clear error, the right one signs in", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(ADMIN_EMAIL);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(
    page.getByRole("alert").filter({ hasText: /wrong e-mail address or password/i }),
  ).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOT_DIR}login-wrong-password.png` });
  await expect(page).toHaveURL(/\/login/);

  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Topology" })).toBeVisible();
  await expect(page.getByTestId("user-email")).toHaveText(ADMIN_EMAIL);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
});

test("an expired session sends the user to sign in and back again", async ({ page, context }) => {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(ADMIN_EMAIL);
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Topology" })).toBeVisible();
  await page.goto("/tokens");
  await expect(page.getByRole("heading", { name: "Enrollment tokens" })).toBeVisible();
  // The session ends (expiry or revocation) while the page is open: its next poll notices.
  await context.clearCookies();
  await expect(page).toHaveURL(/\/login\?expired=1&next=%2Ftokens/, { timeout: 15_000 });
  await expect(page.getByText("Your session ended")).toBeVisible();
  await page.getByLabel("E-mail").fill(ADMIN_EMAIL);
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/tokens$/);
});

test("pages forbid framing, sniffing and full referrers", async ({ page }) => {
  const response = await page.goto("/login");
  const headers = response!.headers();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("same-origin");
  // Plain http here: no HSTS (it would pin browsers to an https that does not exist).
  expect(headers["strict-transport-security"]).toBeUndefined();
});

test("a malformed session cookie is no session: sign-in still works", async ({
  page,
  context,
  baseURL,
}) => {
  await context.addCookies([{ name: "meshover_session", value: "%E0%A4%A", url: baseURL! }]);
  const response = await page.goto("/login");
  expect(response!.status()).toBe(200);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.goto("/nodes");
  await expect(page).toHaveURL(/\/login/);
});

test("sign-in sends the user only to paths of this site", async ({ page, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  const targets = ["/\\evil.example/", "/\t/evil.example/", "//evil.example/", "/\n/evil.example/"];
  for (const next of targets) {
    const response = await page.goto(`/login?next=${encodeURIComponent(next)}`);
    expect(response!.status(), JSON.stringify(next)).toBe(200);
  }
  // After signing in, the crafted target becomes the console's start page.
  await page.goto(`/login?next=${encodeURIComponent("/\\evil.example/")}`);
  await page.getByLabel("E-mail").fill(ADMIN_EMAIL);
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Topology" })).toBeVisible();
  expect(new URL(page.url()).origin).toBe(origin);
  // Signed in, /login redirects at once: still only to our own paths.
  for (const next of targets) {
    await page.goto(`/login?next=${encodeURIComponent(next)}`);
    await expect(page.getByRole("heading", { name: "Topology" })).toBeVisible();
    expect(new URL(page.url()).origin, JSON.stringify(next)).toBe(origin);
  }
});
