import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type z } from "zod";
import { ZHealthReport, ZPeerMetrics } from "@meshover/netcfg";
import type { TTestDatabase } from "@meshover/prisma/testing";
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
  await testDb.db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS refuse_samples ON "HealthSample"`);
  await testDb.db.node.deleteMany();
});

async function enrollPair() {
  const { token } = await createToken({ db: testDb.db, actor, ttlSec: 600, usesAllowed: 2 });
  const anonymous = callAs(testDb.db);
  const a = await anonymous.agent.enroll(makeEnrollRequest(token, "a"));
  const b = await anonymous.agent.enroll(makeEnrollRequest(token, "b"));
  const node = await testDb.db.node.findUniqueOrThrow({ where: { id: a.nodeId } });
  const agent = callAs(testDb.db, { authorization: `Bearer ${a.credential}` });
  // The input type: an agent may leave out metrics it does not know (they default to null).
  type TReport = z.input<typeof ZHealthReport>;
  const report = (peer: Partial<TReport["peers"][number]> = {}): TReport => ({
    agentVersion: "0.1.0-test",
    hostInfo: makeEnrollRequest("x".repeat(16), "h").hostInfo,
    endpoints: node.endpoints,
    publicKey: node.publicKey!,
    rotationId: null,
    appliedVersion: 1,
    applyError: null,
    peers: [
      {
        peerId: b.nodeId,
        interface: "mo2",
        peerPublicKey: null,
        handshakeAt: "2026-12-01T10:00:00.000Z",
        rxBytes: 100,
        txBytes: 200,
        rttMs: 1.5,
        bgpState: "Established",
        bgpUptimeSec: 60,
        bfdState: "up",
        prefixesReceived: 2,
        mtuConfigured: 1420,
        mtuMeasured: 1380,
        ...peer,
      },
    ],
  });
  return { a, b, agent, report };
}

describe("agent.report", () => {
  it("changes nothing when it fails part-way (one transaction)", async () => {
    const { a, agent, report } = await enrollPair();
    await agent.agent.report(report());
    const before = await testDb.db.node.findUniqueOrThrow({ where: { id: a.nodeId } });
    // Any failure after the node row is written: here the sample insert is refused.
    await testDb.db.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION refuse_sample() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'sample refused for the test'; END $$ LANGUAGE plpgsql`);
    await testDb.db.$executeRawUnsafe(`
      CREATE TRIGGER refuse_samples BEFORE INSERT ON "HealthSample"
      FOR EACH ROW EXECUTE FUNCTION refuse_sample()`);

    await expect(
      agent.agent.report({
        ...report(),
        agentVersion: "0.2.0-test",
        appliedVersion: 7,
        applyError: "boom",
      }),
    ).rejects.toThrow();

    const after = await testDb.db.node.findUniqueOrThrow({ where: { id: a.nodeId } });
    expect(after).toEqual(before);
    expect(await testDb.db.healthSample.count()).toBe(1);
  });

  it("stores every metric of the record and serves it back through topology.get", async () => {
    const { a, b, agent, report } = await enrollPair();
    // A non-null value for every metric of the record, whatever metrics it has: the first
    // candidate its schema accepts.
    const metrics = Object.keys(ZPeerMetrics.shape) as (keyof typeof ZPeerMetrics.shape)[];
    const filled = Object.fromEntries(
      metrics.map((name) => [
        name,
        [7, "Established"].find((value) => ZPeerMetrics.shape[name].safeParse(value).success),
      ]),
    );
    expect(Object.values(filled)).not.toContain(undefined);
    const sent = ZHealthReport.parse(report(filled)).peers[0]!;
    await agent.agent.report(report(filled));
    const viewer = await signInAs(testDb.db, { email: "viewer@example.com", role: "viewer" });
    const topology = await viewer.topology.get();
    const edge = topology.edges.find((e) => e.source === a.nodeId && e.target === b.nodeId)!;
    expect(Object.fromEntries(metrics.map((name) => [name, edge.sourceToTarget?.[name]]))).toEqual(
      Object.fromEntries(metrics.map((name) => [name, sent[name]])),
    );
    expect(edge.sourceToTarget).toMatchObject({
      handshakeAt: new Date(sent.handshakeAt!),
      rxBytes: 100,
      txBytes: 200,
      rttMs: 1.5,
    });
  });

  it("keeps nulls out of the stored metrics and reads them back as null", async () => {
    const { a, b, agent, report } = await enrollPair();
    await agent.agent.report(report({ bgpState: null, mtuMeasured: null }));
    const stored = await testDb.db.healthSample.findFirstOrThrow({ where: { nodeId: a.nodeId } });
    expect(stored.metrics).not.toHaveProperty("bgpState");
    expect(stored.metrics).toHaveProperty("mtuConfigured", 1420);
    const viewer = await signInAs(testDb.db, { email: "viewer@example.com", role: "viewer" });
    const edge = (await viewer.topology.get()).edges.find((e) => e.target === b.nodeId)!;
    expect(edge.sourceToTarget).toMatchObject({ bgpState: null, mtuMeasured: null });
  });
});
