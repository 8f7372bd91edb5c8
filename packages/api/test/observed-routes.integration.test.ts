// Route reports end to end through agent.report on a real Postgres: a full set, deltas on top of
// it, a delta against the wrong base (the controller asks for a full set and changes nothing),
// withdrawals and returns (flaps), and the route table counting received/installed from them.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { z } from "zod";
import type { ZHealthReport } from "@meshover/netcfg";
import type { TTestDatabase } from "@meshover/prisma/testing";
import { loadNodeConfigs } from "../src/services/mesh/load-node-configs";
import { createToken } from "../src/services/token/create-token";
import { callAs, createApiTestDatabase, signInAs } from "./helpers";
import { makeEnrollRequest } from "./http-client";

let testDb: TTestDatabase;
const actor = { id: null, email: "test" };

beforeAll(async () => {
  testDb = await createApiTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});
beforeEach(async () => {
  await testDb.db.node.deleteMany();
});

type TReport = z.input<typeof ZHealthReport>;

async function enrollPair() {
  const { token } = await createToken({ db: testDb.db, actor, ttlSec: 600, usesAllowed: 2 });
  const anonymous = callAs(testDb.db);
  const a = await anonymous.agent.enroll(makeEnrollRequest(token, "a"));
  const b = await anonymous.agent.enroll(makeEnrollRequest(token, "b"));
  const nodeB = await testDb.db.node.findUniqueOrThrow({ where: { id: b.nodeId } });
  const nodeA = await testDb.db.node.findUniqueOrThrow({ where: { id: a.nodeId } });
  const agentB = callAs(testDb.db, { authorization: `Bearer ${b.credential}` });
  const report = (extra: Partial<TReport>): TReport => ({
    agentVersion: "0.1.0-test",
    hostInfo: makeEnrollRequest("x".repeat(16), "h").hostInfo,
    endpoints: nodeB.endpoints,
    publicKey: nodeB.publicKey!,
    rotationId: null,
    appliedVersion: 1,
    applyError: null,
    peers: [],
    ...extra,
  });
  return { a, b, nodeA, agentB, report };
}

const NO_ROUTES = { received: [], receivedGone: [], installed: [], installedGone: [] };

describe("route reports", () => {
  it("stores a full set, applies deltas on it, refuses a delta on another base", async () => {
    const { a, b, nodeA, agentB, report } = await enrollPair();
    const addressA = `${nodeA.ipv4}/32`;
    const full = await agentB.agent.report(
      report({
        routes: {
          ...NO_ROUTES,
          seq: 1,
          baseSeq: null,
          received: [
            { prefix: addressA, via: [a.nodeId] },
            { prefix: "192.0.2.0/24", via: [a.nodeId] },
          ],
          installed: [{ prefix: addressA, via: [a.nodeId] }],
        },
        observed: { tunnels: ["mo1"], bgpNeighbors: ["mo1"] },
      }),
    );
    expect(full.routesResync).toBe(false);
    const rows = () =>
      testDb.db.observedRoute.findMany({
        where: { nodeId: b.nodeId },
        orderBy: [{ kind: "asc" }, { prefix: "asc" }],
      });
    expect((await rows()).map((r) => [r.kind, r.prefix, r.isPresent])).toEqual([
      ["installed", addressA, true],
      ["received", addressA, true],
      ["received", "192.0.2.0/24", true],
    ]);
    const node = await testDb.db.node.findUniqueOrThrow({ where: { id: b.nodeId } });
    expect(node.routesSeq).toBe(1n);
    expect(node.observedMesh).toEqual({ tunnels: ["mo1"], bgpNeighbors: ["mo1"] });

    // The route table counts a's address as received and installed by b (all of a's peers).
    const admin = await signInAs(testDb.db, { email: "ops@example.com", role: "viewer" });
    const table = await admin.routes.list();
    expect(table.find((row) => row.cidr === addressA)).toMatchObject({
      state: "installed",
      receivedBy: 1,
      installedOn: 1,
      peerCount: 1,
      isObserved: true,
    });
    expect(table.find((row) => row.cidr === "192.0.2.0/24")).toMatchObject({
      source: "observed",
      origins: [{ nodeId: a.nodeId, name: "a" }],
    });

    // A delta: 192.0.2.0/24 withdrawn, a's address uninstalled.
    const delta = await agentB.agent.report(
      report({
        routes: {
          ...NO_ROUTES,
          seq: 2,
          baseSeq: 1,
          receivedGone: ["192.0.2.0/24"],
          installedGone: [addressA],
        },
      }),
    );
    expect(delta.routesResync).toBe(false);
    expect((await rows()).map((r) => [r.kind, r.prefix, r.isPresent])).toEqual([
      ["installed", addressA, false],
      ["received", addressA, true],
      ["received", "192.0.2.0/24", false],
    ]);
    const after = await admin.routes.list();
    expect(after.find((row) => row.cidr === addressA)).toMatchObject({
      state: "received",
      installedOn: 0,
    });
    expect(after.find((row) => row.cidr === addressA)!.warnings).toContain(
      "received but not installed on b",
    );

    // A delta against a base the controller does not have: nothing changes, full set asked.
    const stale = await agentB.agent.report(
      report({
        routes: { ...NO_ROUTES, seq: 5, baseSeq: 4, installed: [{ prefix: addressA, via: [] }] },
      }),
    );
    expect(stale.routesResync).toBe(true);
    expect((await rows()).find((r) => r.kind === "installed")!.isPresent).toBe(false);

    // The full set again: the route comes back (one flap), and what is not in it is gone.
    await agentB.agent.report(
      report({
        routes: {
          ...NO_ROUTES,
          seq: 1,
          baseSeq: null,
          installed: [{ prefix: addressA, via: [a.nodeId] }],
        },
      }),
    );
    const final = await rows();
    expect(final.map((r) => [r.kind, r.prefix, r.isPresent, r.flaps])).toEqual([
      ["installed", addressA, true, 1],
      ["received", addressA, false, 0],
      ["received", "192.0.2.0/24", false, 0],
    ]);
  });

  it("re-apply: the request reaches the node's config, the agent's report completes it", async () => {
    const { b, agentB, report } = await enrollPair();
    const admin = await signInAs(testDb.db, { email: "admin@example.com", role: "admin" });
    const before = await admin.drift.get({ nodeId: b.nodeId });
    expect(before.reapply).toEqual({ requestedAt: null, doneAt: null, isPending: false });
    const { reapplyId } = await admin.drift.reapply({ nodeId: b.nodeId });
    const pending = await admin.drift.get({ nodeId: b.nodeId });
    expect(pending.reapply.isPending).toBe(true);
    const mesh = await loadNodeConfigs({ db: testDb.db });
    expect(mesh.configs.get(b.nodeId)?.reapplyId).toBe(reapplyId);

    await agentB.agent.report(
      report({ reappliedId: reapplyId, observed: { tunnels: [], bgpNeighbors: [] } }),
    );
    const done = await admin.drift.get({ nodeId: b.nodeId });
    expect(done.reapply.isPending).toBe(false);
    expect(done.reapply.doneAt).not.toBeNull();
    // The other node's tunnel and neighbour are missing on b's host.
    expect(done.differences?.missingTunnels).toHaveLength(1);
    expect(done.differences?.missingNeighbors).toHaveLength(1);
  });
});
