// Route sources and policy (issue #14) in the dashboard, against the real controller: two nodes
// enroll and report discovered routes over the agent API (HTTP, as an agent does), the admin
// edits a node's policy (bad input is refused at its field while typing and nothing typed is
// lost; saved values are shown), sees each candidate's verdict, resolves a conflict, and sets
// the mesh-default sources on the Settings page.
import { randomBytes } from "node:crypto";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { SCREENSHOT_DIR } from "./helpers/accounts";

type TNode = { nodeId: string; credential: string; name: string; publicKey: string };

// One tRPC call over HTTP (superjson envelope), as the dashboard or an agent makes it.
async function call<T>(
  request: APIRequestContext,
  path: string,
  input: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await request.post(`/api/trpc/${path}`, {
    data: { json: input },
    headers: { "content-type": "application/json", ...headers },
  });
  const body = (await response.json()) as { result?: { data: { json: T } }; error?: unknown };
  if (!response.ok() || !body.result) {
    throw new Error(`${path}: ${response.status()} ${JSON.stringify(body.error)}`);
  }
  return body.result.data.json;
}

const HOST_INFO = {
  hostname: "rp",
  kernel: "6.1.0",
  wireguard: "wireguard-go",
  frrMode: "managed",
  frrVersion: "8.4.4",
  addressDevice: "lo",
};

function candidate(prefix: string, patch: Record<string, unknown> = {}) {
  return {
    prefix,
    source: "connected",
    interface: "virbr0",
    protocol: null,
    speaker: null,
    verdict: "announced",
    refusal: null,
    detail: null,
    ...patch,
  };
}

async function report(request: APIRequestContext, node: TNode, routeCandidates: unknown[]) {
  await call(
    request,
    "agent.report",
    {
      agentVersion: "0.1.0-e2e",
      hostInfo: HOST_INFO,
      endpoints: [],
      publicKey: node.publicKey,
      rotationId: null,
      appliedVersion: null,
      applyError: null,
      peers: [],
      routeCandidates,
    },
    { authorization: `Bearer ${node.credential}` },
  );
}

let nodes: TNode[] = [];

test.beforeAll(async ({ browser, baseURL }) => {
  // The admin's session (storageState) creates the token; agents enroll with it.
  const context = await browser.newContext();
  const admin = context.request;
  const origin = { origin: baseURL! };
  const { token } = await call<{ token: string }>(
    admin,
    "token.create",
    { ttlSec: 600, usesAllowed: 2 },
    origin,
  );
  const suffix = randomBytes(3).toString("hex");
  nodes = [];
  for (const name of [`rp-a-${suffix}`, `rp-b-${suffix}`]) {
    const publicKey = randomBytes(32).toString("base64");
    const enrolled = await call<{ nodeId: string; credential: string }>(admin, "agent.enroll", {
      token,
      name,
      publicKey,
      endpoints: [],
      agentVersion: "0.1.0-e2e",
      hostInfo: { ...HOST_INFO, hostname: name },
    });
    nodes.push({ ...enrolled, name, publicKey });
  }
  await context.close();
});

