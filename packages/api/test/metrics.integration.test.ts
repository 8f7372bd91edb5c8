import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TTestDatabase } from "@meshover/prisma/testing";
import { handleMetricsRequest } from "../src/http/handle-metrics-request";
import { renderMetrics } from "../src/services/metrics/render-metrics";
import { callAs, createApiTestDatabase, signInAs } from "./helpers";
import { makeEnrollRequest } from "./http-client";

/**
 * `promtool check metrics` (Debian package `prometheus`, which npm test installs) on a scrape:
 * its complaints, "" when clean. Without promtool the check fails rather than passing silently.
 */
function checkWithPromtool(body: string): string {
  const result = spawnSync("promtool", ["check", "metrics"], { input: body, encoding: "utf8" });
  if (result.error) {
    throw new Error(`promtool is missing (apt-get install prometheus): ${result.error.message}`);
  }
  return `${result.stdout}${result.stderr}`.trim();
}

const hasPromtool = !spawnSync("promtool", ["--version"]).error;
const isCI = process.env.CI === "true" || process.env.CI === "1";

let testDb: TTestDatabase;
beforeAll(async () => {
  testDb = await createApiTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

function scrape(headers: Record<string, string>) {
  return handleMetricsRequest({
    req: new Request("http://controller/api/metrics", { headers }),
    db: testDb.db,
  });
}

describe("/api/metrics", () => {
  it("serves localhost only without a token, then only with the token", async () => {
    const admin = await signInAs(testDb.db, { email: "admin@example.com", role: "admin" });
    const { token } = await admin.token.create({ usesAllowed: 2 });
    const a = await callAs(testDb.db).agent.enroll(makeEnrollRequest(token, "a"));
    const b = await callAs(testDb.db).agent.enroll(makeEnrollRequest(token, "b"));
    await testDb.db.node.update({ where: { id: b.nodeId }, data: { lastSeenAt: new Date(0) } });
    // An older sample of the same direction: only the newest may count.
    await testDb.db.healthSample.create({
      data: {
        nodeId: a.nodeId,
        peerId: b.nodeId,
        at: new Date(Date.now() - 60_000),
        rttMs: 9,
        rxBytes: 1,
        metrics: { bgpState: "Idle", bfdState: "Down" },
      },
    });
    await testDb.db.healthSample.create({
      data: {
        nodeId: a.nodeId,
        peerId: b.nodeId,
        handshakeAt: new Date(Date.now() - 5000),
        rttMs: 2.5,
        rxBytes: 4096,
        metrics: {
          bgpState: "Established",
          bfdState: "Up",
          mtuConfigured: 1420,
          mtuMeasured: 1420,
        },
      },
    });

    expect((await scrape({ "x-forwarded-for": "192.0.2.1" })).status).toBe(403);
    const local = await scrape({ "x-forwarded-for": "127.0.0.1" });
    expect(local.status).toBe(200);
    const text = await local.text();
    expect(text).toContain("meshover_nodes 2");
    expect(text).toContain("meshover_nodes_up 1");
    expect(text).toMatch(/meshover_node_up\{node="b",node_id="[^"]+"\} 0/);
    expect(text).toMatch(
      /meshover_graph_node_info\{id="\d+",title="a",subtitle="10\.128\.0\.1"\} 1/,
    );
    // One direction reported: the tunnel is drawn, but not up until both ends say so.
    expect(text).toMatch(/meshover_graph_edge_up\{id="\d+-\d+",source="\d+",target="\d+"\} 0/);
    expect(text).toContain('meshover_node_tunnels_bgp_established{node="a"} 1');
    expect(text).toContain('meshover_node_rtt_max_seconds{node="a"} 0.0025');
    expect(text).toContain('meshover_node_receive_bytes_total{node="a"} 4096');
    expect(text).toContain("# TYPE meshover_node_receive_bytes_total counter");
    expect(text).toContain('meshover_node_mtu_measured_min_bytes{node="a"} 1420');
    expect(text).toMatch(/meshover_node_handshake_age_max_seconds\{node="a"\} [5-9]/);
    expect(text).toContain('meshover_node_tunnels{node="b"} 0');
    // Per-direction series only on request.
    expect(text).not.toContain("meshover_edge_");
    const detail = await (
      await handleMetricsRequest({
        req: new Request("http://controller/api/metrics?edges=detail", {
          headers: { "x-forwarded-for": "127.0.0.1" },
        }),
        db: testDb.db,
      })
    ).text();
    const edge = `source="a",target="b"`;
    expect(detail).toContain(`meshover_edge_bgp_established{${edge}} 1`);
    expect(detail).toContain(`meshover_edge_rtt_seconds{${edge}} 0.0025`);
    expect(detail).toContain(`meshover_edge_mtu_configured_bytes{${edge}} 1420`);
    expect(detail).toContain(`meshover_edge_receive_bytes_total{${edge}} 4096`);
    expect(detail).toMatch(new RegExp(`meshover_edge_handshake_age_seconds\\{${edge}\\} [5-9]`));

    const { metricsToken } = await admin.settings.update({ metricsToken: "generate" });
    expect((await scrape({ "x-forwarded-for": "127.0.0.1" })).status).toBe(401);
    expect((await scrape({ authorization: "Bearer wrong" })).status).toBe(401);
    const withToken = await scrape({
      authorization: `Bearer ${metricsToken}`,
      "x-forwarded-for": "192.0.2.1",
    });
    expect(withToken.status).toBe(200);
  });

  // Skipped (and reported as skipped) only outside CI without promtool; in CI a missing
  // promtool fails here.
  it.skipIf(!hasPromtool && !isCI)(
    "passes `promtool check metrics`, default and detail",
    async () => {
      for (const edgeDetail of [false, true]) {
        const body = await renderMetrics({ db: testDb.db, edgeDetail });
        // The first test's nodes and sample are there: the check sees every metric family.
        expect(body).toContain("meshover_graph_edge_up{");
        expect(checkWithPromtool(body)).toBe("");
      }
    },
  );
});
