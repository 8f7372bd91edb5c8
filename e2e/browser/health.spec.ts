import { expect, test } from "@playwright/test";

test("the controller serves the signed-in console through Next", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Topology" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
});

test("/api/health reports the database as up", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({
    status: "ok",
    database: { status: "up", mode: "postgres" },
  });
});
