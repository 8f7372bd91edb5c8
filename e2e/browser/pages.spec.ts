// Every main page against a seeded mesh (synthetic reports written to the database; the lab
// tests drive real agents): content checks, the inline prefix error, and a screenshot each.
import { expect, test } from "@playwright/test";
import { SCREENSHOT_DIR } from "./helpers/accounts";
import { refreshSeededMesh, seedMesh } from "./helpers/seed-mesh";

let names: string[] = [];
let nodeIds: string[] = [];

test.beforeAll(async () => {
  const mesh = await seedMesh({
    databaseUrl: process.env.E2E_DATABASE_URL!,
    count: 6,
    prefix: "site",
    historyMinutes: 60,
  });
  names = mesh.names;
  nodeIds = mesh.nodeIds;
});

// The seeded nodes never report again: each test starts as if they just had.
test.beforeEach(async () => {
  await refreshSeededMesh(process.env.E2E_DATABASE_URL!, nodeIds);
});

test("topology shows every node and tunnel, warnings, and link details", async ({ page }) => {
  await page.goto("/");
  for (const name of names) await expect(page.getByTestId(`topology-node-${name}`)).toBeVisible();
  await expect(page.locator(".react-flow__edge")).toHaveCount(
    (names.length * (names.length - 1)) / 2,
  );
  // The seeded MTU and BFD problems are flagged on their edges.
  await expect(page.getByLabel("warning").first()).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOT_DIR}topology.png` });

  await page
    .locator(`.react-flow__edge[data-id="${nodeIds[0]}:${nodeIds[1]}"]`)
    .click({ force: true });
  const panel = page.getByRole("complementary", { name: "Link details" });
  await expect(panel).toContainText(`${names[0]} ↔ ${names[1]}`);
  await expect(panel).toContainText("path MTU 1380 below configured 1420");
  await page.screenshot({ path: `${SCREENSHOT_DIR}topology-link-panel.png` });

  await panel.getByRole("button", { name: "Close link details" }).click();
  await expect(panel).toHaveCount(0);
  await page.getByTestId(`topology-node-${names[0]}`).click();
  await expect(page).toHaveURL(new RegExp(`/nodes/${nodeIds[0]}$`));
});

test("the graph keeps every edge and label drawn while it refreshes each second", async ({
  page,
}) => {
  await page.goto("/");
  const edges = (names.length * (names.length - 1)) / 2;
  await expect(page.locator("[data-testid^='link-label-']")).toHaveCount(edges);
  // The page re-renders every second (ages, freshness); an edge or label removed from the DOM
  // in between is a blink (xyflow re-measuring nodes it was handed anew: seconds long on a
  // loaded machine, and the cut-node test once saw no label for 10 s).
  const removed = await page.evaluate(async () => {
    let count = 0;
    const isDrawing = (node: Node) =>
      node instanceof Element &&
      (node.matches(".react-flow__edge, [data-testid^='link-label-']") ||
        node.querySelector(".react-flow__edge, [data-testid^='link-label-']") !== null);
    const observer = new MutationObserver((records) => {
      for (const record of records)
        for (const node of record.removedNodes) if (isDrawing(node)) count += 1;
    });
    observer.observe(document.body, { childList: true, subtree: true });
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    observer.disconnect();
    return count;
  });
  expect(removed, "edges or labels removed and redrawn during 3.5 s of ticks").toBe(0);
  await expect(page.locator("[data-testid^='link-label-']")).toHaveCount(edges);
});

test("nodes table shows status, addresses and config drift", async ({ page }) => {
  await page.goto("/nodes");
  const row = page.getByTestId(`node-row-${names[2]}`);
  await expect(row).toContainText("online");
  // Behind but online and without an apply error: propagating, not drift.
  await expect(row).toContainText("applying");
  await expect(page.getByTestId(`node-row-${names[0]}`)).toContainText("10.128.");
  await expect(page.getByTestId(`node-row-${names[0]}`)).toContainText("in sync");
  await page.screenshot({ path: `${SCREENSHOT_DIR}nodes.png`, fullPage: true });
});

test("node page: charts, BGP sessions, and an invalid prefix is refused inline", async ({
  page,
}) => {
  await page.goto(`/nodes/${nodeIds[0]}`);
  await expect(page.getByRole("heading", { name: names[0] })).toBeVisible();
  await expect(page.getByTestId("peer-charts")).toBeVisible();
  await expect(page.locator(".recharts-line").first()).toBeVisible();
  const sessions = page.getByRole("table", { name: "BGP sessions" });
  await expect(sessions.getByRole("row")).toHaveCount(names.length); // header + 5 peers

  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByRole("button", { name: "Add prefix" }).click();
  await page.getByLabel("Prefix", { exact: true }).last().fill("10.0.0.300/24");
  await page.getByRole("button", { name: "Save prefixes" }).click();
  const field = page.getByLabel("Prefix", { exact: true }).last();
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("alert").filter({ hasText: "10.0.0.300/24" })).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOT_DIR}node-detail.png`, fullPage: true });

  // A valid one saves and is shown.
  await field.fill("192.168.50.0/24");
  await page.getByRole("button", { name: "Save prefixes" }).click();
  await expect(page.getByRole("button", { name: "Edit" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Advertised prefixes" })).toContainText(
    "192.168.50.0/24",
  );
});

test("audit log and settings pages", async ({ page }) => {
  await page.goto("/audit");
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Audit log" })).toContainText("node.set_prefixes");
  await page.screenshot({ path: `${SCREENSHOT_DIR}audit.png`, fullPage: true });
  await page.goto("/settings");
  await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();
  await expect(page.getByLabel("IPv4 pool")).toHaveValue("10.128.0.0/16");
  await page.screenshot({ path: `${SCREENSHOT_DIR}settings.png`, fullPage: true });
  await page.goto("/tokens");
  await page.screenshot({ path: `${SCREENSHOT_DIR}tokens.png`, fullPage: true });
  await page.goto("/add");
  await page.screenshot({ path: `${SCREENSHOT_DIR}add-server.png`, fullPage: true });
});
