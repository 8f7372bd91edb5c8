// Create an enrollment token (shown once, with the one-line install), then revoke it.
import { expect, test } from "@playwright/test";

test("create a token, see it once with the one-line install, revoke it", async ({
  page,
  baseURL,
}) => {
  await page.goto("/tokens");
  await expect(page.getByRole("heading", { name: "Enrollment tokens" })).toBeVisible();
  await page.getByRole("button", { name: "Create token" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Node name (optional)").fill("e2e-token-node");
  await dialog.getByRole("button", { name: "Create" }).click();
  const token = (await dialog.getByTestId("created-token").textContent())?.trim() ?? "";
  expect(token).toMatch(/^mo_enr_\S{20,}$/);
  // The install line carries the controller, not the token (the installer asks for it, so it
  // stays out of the process list and shell history).
  const install = dialog.getByText(`${baseURL}/install.sh | sudo sh -s -- --controller ${baseURL}`);
  await expect(install).toBeVisible();
  await expect(install).not.toContainText(token);
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

test("the Add server page gives a single-use token and the one-line install, which the controller serves", async ({
  page,
  baseURL,
  request,
}) => {
  await page.goto("/add");
  await page.getByRole("button", { name: "Create token" }).click();
  const command = page.getByTestId("join-command");
  await expect(command).toHaveText(
    `curl -fsSL ${baseURL}/install.sh | sudo sh -s -- --controller ${baseURL}`,
  );
  // The token is separate (the installer asks for it): never part of the command line.
  await expect(page.getByTestId("join-token")).toContainText("mo_enr_");
  await expect(command).not.toContainText("mo_enr_");
  // The test server runs on 127.0.0.1: the page says servers cannot reach that.
  await expect(page.getByTestId("loopback-warning")).toBeVisible();
  await page.getByLabel("Controller URL the server will use").fill("http://[2001:db8::1]:3000");
  await expect(command).toHaveText(
    "curl -fsSL http://[2001:db8::1]:3000/install.sh | sudo sh -s -- --controller http://[2001:db8::1]:3000",
  );
  await expect(page.getByTestId("loopback-warning")).toHaveCount(0);
  // Copy works on plain http (no navigator.clipboard there).
  await page.getByTestId("join-token").locator("..").getByRole("button", { name: "Copy" }).click();
  await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();

  const script = await request.get("/install.sh");
  expect(script.status()).toBe(200);
  expect(await script.text()).toContain("meshover installer");
  const sums = await request.get("/downloads/SHA256SUMS");
  expect(sums.status()).toBe(200);
  const names = (await sums.text())
    .trim()
    .split("\n")
    .map((line) => line.split(/\s+/)[1]);
  expect(names).toContain("meshover-agent-node.deb");
  for (const name of names) {
    const file = await request.head(`/downloads/${name}`);
    expect(file.status(), name).toBe(200);
  }
  expect((await request.get("/downloads/..%2Fpackage.json")).status()).toBe(404);
});
