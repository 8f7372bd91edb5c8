// The dashboard against REAL agents: a lab mesh (network namespaces, wireguard-go, FRR, the
// agent bundle) with its own controller on the lab's underlay bridge. The topology must show
// the nodes and Established tunnels from the agents' own reports, and a key rotation started
// in the browser must finish on every peer. Root only (namespaces), like the lab tier.
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { setFrrPathspace } from "../lab/harness/observe-node";
import { readAgentView } from "../lab/harness/run-agent";
import { LabMesh, waitForSessions } from "../lab/harness/start-mesh";
import {
  addSshNode,
  findInstalledAgent,
  findSupervisedAgent,
  listNodeCommands,
  stopInstalledAgent,
  trackInstalledAgent,
  type TSshLabNode,
} from "../lab/harness/start-ssh-node";
import { SCREENSHOT_DIR } from "./helpers/accounts";
import { signInToLab } from "./helpers/sign-in-to-lab";

const NODES = 3;
const isRoot = process.getuid?.() === 0;
let mesh: LabMesh | undefined;
let sshNode: TSshLabNode | undefined;

// Not "serial": the tests are independent (each signs in on its own), and a failure must not
// skip the rest; after one, Playwright tears the worker down (afterAll removes the lab) and the
// next test gets a fresh lab from beforeAll.
test.describe.configure({ mode: "default" });
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
  try {
    // The agent installed over SSH: stopped by its supervisor's PID before the lab goes.
    if (sshNode) await stopInstalledAgent(sshNode.node);
  } finally {
    await mesh?.destroy();
  }
});

// On failure, the SSH node's install log (supervisor + agent) and sshd log go with the report.
test.afterEach(async ({ browserName: _browser }, testInfo) => {
  if (!sshNode || testInfo.status === testInfo.expectedStatus) return;
  for (const file of [
    join(sshNode.node.dir, "agent-log", "agent.log"),
    join(sshNode.node.dir, "logs", `${sshNode.node.name}-sshd.log`),
  ]) {
    if (existsSync(file)) await testInfo.attach(basename(file), { path: file });
  }
});

test("topology shows real agents' nodes and Established tunnels", async ({ page }) => {
  test.setTimeout(120_000);
  const lab = mesh!;
  await signInToLab(page, lab);
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
  await signInToLab(page, lab);
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
  // A peer is done at its first handshake with the new key, normally seconds after the click
  // (the rotation card says how long it took); the timeout still allows a missed handshake
  // and WireGuard's re-key 120 s later.
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
  // The figure for the record: how long the card says it took (click → every peer done).
  console.log(`rotation: ${await page.getByTestId("rotation-timing").textContent()}`);
  // The node page is pushed the node's state on every report: wait for the new key.
  await expect(page.getByText(/^[A-Za-z0-9+/]{43}=$/).first()).not.toHaveText(oldKey!, {
    timeout: 15_000,
  });
  // The tunnels came back with the new key: BGP is Established on every session again.
  await waitForSessions([...lab.members.values()], 60_000);
  await page.screenshot({ path: `${SCREENSHOT_DIR}node-key-rotation.png`, fullPage: true });
});

/** When the controller last heard from node `nodeId` (ms since the epoch, 0 = never). */
async function readLastSeen(lab: LabMesh, nodeId: string) {
  // superjson's json part: dates arrive as ISO strings.
  const node = await lab.api.query<{ lastSeenAt: string | null }>("node.get", { nodeId });
  return node.lastSeenAt ? Date.parse(node.lastSeenAt) : 0;
}

/** Open Add server → Over SSH and fill it for `server` (host key confirmed, root's key). */
async function fillSshForm(page: Page, lab: LabMesh, server: TSshLabNode) {
  await page.goto(`${lab.controller.url}/add`);
  await page.getByRole("tab", { name: "Over SSH" }).click();
  await page.getByLabel("Host").fill(server.host);
  await page.getByLabel("Port").fill(String(server.port));
  await page.getByRole("button", { name: "Fetch host key" }).click();
  await expect(page.getByTestId("host-fingerprint")).toHaveText(server.hostFingerprint);
  await page.getByLabel("I verified this fingerprint").check();
  await page.getByLabel("User", { exact: true }).fill(server.username);
  await page.getByLabel("Private key (OpenSSH or PEM)").fill(server.privateKey);
  await page.getByLabel("Node name (optional)").fill(server.node.name);
}