test("route policy editor: bad input is refused at its field, nothing typed is lost, saved values show", async ({
  page,
}) => {
  const node = nodes[0]!;
  await page.goto(`/nodes/${node.nodeId}`);
  const policy = page.getByTestId("route-policy");
  await expect(policy).toContainText("off");
  await page.getByRole("button", { name: "Change policy" }).click();

  await page.getByRole("switch").check();
  await page.getByLabel("Prefix cap").fill("50");
  await page.getByRole("button", { name: "Add range" }).click();
  const range = page.getByLabel("Range", { exact: true });
  const maxLength = page.getByLabel("Max length", { exact: true });
  // Inside the mesh pool: refused at the range, while typing.
  await range.fill("10.128.5.0/24");
  await expect(range).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("alert").filter({ hasText: "mesh pool" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Save policy" })).toBeDisabled();
  // A maximum length shorter than the prefix.
  await range.fill("10.60.0.0/16");
  await maxLength.fill("8");
  await expect(maxLength).toHaveAttribute("aria-invalid", "true");
  await expect(
    page.getByRole("alert").filter({ hasText: "at least the prefix length" }),
  ).toBeVisible();
  await maxLength.fill("24");
  // Sources: an always-excluded interface and proto kernel, each named in its message.
  await page.getByLabel("Use the mesh default sources (Settings)").uncheck();
  await page.getByLabel("Interfaces", { exact: true }).fill("kube-lb0, wg*");
  await expect(
    page.getByRole("alert").filter({ hasText: "wg*: wg* is always excluded" }),
  ).toBeVisible();
  await page.getByLabel("Kernel route protocols").fill("static, kernel");
  await expect(
    page.getByRole("alert").filter({ hasText: "kernel: proto kernel routes are invisible" }),
  ).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOT_DIR}route-policy-errors.png`, fullPage: true });
  // Nothing typed was lost while refused.
  await expect(page.getByLabel("Prefix cap")).toHaveValue("50");
  await expect(page.getByRole("switch")).toBeChecked();
  await expect(range).toHaveValue("10.60.0.0/16");

  await page.getByLabel("Interfaces", { exact: true }).fill("kube-lb0, virbr*");
  await page.getByLabel("Kernel route protocols").fill("static");
  await expect(page.getByTestId("routing-issue-count")).toHaveCount(0);
  await expect(page.getByRole("alert").filter({ hasText: "always excluded" })).toHaveCount(0);
  await page.getByRole("button", { name: "Save policy" }).click();
  await expect(policy).toContainText("on");
  await expect(policy).toContainText("50");
  await expect(policy).toContainText(
    "own: interfaces kube-lb0, virbr* · kernel routes proto static",
  );
  await expect(page.getByRole("list", { name: "Allowed ranges" })).toContainText(
    "10.60.0.0/16 up to /24",
  );
  // Stored, not just shown: a reload reads it back.
  await page.reload();
  await expect(page.getByTestId("route-policy")).toContainText("own: interfaces kube-lb0, virbr*");
});

test("Routes panel: each candidate's verdict, and a conflict resolved for one node", async ({
  page,
  baseURL,
}) => {
  const [a, b] = nodes as [TNode, TNode];
  const origin = { origin: baseURL! };
  const policy = {
    mayOriginate: true,
    exitNode: false,
    maxPrefixes: 50,
    allowedRanges: [{ prefix: "10.60.0.0/16", maxLength: 24, anycast: false, description: null }],
    sources: null,
  };
  for (const node of [a, b]) {
    await call(page.request, "routing.update", { nodeId: node.nodeId, ...policy }, origin);
  }
  await report(page.request, a, [
    candidate("10.60.1.0/24"),
    candidate("10.60.2.0/24"),
    candidate("198.51.100.10/32", {
      interface: "kube-lb0",
      verdict: "refused",
      refusal: "outside-allowed-ranges",
      detail: "in no allowed range of this node",
    }),
  ]);
  await report(page.request, b, [candidate("10.60.1.0/24")]);

  await page.goto(`/nodes/${a.nodeId}`);
  await expect(page.getByTestId("candidate-10.60.2.0/24")).toContainText("announced");
  await expect(page.getByTestId("candidate-198.51.100.10/32")).toContainText(
    "refused: outside allowed ranges",
  );
  await expect(page.getByTestId("candidate-198.51.100.10/32")).toContainText(
    "connected (kube-lb0)",
  );
  const held = page.getByTestId("candidate-10.60.1.0/24");
  await expect(held).toContainText("conflict");
  const conflict = page.getByTestId("conflict-10.60.1.0/24");
  await expect(conflict).toContainText(`on ${[a.name, b.name].sort().join(", ")}`);
  await expect(conflict).toContainText("Open: announced by none of them");
  await page.screenshot({ path: `${SCREENSHOT_DIR}node-routes.png`, fullPage: true });

  await conflict.getByRole("button", { name: `Only ${a.name}` }).click();
  await expect(conflict.getByTestId("conflict-resolution")).toContainText(
    `only ${a.name} announces it`,
  );
  await expect(held).toContainText("announced");
  // The other node's page shows its copy still held back.
  await page.goto(`/nodes/${b.nodeId}`);
  await expect(page.getByTestId("candidate-10.60.1.0/24")).toContainText("conflict");
});

test("Routes page: each prefix with the policy that matched it, admitted or refused", async ({
  page,
  baseURL,
}) => {
  const b = nodes[1]!;
  const origin = { origin: baseURL! };
  await call(
    page.request,
    "routing.update",
    {
      nodeId: b.nodeId,
      mayOriginate: true,
      exitNode: false,
      maxPrefixes: 50,
      allowedRanges: [
        { prefix: "10.70.0.0/16", maxLength: 26, anycast: true, description: null },
        { prefix: "10.71.0.0/16", maxLength: 16, anycast: false, description: null },
      ],
      sources: null,
    },
    origin,
  );
  await report(page.request, b, [
    candidate("10.70.4.0/24"),
    candidate("10.71.5.0/24", {
      verdict: "refused",
      refusal: "longer-than-allowed",
      detail: "longer than /16 allowed in 10.71.0.0/16",
    }),
  ]);
  await page.goto("/routes");
  const admitted = page.getByTestId("route-10.70.4.0/24");
  await expect(admitted.getByTestId("route-policy")).toHaveText(
    `${b.name} connected: allowed range 10.70.0.0/16 up to /26 · anycast`,
  );
  await expect(admitted.getByTestId("route-state")).toHaveAttribute("data-state", "discovered");
  const refused = page.getByTestId("route-10.71.5.0/24");
  await expect(refused.getByTestId("route-state")).toHaveAttribute("data-state", "refused");
  await expect(refused.getByTestId("route-policy").locator('[data-verdict="refused"]')).toHaveText(
    `${b.name} connected: refused, longer than allowed (longer than /16 allowed in 10.71.0.0/16)`,
  );
  // Node addresses say why they are there; the search finds prefixes by their rule.
  await expect(
    page
      .getByTestId(/^route-10\./)
      .filter({ hasText: "node address: always announced" })
      .first(),
  ).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOT_DIR}routes-policy.png`, fullPage: true });
  await page.getByLabel("Search routes").fill("longer than allowed");
  await expect(page.getByTestId(/^route-\d/)).toHaveCount(1);
  await expect(page.getByTestId("route-10.71.5.0/24")).toBeVisible();
});

test("Settings: the mesh-default sources refuse a bad entry inline and save", async ({ page }) => {
  await page.goto("/settings");
  const interfaces = page.getByLabel("Interfaces", { exact: true });
  await interfaces.fill("lo");
  await expect(
    page.getByRole("alert").filter({ hasText: "lo: lo is always excluded" }),
  ).toBeVisible();
  await expect(page.getByRole("button", { name: "Save sources" })).toBeDisabled();
  await interfaces.fill("vmbr*");
  await page.getByRole("button", { name: "Save sources" }).click();
  await expect(page.getByRole("button", { name: "Save sources" })).toBeDisabled();
  await page.reload();
  await expect(page.getByLabel("Interfaces", { exact: true })).toHaveValue("vmbr*");
});
