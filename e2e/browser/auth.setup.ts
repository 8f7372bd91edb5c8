// Sign in once through the real form and keep the session cookie for every other test.
import { expect, test as setup } from "@playwright/test";
import { ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_STATE_PATH } from "./helpers/accounts";

setup("sign in as the bootstrap admin", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(ADMIN_EMAIL);
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("user-email")).toHaveText(ADMIN_EMAIL);
  await page.context().storageState({ path: ADMIN_STATE_PATH });
});
