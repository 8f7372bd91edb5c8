import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ZHealthReport, ZPeerMetrics, type THealthReport } from "@meshover/netcfg";
import type { TTestDatabase } from "@meshover/prisma/testing";
import { ingestGeneralReport } from "../src/services/agent/ingest-report";
import { ingestRoutineReport } from "../src/services/agent/ingest-routine-report";
import { orderPair } from "../src/services/agent/record-direct-paths";
import { storeObservedState } from "../src/services/routes/store-observed-state";
import { createToken } from "../src/services/token/create-token";
import { callAs, createApiTestDatabase, signInAs } from "./helpers";
import {
  generateWireguardPublicKey,
  makeEnrollRequest,
  makeHealthReport,
  type THealthReportInput,
} from "./http-client";

let testDb: TTestDatabase;
const REAPPLY_ID = "0b7e1c4e-5f37-4a4e-9d7a-3f1c2b9e8a10";
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
  // An agent may leave out metrics it does not know (they default to null).
  const report = (peer: Partial<THealthReportInput["peers"][number]> = {}) =>
    makeHealthReport(
      [b.nodeId],
      { endpoints: node.endpoints, publicKey: node.publicKey! },
      {
        interface: "mo2",
        handshakeAt: "2026-12-01T10:00:00.000Z",
        rxBytes: 100,
        txBytes: 200,
        rttMs: 1.5,
        bgpUptimeSec: 60,
        bfdState: "up",
        prefixesReceived: 2,
        mtuMeasured: 1380,
        ...peer,
      },
    );
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

