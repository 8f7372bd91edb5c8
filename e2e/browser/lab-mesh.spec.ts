// The dashboard against REAL agents: a lab mesh (network namespaces, wireguard-go, FRR, the
// agent bundle) with its own controller on the lab's underlay bridge. The topology must show
// the nodes and Established tunnels from the agents' own reports, and a key rotation started
// in the browser must finish on every peer. Root only (namespaces), like the lab tier.
import { expect, test } from "@playwright/test";
import { LabMesh, waitForSessions } from "../lab/harness/start-mesh";
import { SCREENSHOT_DIR } from "./helpers/accounts";

const NODES = 3;
const isRoot = process.getuid?.() === 0;
let mesh: LabMesh | undefined;

test.describe.configure({ mode: "serial" });
test.skip(!isRoot, "the lab mesh needs root (network namespaces); npm test runs as root");

test.beforeAll(async () => {
  test.setTimeout(300_000);
  mesh = await LabMesh.start({
    nodes: NODES,
    databaseServerUrl: process.env.E2E_DATABASE_URL,
    log: (line) => console.log(`[lab] ${line}`),
  });
  await waitForSessions([...mesh.members.values()], 90_000);
});

test.afterAll(async () => {
  test.setTimeout(120_000);
  await mesh?.destroy();
});

test("topology shows real agents' nodes and Established tunnels", async ({ page }) => {
  test.setTimeout(120_000);
  const lab = mesh!;
  await page.goto(`${lab.controller.url}/login`);
  await page.getByLabel("E-mail").fill(lab.controller.adminEmail);
  await page.getByLabel("Password").fill(lab.controller.adminPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Topology" })).toBeVisible();
  for (const member of lab.members.values())
    await expect(page.getByTestId(`topology-node-${member.view.name}`)).toBeVisible();
  const links = (NODES * (NODES - 1)) / 2;
  await expect(page.locator(".react-flow__edge")).toHaveCount(links);
  // Reports arrive every few seconds; the page polls every 3 s.
  await expect(page.getByTestId("topology-stats")).toContainText(`${NODES}/${NODES} nodes online`, {
    timeout: 60_000,
  });
  await expect(page.getByTestId("topology-stats")).toContainText(
    `${links}/${links} links established`,
    { timeout: 60_000 },
  );
  await page.screenshot({ path: `${SCREENSHOT_DIR}topology-lab.png` });
});

test("rotate a node's key in the browser and watch every peer finish", async ({ page }) => {
  test.setTimeout(360_000);
  const lab = mesh!;
  const [first] = [...lab.members.values()];
  await page.goto(`${lab.controller.url}/login`);
  await page.getByLabel("E-mail").fill(lab.controller.adminEmail);
  await page.getByLabel("Password").fill(lab.controller.adminPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Topology" })).toBeVisible();
  await page.goto(`${lab.controller.url}/nodes/${first!.view.nodeId}`);
  await expect(page.getByRole("heading", { name: first!.view.name })).toBeVisible();
  const oldKey = await page
    .getByText(/^[A-Za-z0-9+/]{43}=$/)
    .first()
    .textContent();

  await page.getByRole("button", { name: "Rotate key" }).click();
  const rotation = page.getByTestId("rotation");
  await expect(rotation).toHaveAttribute("data-status", /pending|reported|done/, {
    timeout: 30_000,
  });
  // A peer is done at its first handshake with the new key; WireGuard re-keys an active
  // session every 120 s, so allow two of those.
  await expect(rotation).toHaveAttribute("data-status", "done", { timeout: 270_000 });
  const peers = page
    .getByRole("list", { name: "Rotation progress per peer" })
    .getByRole("listitem");
  await expect(peers).toHaveCount(NODES - 1);
  for (const peer of await peers.all()) await expect(peer).toHaveAttribute("data-status", "done");
  await expect(page.getByRole("progressbar", { name: "Rotation progress" })).toHaveAttribute(
    "aria-valuenow",
    "100",
  );
  const newKey = await page
    .getByText(/^[A-Za-z0-9+/]{43}=$/)
    .first()
    .textContent();
  expect(newKey).not.toBe(oldKey);
  // The tunnels came back with the new key: BGP is Established on every session again.
  await waitForSessions([...lab.members.values()], 60_000);
  await page.screenshot({ path: `${SCREENSHOT_DIR}node-key-rotation.png`, fullPage: true });
});
