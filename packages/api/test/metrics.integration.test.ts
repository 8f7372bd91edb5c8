import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TTestDatabase } from "@meshover/prisma/testing";
import { handleMetricsRequest } from "../src/http/handle-metrics-request";
import { callAs, createApiTestDatabase, signInAs } from "./helpers";
import { makeEnrollRequest } from "./http-client";

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
    await testDb.db.healthSample.create({
      data: {
        nodeId: a.nodeId,
        peerId: b.nodeId,
        handshakeAt: new Date(Date.now() - 5000),
        rttMs: 2.5,
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
    const edge = `id="${a.nodeId}>${b.nodeId}",source="${a.nodeId}",target="${b.nodeId}",source_name="a",target_name="b"`;
    expect(text).toContain(`meshover_edge_bgp_established{${edge}} 1`);
    expect(text).toContain(`meshover_edge_rtt_milliseconds{${edge}} 2.5`);
    expect(text).toContain(`meshover_edge_mtu_configured_bytes{${edge}} 1420`);
    expect(text).toMatch(new RegExp(`meshover_edge_handshake_age_seconds\\{${edge}\\} [5-9]`));
    expect(text).toMatch(
      /meshover_graph_node_info\{id="[^"]+",title="a",subtitle="10\.128\.0\.1"\} 1/,
    );

    const { metricsToken } = await admin.settings.update({ metricsToken: "generate" });
    expect((await scrape({ "x-forwarded-for": "127.0.0.1" })).status).toBe(401);
    expect((await scrape({ authorization: "Bearer wrong" })).status).toBe(401);
    const withToken = await scrape({
      authorization: `Bearer ${metricsToken}`,
      "x-forwarded-for": "192.0.2.1",
    });
    expect(withToken.status).toBe(200);
  });
});
