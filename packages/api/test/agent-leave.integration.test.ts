import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TTestDatabase } from "@meshover/prisma/testing";
import { loadNodeConfigs } from "../src/services/mesh/load-node-configs";
import { createToken } from "../src/services/token/create-token";
import { callAs, createApiTestDatabase } from "./helpers";
import { makeEnrollRequest } from "./http-client";

let testDb: TTestDatabase;

beforeAll(async () => {
  testDb = await createApiTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

describe("agent.leave", () => {
  it("removes the calling node like node.remove, audited as the agent, and peers drop it", async () => {
    const { token } = await createToken({
      db: testDb.db,
      actor: { id: null, email: "test" },
      ttlSec: 600,
      usesAllowed: 3,
    });
    const anonymous = callAs(testDb.db);
    const a = await anonymous.agent.enroll(makeEnrollRequest(token, "a"));
    const b = await anonymous.agent.enroll(makeEnrollRequest(token, "b"));
    const c = await anonymous.agent.enroll(makeEnrollRequest(token, "c"));
    const before = await loadNodeConfigs({ db: testDb.db });
    expect(before.configOf(b.nodeId)!.peers.map((peer) => peer.id)).toContain(a.nodeId);

    const agentA = callAs(testDb.db, { authorization: `Bearer ${a.credential}` });
    expect(await agentA.agent.leave()).toEqual({ id: a.nodeId, name: "a" });

    expect(await testDb.db.node.findUnique({ where: { id: a.nodeId } })).toBeNull();
    expect(await testDb.db.nodeCredential.count({ where: { nodeId: a.nodeId } })).toBe(0);
    await expect(agentA.agent.whoami()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(agentA.agent.leave()).rejects.toMatchObject({ code: "UNAUTHORIZED" });

    const after = await loadNodeConfigs({ db: testDb.db });
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.heads.has(a.nodeId)).toBe(false);
    for (const peer of [b, c]) {
      const ids = after.configOf(peer.nodeId)!.peers.map((p) => p.id);
      expect(ids).not.toContain(a.nodeId);
      expect(ids).toHaveLength(1);
    }
    // The others' credentials still work.
    const agentB = callAs(testDb.db, { authorization: `Bearer ${b.credential}` });
    expect((await agentB.agent.whoami()).nodeId).toBe(b.nodeId);

    const event = await testDb.db.auditEvent.findFirstOrThrow({
      where: { action: "node.remove", targetId: a.nodeId },
    });
    expect(event).toMatchObject({ actorId: null, actorEmail: "agent:a", targetType: "node" });
  });
});