test("add a server over SSH installs a real agent that joins the mesh", async ({ page }) => {
  test.setTimeout(240_000);
  const lab = mesh!;
  // One more namespace on the underlay, reachable only over SSH (root, throwaway keys).
  sshNode = await addSshNode(lab.lab, NODES + 1);
  const server = sshNode;
  const name = server.node.name;
  await signInToLab(page, lab);
  await fillSshForm(page, lab, server);
  // The default is the controller's public URL, which is what the server reaches.
  await expect(page.getByLabel("Controller URL the server will use")).toHaveValue(
    lab.controller.url,
  );

  await page.getByRole("button", { name: "Run preflight" }).click();
  const checks = page.getByRole("list", { name: "Preflight checks" });
  await expect(checks).toBeVisible({ timeout: 30_000 });
  const steps = page.getByRole("list", { name: "Progress" });
  await expect(steps.getByRole("listitem").filter({ hasText: "Preflight checks" })).toHaveAttribute(
    "data-status",
    "done",
    { timeout: 30_000 },
  );
  // A prepared namespace passes everything; forwarding may only warn (the agent turns it on).
  for (const check of await checks.getByRole("listitem").all()) {
    const status = await check.getAttribute("data-status");
    const text = (await check.textContent()) ?? "";
    if (/IP forwarding/.test(text)) expect(status, text).toMatch(/^(pass|warn)$/);
    else expect(status, text).toBe("pass");
  }
  await expect(checks.getByRole("listitem").filter({ hasText: "FRR" })).toContainText(
    "its own FRR daemons",
  );

  const installStarted = performance.now();
  await page.getByRole("button", { name: "Install agent" }).click();
  // Fail at the first failed step (with its message), not after the whole timeout.
  const deadline = performance.now() + 150_000;
  for (;;) {
    const failed = steps.locator('li[data-status="failed"]');
    if ((await failed.count()) > 0) {
      throw new Error(`install failed: ${await failed.first().innerText()}`);
    }
    if ((await steps.locator('li[data-status="done"]').count()) === 7) break;
    if (performance.now() > deadline) throw new Error(`install: ${await steps.innerText()}`);
    await page.waitForTimeout(500);
  }
  for (const label of [
    "Connect and verify host key",
    "Preflight checks",
    "Upload the installer",
    "Create single-use enrollment token",
    "Join the mesh",
    "Start the agent",
    "Wait for the first report",
  ]) {
    await expect(steps.getByRole("listitem").filter({ hasText: label })).toHaveAttribute(
      "data-status",
      "done",
    );
  }
  const installMs = performance.now() - installStarted;
  await expect(page.getByTestId("ssh-job-error")).toHaveCount(0);
  // No systemd in the namespace: a supervised background process whose PID the page shows.
  const startStep = steps.getByRole("listitem").filter({ hasText: "Start the agent" });
  const pidText = /background supervisor pid (\d+)/.exec((await startStep.textContent()) ?? "");
  expect(pidText, "the start step names the supervisor's PID").not.toBeNull();
  const supervisor = await trackInstalledAgent(lab.lab, server.node);
  expect(supervisor?.pid, "the PID file names the live supervisor").toBe(Number(pidText![1]));
  await expect(page.getByRole("link", { name: `Open ${name}` })).toBeVisible();
  // The console scrolls inside its main pane: bring the finished progress into view.
  await page.getByRole("link", { name: `Open ${name}` }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SCREENSHOT_DIR}add-server-ssh-installed.png` });

  // Real BGP: the new node's sessions to every lab node are Established on both sides.
  const view = readAgentView(server.node);
  expect(view?.name).toBe(name);
  setFrrPathspace(server.node, "meshover");
  const members = [...lab.members.values(), { node: server.node, view: view! }];
  await waitForSessions(members, 90_000);
  const joinedMs = performance.now() - installStarted;

  // ...and the dashboard shows it from the agents' reports.
  await page.goto(`${lab.controller.url}/`);
  await expect(page.getByTestId(`topology-node-${name}`)).toBeVisible();
  const total = NODES + 1;
  const links = (total * (total - 1)) / 2;
  await expect(page.getByTestId("topology-stats")).toContainText(`${total}/${total} nodes online`, {
    timeout: 60_000,
  });
  await expect(page.getByTestId("topology-stats")).toContainText(
    `${links}/${links} links established`,
    { timeout: 60_000 },
  );
  console.log(
    `[ssh] install to first report ${(installMs / 1000).toFixed(1)} s, to all sessions Established ${(joinedMs / 1000).toFixed(1)} s`,
  );

  // A second install on the joined server stops at preflight, saying how to leave first.
  await fillSshForm(page, lab, server);
  await page.getByRole("button", { name: "Run preflight" }).click();
  await expect(checks.getByRole("listitem").filter({ hasText: "Not joined yet" })).toHaveAttribute(
    "data-status",
    "fail",
    { timeout: 30_000 },
  );
  await expect(page.getByTestId("ssh-job-error")).toContainText("Not joined yet");

  // Supervised: an agent that dies is restarted by its supervisor and reports again.
  const agent = await findSupervisedAgent(server.node, supervisor!.pid);
  expect(agent, "the supervisor runs the agent as its child").not.toBeNull();
  const killedAt = new Date();
  process.kill(agent!.pid, "SIGKILL");
  // A new agent process, not merely the old one gone (the supervisor waits 2 s to restart).
  await expect
    .poll(
      async () => {
        const restarted = await findSupervisedAgent(server.node, supervisor!.pid);
        return restarted !== null && restarted.pid !== agent!.pid;
      },
      { timeout: 15_000 },
    )
    .toBe(true);
  await expect
    .poll(async () => (await readLastSeen(lab, view!.nodeId)) > killedAt.getTime(), {
      timeout: 30_000,
    })
    .toBe(true);

  // The supervisor's PID is the handle: stopping it stops the agent (and nothing restarts it).
  const isAgent = (argv: string[]) => argv.some((arg) => arg.endsWith("meshover-agent.mjs"));
  const isSupervisor = (argv: string[]) => argv.some((arg) => arg.endsWith("supervise-agent.sh"));
  const before = await listNodeCommands(server.node);
  expect(before.filter((p) => isAgent(p.argv))).toHaveLength(1);
  expect(await stopInstalledAgent(server.node)).toBe(supervisor!.pid);
  await new Promise((resolve) => setTimeout(resolve, 2500));
  const after = await listNodeCommands(server.node);
  expect(after.filter((p) => isAgent(p.argv) || isSupervisor(p.argv))).toEqual([]);
  expect(await findInstalledAgent(server.node)).toBeNull();
});
