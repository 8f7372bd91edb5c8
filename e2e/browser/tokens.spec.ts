// Create an enrollment token (shown once, with the join command), then revoke it.
import { expect, test } from "@playwright/test";

test("create a token, see it once with its join command, revoke it", async ({ page }) => {
  await page.goto("/tokens");
  await expect(page.getByRole("heading", { name: "Enrollment tokens" })).toBeVisible();
  await page.getByRole("button", { name: "Create token" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Node name (optional)").fill("e2e-token-node");
  await dialog.getByRole("button", { name: "Create" }).click();
  const token = (await dialog.getByTestId("created-token").textContent())?.trim() ?? "";
  expect(token).toMatch(/^mo_enr_\S{20,}$/);
  await expect(dialog.getByText(`--token ${token}`)).toBeVisible();
  await dialog.getByRole("button", { name: "Done" }).click();

  // The list shows the hint only, never the token.
  const hint = token.slice(0, "mo_enr_".length + 4);
  const row = page.getByTestId(`token-row-${hint}`);
  await expect(row).toContainText("e2e-token-node");
  await expect(row).toContainText("active");
  await expect(page.getByText(token)).toHaveCount(0);

  await row.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke" }).click();
  await expect(row).toContainText("revoked");
  await expect(row.getByRole("button", { name: "Revoke" })).toHaveCount(0);
});

test("the Add server page gives a single-use token and the exact join command", async ({
  page,
  baseURL,
}) => {
  await page.goto("/add");
  await page.getByRole("button", { name: "Create token" }).click();
  const command = page.getByTestId("join-command");
  await expect(command).toContainText(
    `sudo node meshover-agent.mjs join --controller ${baseURL} --token mo_enr_`,
  );
  await expect(command).toContainText("--allow-http");
  await expect(command).toContainText(
    `curl -fsSL -o meshover-agent.mjs ${baseURL}/downloads/meshover-agent.mjs`,
  );
});
