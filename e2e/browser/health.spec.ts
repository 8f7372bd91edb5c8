import { expect, test } from "@playwright/test";

test("the controller serves its page through Next with a live database", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "meshover controller" })).toBeVisible();
  await expect(page.getByTestId("db-status")).toContainText("up");
});

test("/api/health reports the database as up", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({
    status: "ok",
    database: { status: "up", mode: "postgres" },
  });
});