describe("routine reports (one statement on the pool)", () => {
  const pick = (row: Record<string, unknown>) => ({
    lastSeenAt: row.lastSeenAt,
    agentVersion: row.agentVersion,
    hostInfo: row.hostInfo,
    endpoints: row.endpoints,
    publicKey: row.publicKey,
    appliedConfigVersion: row.appliedConfigVersion,
    applyError: row.applyError,
    observedMesh: row.observedMesh,
    reappliedId: row.reappliedId,
    reappliedAt: row.reappliedAt,
  });
  const readSample = async (nodeId: string) => {
    const {
      id: _id,
      nodeId: _node,
      peerId: _peer,
      ...rest
    } = await testDb.db.healthSample.findFirstOrThrow({ where: { nodeId } });
    return rest;
  };

  it("stores what the general path stores and returns the state before it", async () => {
    const { a, b } = await enrollPair();
    const readNode = (id: string) => testDb.db.node.findUniqueOrThrow({ where: { id } });
    const nodeA = await readNode(a.nodeId);
    const nodeB = await readNode(b.nodeId);
    const now = new Date("2026-12-06T09:00:00.123Z");
    const figures = { handshakeAt: "2026-12-06T08:59:00.500Z", rxBytes: 2 ** 40, rttMs: 2.5 };
    const reportOf = (node: typeof nodeA, peerId: string) =>
      ZHealthReport.parse(
        makeHealthReport(
          [peerId],
          {
            endpoints: node.endpoints,
            publicKey: node.publicKey!,
            appliedVersion: 3,
            applyError: "x",
            observed: { tunnels: ["mo2"], bgpNeighbors: ["mo2"] },
            reappliedId: REAPPLY_ID,
          },
          { ...figures, bgpState: "Active", mtuMeasured: null },
        ),
      );

    const previous = await ingestRoutineReport({
      db: testDb.db,
      nodeId: a.nodeId,
      report: reportOf(nodeA, b.nodeId),
      now,
    });
    // The general case leaves the observed mesh and the re-apply request to storeObservedState.
    await ingestGeneralReport({
      db: testDb.db,
      nodeId: b.nodeId,
      report: reportOf(nodeB, a.nodeId),
      now,
    });
    await storeObservedState({
      db: testDb.db,
      nodeId: b.nodeId,
      report: reportOf(nodeB, a.nodeId),
      now,
    });

    expect(previous).toEqual({
      previous: { appliedVersion: null, tunnels: [] },
      isRotationWaiting: false,
    });
    const afterA = await readNode(a.nodeId);
    const afterB = await readNode(b.nodeId);
    expect(pick(afterA)).toEqual({
      ...pick(afterB),
      endpoints: nodeA.endpoints,
      publicKey: nodeA.publicKey,
    });
    expect(afterA.lastSeenAt).toEqual(now);
    expect(afterA.appliedConfigVersion).toBe(3n);
    expect(afterA.observedMesh).toEqual({ tunnels: ["mo2"], bgpNeighbors: ["mo2"] });
    expect(afterA.reappliedAt).toEqual(now);
    expect(await readSample(a.nodeId)).toEqual(await readSample(b.nodeId));

    // The next report is compared with this one.
    const next = await ingestRoutineReport({
      db: testDb.db,
      nodeId: a.nodeId,
      report: reportOf(nodeA, b.nodeId),
      now: new Date(now.getTime() + 5000),
    });
    expect(next?.previous).toEqual({
      appliedVersion: 3,
      tunnels: [
        {
          peerId: b.nodeId,
          at: now,
          bgpState: "Active",
          bfdState: "Up",
          handshakeAt: new Date(figures.handshakeAt),
        },
      ],
    });
    // The same re-apply request again keeps when it was first carried out; a report without
    // an observed mesh keeps the stored one.
    const { observed: _observed, ...withoutObserved } = reportOf(nodeA, b.nodeId);
    await ingestRoutineReport({
      db: testDb.db,
      nodeId: a.nodeId,
      report: withoutObserved,
      now: new Date(now.getTime() + 10000),
    });
    const later = await readNode(a.nodeId);
    expect(later.reappliedAt).toEqual(now);
    expect(later.observedMesh).toEqual(afterA.observedMesh);
  });

  it("writes nothing and defers to the general path for mesh changes, a next key, direct paths and other fields; stores reports during a peer's rotation and says so", async () => {
    const { a, b } = await enrollPair();
    const node = await testDb.db.node.findUniqueOrThrow({ where: { id: a.nodeId } });
    const base = ZHealthReport.parse(
      makeHealthReport([b.nodeId], { endpoints: node.endpoints, publicKey: node.publicKey! }),
    );
    const tryRoutine = (report: THealthReport) =>
      ingestRoutineReport({ db: testDb.db, nodeId: a.nodeId, report, now: new Date() });

    expect(await tryRoutine({ ...base, endpoints: ["2001:db8::99"] })).toBeNull();
    expect(
      await tryRoutine({ ...base, publicKey: makeEnrollRequest("t".repeat(16), "k").publicKey }),
    ).toBeNull();
    expect(await tryRoutine({ ...base, futureField: 1 } as THealthReport)).toBeNull();
    const failing = base.peers.map((peer) => ({ ...peer, directPathError: "no handshake" }));
    expect(await tryRoutine({ ...base, peers: failing })).toBeNull();
    // a's failed direct path to b is due for a retry.
    await testDb.db.directPathFailure.create({
      data: {
        ...orderPair(a.nodeId, b.nodeId),
        reason: "no handshake",
        reportedBy: a.nodeId,
        retryAt: new Date(Date.now() - 1000),
      },
    });
    expect(await tryRoutine(base)).toBeNull();
    await testDb.db.directPathFailure.deleteMany();
    // A rotation's next key is for the general case (it answers the rotation).
    const nextKey = { publicKey: generateWireguardPublicKey(), rotationId: REAPPLY_ID };
    expect(await tryRoutine({ ...base, nextKey })).toBeNull();
    expect(await testDb.db.node.findUniqueOrThrow({ where: { id: a.nodeId } })).toEqual(node);
    expect(await testDb.db.healthSample.count()).toBe(0);
    // b's key rotation waits for a's handshake with b's new key: a's report is stored all the
    // same (its samples, one statement) and says a rotation waits; the caller records the proof.
    await testDb.db.keyRotation.create({
      data: { nodeId: b.nodeId, status: "reported", newPublicKey: "k", reportedAt: new Date() },
    });
    const seen = { ...base, peers: base.peers.map((peer) => ({ ...peer, peerPublicKey: "k" })) };
    expect(await tryRoutine(seen as THealthReport)).toMatchObject({ isRotationWaiting: true });
    expect(await testDb.db.healthSample.count()).toBe(1);
    // So does a rotation tunnel to b (no handshake with a key on the tunnel list needed).
    const withTunnels = (tunnels: object[]) =>
      ({ ...base, rotationTunnels: tunnels }) as unknown as THealthReport;
    expect(await tryRoutine(withTunnels([{ peerId: b.nodeId }]))).toMatchObject({
      isRotationWaiting: true,
    });
    // Without the rotation the same reports say none waits.
    await testDb.db.keyRotation.deleteMany();
    expect(await tryRoutine(seen as THealthReport)).toMatchObject({ isRotationWaiting: false });
    expect(await tryRoutine(withTunnels([]))).toMatchObject({ isRotationWaiting: false });
    expect(await testDb.db.healthSample.count()).toBe(4);
  });
  it("a key promoted between a report's read of the node and its write stays promoted", async () => {
    const { a, report } = await enrollPair();
    const newKey = generateWireguardPublicKey();
    let isPromoted = false;
    // The promotion (another report's rotation evidence) commits right after this report read
    // the node, before it writes: the report still names the key it was collected with.
    type TMethod = (...args: unknown[]) => unknown;
    const bound = (value: unknown, owner: object) =>
      typeof value === "function" ? (value as TMethod).bind(owner) : value;
    const racing = new Proxy(testDb.db, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (prop !== "node") return bound(value, target);
        const model = value as object;
        return new Proxy(model, {
          get(_model, key) {
            const method: unknown = Reflect.get(model, key, model);
            if (key !== "findUnique") return bound(method, model);
            return async (args: unknown) => {
              const row = await (method as TMethod).call(model, args);
              if (!isPromoted) {
                isPromoted = true;
                await testDb.db.node.update({
                  where: { id: a.nodeId },
                  data: { publicKey: newKey },
                });
              }
              return row;
            };
          },
        });
      },
    });
    await ingestGeneralReport({
      db: racing,
      nodeId: a.nodeId,
      report: ZHealthReport.parse(report()),
    });
    expect(isPromoted).toBe(true);
    const node = await testDb.db.node.findUniqueOrThrow({ where: { id: a.nodeId } });
    expect(node.publicKey).toBe(newKey);
    expect(node.lastSeenAt).not.toBeNull(); // the rest of the report was stored
  });
});
