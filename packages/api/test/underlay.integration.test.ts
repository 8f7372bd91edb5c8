// Issue #17 on the controller: per-pair direct paths, impossible pairs left out of the configs,
// the reachability matrix, the admin's underlay settings, and measured dead paths (recorded
// when both agents say so, retried later).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TTestDatabase } from "@meshover/prisma/testing";
import { createToken } from "../src/services/token/create-token";
import { loadNodeConfigs } from "../src/services/mesh/load-node-configs";
import { DIRECT_PATH_RETRY_MS } from "../src/services/agent/record-direct-paths";
import { callAs, createApiTestDatabase, signInAs } from "./helpers";
import { makeEnrollRequest, makeHealthReport } from "./http-client";

let testDb: TTestDatabase;
const actor = { id: null, email: "test" };

beforeAll(async () => {
  testDb = await createApiTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

async function enroll(name: string, endpoints: string[], token: string) {
  const enrolled = await callAs(testDb.db).agent.enroll({
    ...makeEnrollRequest(token, name),
    endpoints,
  });
  return {
    id: enrolled.nodeId,
    agent: callAs(testDb.db, { authorization: `Bearer ${enrolled.credential}` }),
  };
}

describe("underlay (issue #17)", () => {
  it("builds no impossible tunnel, shows the matrix, and records measured dead paths", async () => {
    const { token } = await createToken({ db: testDb.db, actor, ttlSec: 600, usesAllowed: 4 });
    const dual = await enroll("dual", ["2001:db8::1", "198.18.0.1"], token);
    const v6 = await enroll("v6only", ["2001:db8::2"], token);
    const v4 = await enroll("v4only", ["198.18.0.3"], token);
    const nat = await enroll("natted", ["10.0.0.5"], token);
    const admin = await signInAs(testDb.db, { email: "admin@example.test", role: "admin" });
    const viewer = await signInAs(testDb.db, { email: "viewer@example.test", role: "viewer" });

    const peersOf = async (id: string) => {
      const mesh = await loadNodeConfigs({ db: testDb.db });
      return mesh.configOf(id)!.peers.map((peer) => peer.name);
    };
    expect(await peersOf(v4.id)).toEqual(["dual", "natted"]);
    expect(await peersOf(v6.id)).toEqual(["dual"]);
    expect(await peersOf(nat.id)).toEqual(["dual", "v4only"]);

    const matrix = await viewer.underlay.matrix({});
    const reach = (a: string, b: string) =>
      matrix.pairs.find((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a))!;
    expect(reach(dual.id, v6.id)).toMatchObject({ kind: "direct", family: "ipv6" });
    expect(reach(v4.id, nat.id)).toMatchObject({ kind: "direct", family: "ipv4" });
    expect(reach(v6.id, v4.id)).toMatchObject({
      kind: "via",
      reason: "no-common-family",
      relays: [[dual.id]],
    });
    expect(reach(v6.id, nat.id)).toMatchObject({ kind: "via", relays: [[dual.id]] });
    expect(matrix.nodes.find((n) => n.id === nat.id)).toMatchObject({
      isBehindNat: true,
      underlayMode: "auto",
      families: ["ipv4"],
    });

    // Only admins change it; a no-transit relay leaves the relayed pairs unreachable.
    await expect(
      viewer.underlay.setNode({ nodeId: dual.id, underlayMode: "auto", canTransit: false }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await admin.underlay.setNode({ nodeId: dual.id, underlayMode: "auto", canTransit: false });
    const closed = await admin.underlay.matrix({ nodeId: v6.id });
    expect(closed.pairs.every((p) => p.a === v6.id || p.b === v6.id)).toBe(true);
    expect(closed.pairs.find((p) => p.b === v4.id || p.a === v4.id)).toMatchObject({
      kind: "unreachable",
    });
    const dualConfig = (await loadNodeConfigs({ db: testDb.db })).configOf(dual.id)!;
    expect(dualConfig.self.canTransit).toBe(false);
    await admin.underlay.setNode({ nodeId: dual.id, underlayMode: "auto", canTransit: true });

    // Both ends report the dual<->v4 tunnel never handshook: the pair is dropped.
    const failing = (peerId: string, endpoints: string[]) => {
      const report = makeHealthReport([peerId]);
      return {
        ...report,
        endpoints,
        peers: report.peers.map((p) => ({
          ...p,
          handshakeAt: null,
          directPathError: "no WireGuard handshake in 61 s (dialing 198.18.0.3:51823 over IPv4)",
        })),
      };
    };
    const now = new Date();
    const dualNode = await testDb.db.node.findUniqueOrThrow({ where: { id: dual.id } });
    const v4Node = await testDb.db.node.findUniqueOrThrow({ where: { id: v4.id } });
    const one = await dual.agent.agent.report({
      ...failing(v4.id, dualNode.endpoints),
      publicKey: dualNode.publicKey!,
    });
    // One end alone is not enough (the other may just be offline).
    expect(one.meshVersion).toBeNull();
    await v4.agent.agent.report({
      ...failing(dual.id, v4Node.endpoints),
      publicKey: v4Node.publicKey!,
    });
    expect(await testDb.db.directPathFailure.count()).toBe(1);
    expect(await peersOf(v4.id)).toEqual(["natted"]);
    const measured = await admin.underlay.matrix({ nodeId: v4.id });
    expect(measured.pairs.find((p) => p.a === dual.id || p.b === dual.id)).toMatchObject({
      kind: "via",
      reason: "measured-dead",
      relays: [[nat.id]],
    });
    expect(measured.failures).toHaveLength(1);

    // Once the retry time has come, the next report brings the tunnel back.
    const healthy = makeHealthReport([]);
    await testDb.db.directPathFailure.updateMany({
      data: { retryAt: new Date(now.getTime() - DIRECT_PATH_RETRY_MS) },
    });
    const retried = await v4.agent.agent.report({
      ...healthy,
      endpoints: v4Node.endpoints,
      publicKey: v4Node.publicKey!,
    });
    expect(retried.meshVersion).not.toBeNull();
    expect(await peersOf(v4.id)).toEqual(["dual", "natted"]);

    // Hub-and-spoke: with dual as the only hub, the spokes keep only their tunnel to it, and
    // the matrix routes spoke pairs through it.
    await admin.underlay.setNode({
      nodeId: dual.id,
      underlayMode: "auto",
      canTransit: true,
      isHub: true,
    });
    expect(await peersOf(v4.id)).toEqual(["dual"]);
    expect(await peersOf(dual.id)).toEqual(["v6only", "v4only", "natted"]);
    const hubbed = await admin.underlay.matrix({ nodeId: v4.id });
    expect(hubbed.pairs.find((p) => p.a === nat.id || p.b === nat.id)).toMatchObject({
      kind: "via",
      reason: "hub-and-spoke",
      relays: [[dual.id]],
    });
  });
});
